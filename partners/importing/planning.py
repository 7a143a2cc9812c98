"""Step 2 of the import: merge the rows per institution and compare them with the database,
prefetching existing institutions, MOUs and contacts by natural key one batch at a time (queries
grow with batches, not rows). The result is a Plan: what to insert, what to update, and each
row's outcome for the preview."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _g

from academy_portal.core.text import fold_for_search
from partners.models import (
    MOU,
    Contact,
    Institution,
    institution_name_sort_key,
    institution_search_text,
)

from .columns import COLUMN_BY_KEY
from .errors import ErrorList, clip
from .parsing import ParsedRow

BATCH_SIZE = 1000


# The columns the planner compares. Existing rows are read as plain dicts (values()), and new
# ones are planned as dicts of field values: building model instances for 300,000 objects would
# cost more than all the checks of the import together. The writer (service.apply_plan) turns
# them into COPY lines on PostgreSQL and into instances for bulk_create elsewhere.
INSTITUTION_VALUES = (
    "id", "name", "native_name", "acronym", "kind", "country", "city", "website", "notes",
)  # fmt: skip
MOU_VALUES = (
    "id", "institution_id", "title", "academy_unit", "signed_on", "effective_from", "expires_on",
    "status", "areas_of_cooperation", "notes",
)  # fmt: skip
CONTACT_VALUES = ("id", "institution_id", "name", "position", "email")


@dataclass(slots=True)
class RowResult:
    row: int
    outcome: str  # new / updated / unchanged / error
    institution: str
    mou_title: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    # What the row will write, as interpreted (references to the planned dicts, no copies: the
    # preview words the few rows it shows). None for a row that never reached the planner.
    inst: dict | None = None
    mou: dict | None = None
    contact: dict | None = None


@dataclass(slots=True)
class InstitutionPlan:
    key: tuple[str, str]
    first_row: int
    name: str
    country: str
    fields: dict  # merged non-empty values by field; "" when every row left it empty
    rows_of_field: dict  # field -> the row that set it (to report conflicts)
    obj: dict | None = None  # its field values: read from the database (with "id") or new
    is_new: bool = False
    changes: list = field(default_factory=list)
    contact_pool: list | None = None  # its contacts, existing and new, once a row needs them
    spellings: set = field(default_factory=set)


@dataclass
class Plan:
    """New objects are dicts of field values; an object that belongs to an institution holds
    its institution's dict under "institution" until the writer knows the institution's id.
    Changed objects are dicts with their "id" and the new values."""

    institutions: dict = field(default_factory=dict)
    new_institutions: list = field(default_factory=list)
    changed_institutions: list = field(default_factory=list)
    institution_fields: set = field(default_factory=set)
    new_mous: list = field(default_factory=list)
    changed_mous: list = field(default_factory=list)
    mou_fields: set = field(default_factory=set)
    new_contacts: list = field(default_factory=list)
    changed_contacts: list = field(default_factory=list)
    contact_fields: set = field(default_factory=set)
    changed_contact_ids: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    errors: ErrorList = field(default_factory=ErrorList)
    contact_label: str = ""  # translated once per import, not once per row
    now: object = None  # updated_at of every changed row: one import, one moment
    folded_words: dict = field(default_factory=dict)

    def search_text(self, obj: dict) -> str:
        """Institution.search_text (partners.models.institution_search_text), each distinct
        word folded once: names share most of their words."""
        return institution_search_text(
            obj["name"], obj.get("native_name", ""), obj.get("acronym", ""), fold_word=self.fold
        )

    def fold(self, word: str) -> str:
        """fold_for_search of one word, memoised; an ASCII word only needs lower()."""
        folded = self.folded_words.get(word)
        if folded is None:
            folded = word.lower() if word.isascii() else fold_for_search(word)
            self.folded_words[word] = folded
        return folded


_INST_FIELD_OF = {"institution_notes": "notes"}  # column key -> model field when they differ
_INST_COLUMN_OF = {v: k for k, v in _INST_FIELD_OF.items()}


def _label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label) if key in COLUMN_BY_KEY else key


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def merge_institutions(rows: list[ParsedRow], written: dict, plan: Plan) -> None:
    """One plan per institution; two rows giving different values for it is an error."""
    for parsed in rows:
        plan_ = plan.institutions.get(parsed.inst_key)
        if plan_ is None:
            plan_ = plan.institutions[parsed.inst_key] = InstitutionPlan(
                key=parsed.inst_key,
                first_row=parsed.row,
                name=parsed.name,
                country=parsed.country,
                fields=dict.fromkeys(parsed.inst, ""),
                rows_of_field={},
            )
        plan_.spellings.add(parsed.name)
        for key, value in parsed.inst.items():
            if not value:
                continue
            current = plan_.fields.get(key, "")
            if not current:
                plan_.fields[key] = value
                plan_.rows_of_field[key] = parsed.row
            elif current != value:
                plan.errors.add(
                    parsed.row,
                    written[key],
                    _g(
                        '"%(value)s" differs from "%(other)s" given on row %(row)s '
                        "for the same institution"
                    )
                    % {
                        "value": clip(value),
                        "other": clip(current),
                        "row": plan_.rows_of_field[key],
                    },
                    "institution_conflict",
                )


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_import(
    rows: list[ParsedRow], written: dict, *, progress=None, errors: ErrorList | None = None
) -> Plan:
    """Everything the import would do, computed with a few queries per batch of rows. Its
    errors are added to `errors` (the parsing's, so one list counts them all) if given."""
    plan = Plan(contact_label=_g("contact"), now=timezone.now())
    if errors is not None:
        plan.errors = errors
    errors_before = plan.errors.total
    merge_institutions(rows, written, plan)
    seen_mous: dict = {}
    for parsed in rows:
        mou_key = (parsed.inst_key, parsed.mou["title"].lower(), parsed.mou.get("signed_on"))
        if mou_key in seen_mous:
            plan.errors.add(
                parsed.row,
                written["mou_title"],
                _g("the same MOU (institution, title and signing date) is already on row %(row)s")
                % {"row": seen_mous[mou_key]},
                "repeated_mou",
            )
        else:
            seen_mous[mou_key] = parsed.row
    if plan.errors.total > errors_before:
        return plan

    done = 0
    for batch in chunks(rows, BATCH_SIZE):
        _plan_batch(batch, written, plan)
        done += len(batch)
        if progress:
            progress(done, len(rows) * 2)
    return plan


def _plan_batch(batch: list[ParsedRow], written: dict, plan: Plan) -> None:
    # Institutions of this batch not planned yet: one query.
    fresh = [
        plan.institutions[k]
        for k in dict.fromkeys(p.inst_key for p in batch)
        if plan.institutions[k].obj is None
    ]
    if fresh:
        existing = {
            (i["name"].lower(), i["country"]): i
            for i in _existing_institutions(fresh).order_by().values(*INSTITUTION_VALUES)
        }
        for inst_plan in fresh:
            _plan_institution(inst_plan, existing.get(inst_plan.key), written, plan)

    existing_ids = {
        plan.institutions[p.inst_key].obj["id"]
        for p in batch
        if not plan.institutions[p.inst_key].is_new
    }
    mous, contacts = {}, {}
    if existing_ids:
        # order_by(): the models' default orderings would only make the database sort.
        for mou in (
            MOU.objects.filter(institution_id__in=existing_ids).order_by().values(*MOU_VALUES)
        ):
            mous[(mou["institution_id"], mou["title"].lower(), mou["signed_on"])] = mou
        for contact in (
            Contact.objects.filter(institution_id__in=existing_ids)
            .order_by()
            .values(*CONTACT_VALUES)
        ):
            contacts.setdefault(contact["institution_id"], []).append(contact)
    for parsed in batch:
        _plan_row(parsed, mous, contacts, written, plan)


def _existing_institutions(fresh: list[InstitutionPlan]):
    """The stored institutions with the (lower-cased name, country) of these plans."""
    if connection.vendor == "postgresql":
        # Row-value IN over unnest() probes the unique (lower(name), country) index once per
        # pair; `lower(name) IN (...) AND country IN (...)` makes PostgreSQL scan the table.
        names, countries = zip(*(p.key for p in fresh), strict=True)
        return Institution.objects.extra(
            where=["(lower(name), country) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"],
            params=[list(names), list(countries)],
        )
    # Lower() is what the unique constraint (and its index) uses. SQLite's lower() only
    # folds ASCII, so there the exact spellings from the file are looked up as well.
    match = Q(lname__in={p.key[0] for p in fresh})
    if connection.vendor == "sqlite":
        match |= Q(name__in={s for p in fresh for s in p.spellings})
    return Institution.objects.annotate(lname=Lower("name")).filter(
        match, country__in={p.key[1] for p in fresh}
    )


def _plan_institution(inst_plan, existing, written, plan):
    fields = {_INST_FIELD_OF.get(k, k): v for k, v in inst_plan.fields.items()}
    if existing is None:
        if not fields.get("kind"):
            plan.errors.add(
                inst_plan.first_row,
                written.get("kind") or _label("kind"),
                _g("is required for a new institution"),
                "required_new_institution",
            )
        obj = {"name": inst_plan.name, "country": inst_plan.country, **fields}
        obj["search_text"] = plan.search_text(obj)
        obj["name_sort_key"] = institution_name_sort_key(obj["name"])
        inst_plan.obj, inst_plan.is_new = obj, True
        plan.new_institutions.append(obj)
        return
    inst_plan.obj = existing
    for name, value in fields.items():
        if name == "kind" and not value:
            continue  # an empty kind keeps the institution's kind
        old = existing[name]
        if old != value:
            inst_plan.changes.append(
                (_label(_INST_COLUMN_OF.get(name, name)), _show(old), _show(value))
            )
            existing[name] = value
            plan.institution_fields.add(name)
    if inst_plan.changes:
        existing["search_text"] = plan.search_text(existing)
        existing["name_sort_key"] = institution_name_sort_key(existing["name"])
        existing["updated_at"] = plan.now
        plan.changed_institutions.append(existing)


_MOU_LABELS = {
    "title": "mou_title",
    "academy_unit": "academy_unit",
    "status": "status",
    "signed_on": "signed_on",
    "effective_from": "effective_from",
    "expires_on": "expires_on",
    "areas_of_cooperation": "areas",
    "notes": "notes",
}
_CHOICE_FIELDS = ("status", "academy_unit")


def _plan_row(parsed: ParsedRow, mous: dict, contacts: dict, written: dict, plan: Plan):
    inst_plan = plan.institutions[parsed.inst_key]
    inst = inst_plan.obj
    result = RowResult(
        parsed.row,
        "unchanged",
        inst["name"],
        parsed.mou["title"],
        inst=inst,
        contact=parsed.contact,
    )
    if inst_plan.first_row == parsed.row:
        result.changes += inst_plan.changes
    mou_fields = parsed.mou
    existing = (
        None
        if inst_plan.is_new
        else mous.get((inst["id"], mou_fields["title"].lower(), mou_fields.get("signed_on")))
    )
    if existing is None:
        if not mou_fields["academy_unit"]:
            plan.errors.add(
                parsed.row,
                written.get("academy_unit") or _label("academy_unit"),
                _g("is required for a new MOU"),
                "required_new_mou",
            )
        # The row's own dict becomes the new MOU: it is read nowhere else from here on.
        mou_fields["status"] = mou_fields["status"] or MOU.Status.DRAFT
        mou_fields["institution"] = inst
        plan.new_mous.append(mou_fields)
        result.outcome, result.mou = "new", mou_fields
    else:
        result.mou = existing
        mou_changed = False
        for name, value in mou_fields.items():
            if name in _CHOICE_FIELDS and not value:
                continue  # empty keeps what the MOU has
            if name == "title" and existing["title"].lower() == value.lower():
                continue
            old = existing[name]
            if old != value:
                label = _label(_MOU_LABELS[name])
                if name in _CHOICE_FIELDS:
                    choices = dict(MOU._meta.get_field(name).choices)
                    result.changes.append((label, str(choices.get(old, old)), str(choices[value])))
                else:
                    result.changes.append((label, _show(old), _show(value)))
                existing[name] = value
                plan.mou_fields.add(name)
                mou_changed = True
        if mou_changed:
            existing["updated_at"] = plan.now
            plan.changed_mous.append(existing)
    if parsed.contact:
        result.changes += _plan_contact(parsed, inst_plan, contacts, plan)
    if result.outcome == "unchanged" and result.changes:
        result.outcome = "updated"
    plan.rows.append(result)


def _plan_contact(parsed: ParsedRow, inst_plan, contacts: dict, plan: Plan) -> list:
    wanted = parsed.contact
    if inst_plan.contact_pool is None:
        inst_plan.contact_pool = (
            [] if inst_plan.is_new else list(contacts.get(inst_plan.obj["id"], []))
        )
    pool = inst_plan.contact_pool
    match = None
    email, name_key = wanted.get("email"), wanted["name"].lower()
    if email:
        for candidate in pool:
            candidate_email = candidate.get("email")
            if candidate_email and candidate_email.lower() == email:
                match = candidate
                break
    if match is None:
        for candidate in pool:
            if candidate["name"].lower() == name_key:
                match = candidate
                break
    if match is None:
        # The row's own dict becomes the new contact (a later row may still update it).
        wanted["institution"] = inst_plan.obj
        pool.append(wanted)
        plan.new_contacts.append(wanted)
        return [(plan.contact_label, "—", wanted["name"])]
    changes = []
    for name, value in wanted.items():
        if name == "institution" or (name != "name" and not value):
            continue  # another row of the same institution may leave the contact's email empty
        old = match.get(name, "")  # a contact new in this file may lack a column
        if (old or "") != value:
            changes.append((str(_label(f"contact_{name}")), _show(old), _show(value)))
            match[name] = value
            plan.contact_fields.add(name)
    match_id = match.get("id")
    if changes and match_id and match_id not in plan.changed_contact_ids:
        plan.changed_contact_ids.add(match_id)
        plan.changed_contacts.append(match)
    return changes

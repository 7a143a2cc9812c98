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
from partners.models import MOU, Contact, Institution

from .columns import COLUMN_BY_KEY
from .errors import RowError
from .parsing import ParsedRow

BATCH_SIZE = 1000


@dataclass
class RowResult:
    row: int
    outcome: str  # new / updated / unchanged / error
    institution: str
    mou_title: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)


@dataclass
class InstitutionPlan:
    key: tuple[str, str]
    first_row: int
    name: str
    country: str
    fields: dict  # merged non-empty values by field; "" when every row left it empty
    rows_of_field: dict  # field -> the row that set it (to report conflicts)
    obj: Institution | None = None
    is_new: bool = False
    changes: list = field(default_factory=list)
    contact_pool: list | None = None  # its contacts, existing and new, once a row needs them
    spellings: set = field(default_factory=set)


@dataclass
class Plan:
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
    errors: list = field(default_factory=list)
    contact_label: str = ""  # translated once per import, not once per row
    builders: dict = field(default_factory=dict)

    def build(self, model, **values):
        if model not in self.builders:
            self.builders[model] = InstanceBuilder(model)
        return self.builders[model](**values)


class InstanceBuilder:
    """New unsaved instances through Model.__init__'s positional fast path: the keyword path
    costs about three times as much, and an import builds tens of thousands of instances."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.per_instance = [
            i for i, f in enumerate(fields) if f.has_default() and callable(f.default)
        ]
        self.fields = fields
        self.position = {f.name: i for i, f in enumerate(fields)}
        self.position.update({f.attname: i for i, f in enumerate(fields)})

    def __call__(self, **values):
        args = list(self.defaults)
        for i in self.per_instance:
            args[i] = self.fields[i].get_default()
        for name, value in values.items():
            args[self.position[name]] = value
        return self.model(*args)


_INST_FIELD_OF = {"notes": "notes"}  # column key -> model field when they differ


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
                plan.errors.append(
                    RowError(
                        parsed.row,
                        written[key],
                        _g(
                            '"%(value)s" differs from "%(other)s" given on row %(row)s '
                            "for the same institution"
                        )
                        % {"value": value, "other": current, "row": plan_.rows_of_field[key]},
                    )
                )


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_import(rows: list[ParsedRow], written: dict, *, progress=None) -> Plan:
    """Everything the import would do, computed with a few queries per batch of rows."""
    plan = Plan(contact_label=_g("contact"))
    merge_institutions(rows, written, plan)
    seen_mous: dict = {}
    for parsed in rows:
        mou_key = (parsed.inst_key, parsed.mou["title"].lower(), parsed.mou.get("signed_on"))
        if mou_key in seen_mous:
            plan.errors.append(
                RowError(
                    parsed.row,
                    written["mou_title"],
                    _g(
                        "the same MOU (institution, title and signing date) is already "
                        "on row %(row)s"
                    )
                    % {"row": seen_mous[mou_key]},
                )
            )
        else:
            seen_mous[mou_key] = parsed.row
    if plan.errors:
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
        # Lower() is what the unique constraint (and its index) uses. SQLite's lower() only
        # folds ASCII, so there the exact spellings from the file are looked up as well.
        match = Q(lname__in={p.key[0] for p in fresh})
        if connection.vendor == "sqlite":
            match |= Q(name__in={s for p in fresh for s in p.spellings})
        existing = {
            (i.name.lower(), i.country.code): i
            for i in Institution.objects.annotate(lname=Lower("name")).filter(
                match, country__in={p.key[1] for p in fresh}
            )
        }
        for inst_plan in fresh:
            _plan_institution(inst_plan, existing.get(inst_plan.key), written, plan)

    existing_ids = {
        plan.institutions[p.inst_key].obj.pk
        for p in batch
        if not plan.institutions[p.inst_key].is_new
    }
    mous, contacts = {}, {}
    if existing_ids:
        for mou in MOU.objects.filter(institution_id__in=existing_ids):
            mous[(mou.institution_id, mou.title.lower(), mou.signed_on)] = mou
        for contact in Contact.objects.filter(institution_id__in=existing_ids):
            contacts.setdefault(contact.institution_id, []).append(contact)
    for parsed in batch:
        _plan_row(parsed, mous, contacts, written, plan)


def _plan_institution(inst_plan, existing, written, plan):
    fields = {_INST_FIELD_OF.get(k, k): v for k, v in inst_plan.fields.items()}
    if existing is None:
        if not fields.get("kind"):
            plan.errors.append(
                RowError(
                    inst_plan.first_row,
                    written.get("kind") or _label("kind"),
                    _g("is required for a new institution"),
                )
            )
        obj = plan.build(Institution, name=inst_plan.name, country=inst_plan.country, **fields)
        obj.search_text = fold_for_search(f"{obj.name} {obj.native_name} {obj.acronym}")
        inst_plan.obj, inst_plan.is_new = obj, True
        plan.new_institutions.append(obj)
        return
    inst_plan.obj = existing
    for name, value in fields.items():
        if name == "kind" and not value:
            continue  # an empty kind keeps the institution's kind
        old = getattr(existing, name)
        if old != value:
            inst_plan.changes.append((_label(name), _show(old), _show(value)))
            setattr(existing, name, value)
            plan.institution_fields.add(name)
    if inst_plan.changes:
        existing.search_text = fold_for_search(
            f"{existing.name} {existing.native_name} {existing.acronym}"
        )
        existing.updated_at = timezone.now()
        plan.changed_institutions.append(existing)


_MOU_LABELS = {
    "title": "mou_title",
    "academy_unit": "academy_unit",
    "status": "status",
    "signed_on": "signed_on",
    "effective_from": "effective_from",
    "expires_on": "expires_on",
    "areas_of_cooperation": "areas",
}


def _plan_row(parsed: ParsedRow, mous: dict, contacts: dict, written: dict, plan: Plan):
    inst_plan = plan.institutions[parsed.inst_key]
    inst = inst_plan.obj
    result = RowResult(parsed.row, "unchanged", inst.name, parsed.mou["title"])
    if inst_plan.first_row == parsed.row:
        result.changes += inst_plan.changes
    mou_fields = dict(parsed.mou)
    key = (
        None if inst_plan.is_new else inst.pk,
        mou_fields["title"].lower(),
        mou_fields.get("signed_on"),
    )
    existing = None if inst_plan.is_new else mous.get(key)
    if existing is None:
        if not mou_fields["academy_unit"]:
            plan.errors.append(
                RowError(
                    parsed.row,
                    written.get("academy_unit") or _label("academy_unit"),
                    _g("is required for a new MOU"),
                )
            )
        mou_fields["status"] = mou_fields["status"] or MOU.Status.DRAFT
        mou = plan.build(MOU, **mou_fields)
        mou.institution = inst
        plan.new_mous.append(mou)
        result.outcome = "new"
    else:
        mou_changed = False
        for name, value in mou_fields.items():
            if name in ("academy_unit", "status") and not value:
                continue  # empty keeps what the MOU has
            if name == "title" and existing.title.lower() == value.lower():
                continue
            old = getattr(existing, name)
            if old != value:
                label = _label(_MOU_LABELS[name])
                if name in ("status", "academy_unit"):
                    choices = dict(MOU._meta.get_field(name).choices)
                    result.changes.append((label, str(choices.get(old, old)), str(choices[value])))
                else:
                    result.changes.append((label, _show(old), _show(value)))
                setattr(existing, name, value)
                plan.mou_fields.add(name)
                mou_changed = True
        if mou_changed:
            existing.updated_at = timezone.now()
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
            [] if inst_plan.is_new else list(contacts.get(inst_plan.obj.pk, []))
        )
    pool = inst_plan.contact_pool
    match = None
    email, name_key = wanted.get("email"), wanted["name"].lower()
    if email:
        for candidate in pool:
            if candidate.email and candidate.email.lower() == email:
                match = candidate
                break
    if match is None:
        for candidate in pool:
            if candidate.name.lower() == name_key:
                match = candidate
                break
    if match is None:
        contact = plan.build(Contact, **wanted)
        contact.institution = inst_plan.obj
        pool.append(contact)
        plan.new_contacts.append(contact)
        return [(plan.contact_label, "—", wanted["name"])]
    changes = []
    for name, value in wanted.items():
        if name != "name" and not value:
            continue  # another row of the same institution may leave the contact's email empty
        old = getattr(match, name)
        if (old or "") != value:
            changes.append((str(_label(f"contact_{name}")), _show(old), _show(value)))
            setattr(match, name, value)
            plan.contact_fields.add(name)
    if changes and match.pk and match.pk not in plan.changed_contact_ids:
        plan.changed_contact_ids.add(match.pk)
        plan.changed_contacts.append(match)
    return changes

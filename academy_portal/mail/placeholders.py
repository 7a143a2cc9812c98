"""Personal parts of an email, kept out of the outbox: stored as markers, filled in when sent.

Every staff role can read the outbox, and a database dump holds it too. So what only the
recipient may hold (a personal RSVP link: whoever has it answers for the expert) and what only
some staff may read (passport, diet, accessibility, travel: `core.privacy`) is never stored.
The app that renders the email puts a marker in its place (`link_marker("rsvp_link")`,
`detail_marker("dietary_needs")`); the app that owns the row's related object registers a
resolver (in its AppConfig.ready: the mail layer imports no app above it) that gives the
current values when the email is sent. Delivery fills them in just before the SMTP hand-off;
a marker that cannot be filled stops that email (see services/delivery.py), it never goes out
with a broken or missing link.

A resolver: ``resolve(*, object_ids, names, language) -> {object_id: {name: value}}``, the
values as plain text in `language`; a name missing from an object's dict cannot be resolved.

Attachments follow the same rule: a file that holds personal data (a visa support letter with
the passport name) is queued as a `GeneratedAttachment`, a name and a MIME type only; the app
registers an attachment builder (`register_attachment_builder`) that makes the bytes from the
row's related object when the email is sent. When it cannot (the data was erased), the email is
not sent.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from academy_portal.core.privacy import WITHHELD

LINK = "link"
DETAIL = "detail"
MARKER_START = "[[outbox:"
# Letters, digits, colons and brackets only: HTML escaping and urlize leave a marker intact.
MARKER_RE = re.compile(r"\[\[outbox:(link|detail):([a-z][a-z0-9_]{0,49})\]\]")

# What staff reading the outbox see in place of a marker.
LINK_LABEL = _("[personal link, added when sent]")
UNAVAILABLE_LABEL = _("[no longer available]")


class Resolver(Protocol):
    def __call__(
        self, *, object_ids: list[int], names: set[str], language: str
    ) -> Mapping[int, Mapping[str, str]]: ...


_RESOLVERS: dict[str, Resolver] = {}


class UnresolvedPlaceholders(Exception):
    """Markers of a row that cannot be filled in now (link revoked, object gone ...)."""

    def __init__(self, names: Iterable[str]):
        self.names = sorted(set(names))
        super().__init__(", ".join(self.names))


def link_marker(name: str) -> str:
    """Stands for a personal link (an HTML link when sent); e.g. ``link_marker("rsvp_link")``."""
    return _marker(LINK, name)


def detail_marker(name: str) -> str:
    """Stands for a personal detail only some staff may read, filled in when sent."""
    return _marker(DETAIL, name)


def _marker(kind: str, name: str) -> str:
    marker = f"{MARKER_START}{kind}:{name}]]"
    if not MARKER_RE.fullmatch(marker):
        raise ValueError(f"Invalid placeholder name {name!r}")
    return marker


def neutralize_markers(value: str) -> str:
    """Text typed by someone (an expert's answer) can never pose as a marker."""
    return value.replace(MARKER_START, "[[outbox\u200b:") if MARKER_START in value else value


def register_resolver(model_label: str, resolver: Resolver) -> None:
    """`resolver` fills in the markers of rows related to objects of `model_label` (app.model)."""
    _RESOLVERS[model_label.lower()] = resolver


def markers_in(*texts: str) -> dict[str, str]:
    """{name: kind} of the markers in these texts."""
    found = {}
    for text in texts:
        if text and MARKER_START in text:
            found.update((name, kind) for kind, name in MARKER_RE.findall(text))
    return found


def message_markers(message) -> dict[str, str]:
    return markers_in(message.subject, message.text_body, message.html_body)


def resolve_messages(messages: Iterable, *, kinds: Iterable[str] = (LINK, DETAIL)) -> dict:
    """{message pk: {name: value}} for the markers (of `kinds`) of these outbox rows.

    One resolver call per related type and language, so a batch of invitations costs one
    query. A row whose related object has no resolver gets no values (its markers stay
    unresolved)."""
    kinds = set(kinds)
    groups = defaultdict(list)
    for message in messages:
        names = {name for name, kind in message_markers(message).items() if kind in kinds}
        if names and message.related_content_type_id and message.related_object_id:
            key = (message.related_content_type_id, message.language)
            groups[key].append((message, names))
    values = {}
    for (type_id, language), items in groups.items():
        content_type = ContentType.objects.get_for_id(type_id)  # cached per process
        resolver = _RESOLVERS.get(f"{content_type.app_label}.{content_type.model}")
        if resolver is None:
            continue
        resolved = resolver(
            object_ids=sorted({m.related_object_id for m, _names in items}),
            names=set().union(*(names for _m, names in items)),
            language=language,
        )
        for message, _names in items:
            values[message.pk] = dict(resolved.get(message.related_object_id, {}))
    return values


def fill_markers(text: str, values: Mapping[str, str], *, html: bool = False) -> str:
    """`text` with every marker replaced by its value; UnresolvedPlaceholders if one has none.

    In HTML a value is escaped and a link made clickable. One pass: a value is never scanned
    for markers itself."""
    if not text or MARKER_START not in text:
        return text
    missing = []

    def replace(match):
        kind, name = match.groups()
        value = values.get(name)
        if value is None:
            missing.append(name)
            return ""
        if not html:
            return value
        if kind == LINK:
            return format_html('<a href="{}">{}</a>', value, value)
        return escape(value).replace("\n", "<br>")

    filled = MARKER_RE.sub(replace, text)
    if missing:
        raise UnresolvedPlaceholders(missing)
    return filled


def shown_to_staff(text: str, *, details: Mapping[str, str] | None = None) -> str:
    """What a staff member reading the outbox sees: never a link; a detail only if `details`
    holds it (the reader may read personal details), else that it was given.

    Plain text: the caller escapes it when showing an HTML body as source."""
    if not text or MARKER_START not in text:
        return text

    def replace(match):
        kind, name = match.groups()
        if kind == LINK:
            return str(LINK_LABEL)
        if details is None:
            return f"[{WITHHELD}]"
        value = details.get(name)
        return str(UNAVAILABLE_LABEL) if value is None else value

    return MARKER_RE.sub(replace, text)


# --- attachments made when sent -------------------------------------------------------------


class AttachmentBuilder(Protocol):
    def __call__(self, *, object_id: int, language: str) -> bytes | None: ...


_ATTACHMENT_BUILDERS: dict[str, AttachmentBuilder] = {}


@dataclass(frozen=True)
class GeneratedAttachment:
    """An attachment queued by name: `generator` makes its bytes from the row's related object
    when the email is sent (queue_email needs `related=` for it)."""

    filename: str
    mimetype: str
    generator: str


class UnavailableAttachment(Exception):
    """A generated attachment that cannot be made now (its data erased, its object gone)."""

    def __init__(self, filename: str):
        self.filename = filename
        super().__init__(filename)


def register_attachment_builder(generator: str, builder: AttachmentBuilder) -> None:
    """`builder(*, object_id, language)` makes the bytes of attachments named `generator`,
    or returns None when it cannot."""
    _ATTACHMENT_BUILDERS[generator] = builder


def build_generated_attachment(
    generator: str, *, filename: str, object_id: int | None, language: str
) -> bytes:
    """The bytes of a generated attachment; UnavailableAttachment when they cannot be made."""
    builder = _ATTACHMENT_BUILDERS.get(generator)
    content = None
    if builder is not None and object_id is not None:
        content = builder(object_id=object_id, language=language)
    if not content:
        raise UnavailableAttachment(filename)
    return content


# --- whole emails written when sent ---------------------------------------------------------


@dataclass(frozen=True)
class WrittenEmail:
    """What a content writer gives: the row's subject, bodies (markers allowed, as for any row)
    and attachments (stored files or GeneratedAttachments)."""

    subject: str
    text_body: str
    html_body: str = ""
    attachments: tuple = ()


class ContentWriter(Protocol):
    def __call__(self, *, object_id: int, language: str, args: Mapping) -> WrittenEmail | None: ...


_CONTENT_WRITERS: dict[str, ContentWriter] = {}


class UnwritableEmail(Exception):
    """An email queued to be written when sent whose writer cannot write it (object gone)."""

    def __init__(self, writer: str):
        self.writer = writer
        super().__init__(writer)


def register_content_writer(name: str, writer: ContentWriter) -> None:
    """`writer(*, object_id, language, args)` writes the emails queued with `writer=name`: an
    answer is saved without rendering its email, the worker renders it just before sending.
    `args` are the row's `writer_args` (what must be as at queueing time, e.g. the answer's
    version); None when it cannot write it."""
    _CONTENT_WRITERS[name] = writer


def write_email(name: str, *, object_id: int | None, language: str, args: Mapping) -> WrittenEmail:
    """The email a registered writer writes now; UnwritableEmail when it cannot."""
    writer = _CONTENT_WRITERS.get(name)
    written = None
    if writer is not None and object_id is not None:
        written = writer(object_id=object_id, language=language, args=args)
    if written is None:
        raise UnwritableEmail(name)
    return written

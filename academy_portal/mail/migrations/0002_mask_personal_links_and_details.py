"""Existing outbox rows: personal RSVP links and personal details become markers.

Rows queued before the outbox stored markers hold working RSVP links (every staff role could
copy one and answer for an expert) and the expert's passport, diet, accessibility and travel
details. This rewrites them as new rows are stored: a link (bare, or an HTML <a> around it)
becomes the `rsvp_link` marker, a detail line of the answer summary or of the staff's answer
notice (English or Vietnamese labels) keeps its label and loses its value. A queued row gets
the current link and details when it is sent, like any new row.

A row with a link but no related object is tied to its invitation through the token's sha256,
the only form of the token the database keeps (raw SQL: the mail app imports no forums code).
Not reversible: the links and details are not kept anywhere to put back.
"""

import hashlib
import re

from django.db import migrations

LINK = "[[outbox:link:rsvp_link]]"

# An <a> whose target is an RSVP link (urlize's output), then any bare RSVP URL.
ANCHOR_RE = re.compile(r"<a\s[^>]*href=\"[^\"]*/rsvp/[^\"]*\"[^>]*>.*?</a>", re.DOTALL)
URL_RE = re.compile(r"(?:https?://[^\s\"'<>/]+)?/rsvp/(?P<token>[A-Za-z0-9_-]{1,128})/?")

# answer_summary's labels (forums/services/emails.py) in both languages, by marker name.
DETAIL_LABELS = {
    "arrival_date": ("Arrival", "Ngày đến"),
    "departure_date": ("Departure", "Ngày về"),
    "passport": ("Passport", "Hộ chiếu"),
    "dietary_needs": ("Dietary needs", "Yêu cầu về ăn uống"),
    "accessibility_needs": ("Accessibility needs", "Nhu cầu hỗ trợ tiếp cận"),
    "accompanying_person": ("Accompanying person", "Người đi cùng"),
}
NOTICE_DETAILS = ("dietary_needs", "accessibility_needs")  # what the answer notice showed


def _label_pattern(labels):
    return "|".join(re.escape(label) for label in labels)


# "- Label: value" lines of the answer summary, in text and in the HTML made of it.
SUMMARY_TEXT_RES = [
    (name, re.compile(rf"(^|\n)(- (?:{_label_pattern(labels)}): )[^\n]*"))
    for name, labels in DETAIL_LABELS.items()
]
SUMMARY_HTML_RES = [
    (name, re.compile(rf"(^|\n|<br>|<p>)(- (?:{_label_pattern(labels)}): )[^\n<]*"))
    for name, labels in DETAIL_LABELS.items()
]
# The staff's answer notice: "Label: value" lines and <th>Label</th><td>value</td> cells.
NOTICE_TEXT_RES = [
    (name, re.compile(rf"(^|\n)((?:{_label_pattern(DETAIL_LABELS[name])}): )[^\n]*"))
    for name in NOTICE_DETAILS
]
NOTICE_HTML_RES = [
    (
        name,
        re.compile(
            rf"(<th scope=\"row\">(?:{_label_pattern(DETAIL_LABELS[name])})</th><td>)"
            r"[^<]*(</td>)"
        ),
    )
    for name in NOTICE_DETAILS
]


def mask_links(text: str, tokens: list[str]) -> str:
    if not text or "/rsvp/" not in text:
        return text
    text = ANCHOR_RE.sub(LINK, text)

    def replace(match):
        tokens.append(match.group("token"))
        return LINK

    return URL_RE.sub(replace, text)


def mask_details(text: str, *, notice: bool, html: bool) -> str:
    if not text:
        return text
    for name, regex in SUMMARY_HTML_RES if html else SUMMARY_TEXT_RES:
        text = regex.sub(
            lambda m, name=name: f"{m.group(1)}{m.group(2)}[[outbox:detail:{name}]]", text
        )
    if notice:
        for name, regex in NOTICE_HTML_RES if html else NOTICE_TEXT_RES:
            text = regex.sub(
                lambda m, name=name: (
                    f"{m.group(1)}[[outbox:detail:{name}]]{m.group(2)}"
                    if html
                    else f"{m.group(1)}{m.group(2)}[[outbox:detail:{name}]]"
                ),
                text,
            )
    return text


def invitation_by_token_hash(connection, token_hashes):
    """{sha256: invitation id} from the forums table, when it exists."""
    if not token_hashes or "forums_invitation" not in connection.introspection.table_names():
        return {}
    placeholders = ", ".join(["%s"] * len(token_hashes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT token_hash, id FROM forums_invitation WHERE token_hash IN ({placeholders})",
            list(token_hashes),
        )
        return dict(cursor.fetchall())


def mask_existing_rows(apps, schema_editor):
    OutboxMessage = apps.get_model("mail", "OutboxMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    invitation_type = ContentType.objects.filter(app_label="forums", model="invitation").first()
    changed = []
    fields = ["subject", "text_body", "html_body", "related_content_type", "related_object_id"]
    rows = OutboxMessage.objects.only("pk", *fields).order_by("pk")
    for row in rows.iterator(chunk_size=500):
        tokens = []
        notice = row.kind == "rsvp_answer_notice"
        subject = mask_links(row.subject, tokens)
        text = mask_details(mask_links(row.text_body, tokens), notice=notice, html=False)
        html = mask_details(mask_links(row.html_body, tokens), notice=notice, html=True)
        if (subject, text, html) == (row.subject, row.text_body, row.html_body):
            continue
        row.subject, row.text_body, row.html_body = subject, text, html
        if tokens and row.related_object_id is None and invitation_type is not None:
            hashes = {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
            found = set(invitation_by_token_hash(schema_editor.connection, hashes).values())
            if len(found) == 1:
                row.related_content_type_id = invitation_type.pk
                row.related_object_id = found.pop()
        changed.append(row)
        if len(changed) >= 500:
            OutboxMessage.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        OutboxMessage.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(mask_existing_rows, migrations.RunPython.noop, elidable=True),
    ]

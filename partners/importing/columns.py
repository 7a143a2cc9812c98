"""The columns of the flat partner file and the headers (English or Vietnamese) that name them.

Headers match ignoring case, spacing, underscores and Vietnamese diacritics, so "Tên cơ quan",
"TEN CO QUAN" and "ten_co_quan" are one column. docs/import.md lists the same headers.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from academy_portal.core.text import fold_for_search


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translatable label, used in messages and exports
    headers: tuple[str, ...]  # the first one is the English header written by exports


COLUMNS: tuple[Column, ...] = (
    Column(
        "institution_name",
        _("institution name"),
        (
            "Institution name",
            "Institution",
            "Partner",
            "Partner name",
            "Tên cơ quan",
            "Tên tổ chức",
            "Tên đối tác",
            "Cơ quan",
            "Đối tác",
        ),
    ),
    Column(
        "native_name",
        _("native name"),
        (
            "Native name",
            "Native-language name",
            "Local name",
            "Tên tiếng bản địa",
            "Tên bản địa",
            "Tên gốc",
        ),
    ),
    Column("acronym", _("acronym"), ("Acronym", "Abbreviation", "Tên viết tắt", "Viết tắt")),
    Column(
        "kind", _("kind"), ("Kind", "Type", "Institution type", "Loại", "Loại hình", "Loại cơ quan")
    ),
    Column("country", _("country"), ("Country", "Quốc gia", "Nước")),
    Column("city", _("city"), ("City", "Thành phố")),
    Column("website", _("website"), ("Website", "Web", "Trang web", "Trang thông tin điện tử")),
    Column(
        "contact_name",
        _("contact name"),
        ("Contact name", "Contact", "Người liên hệ", "Tên người liên hệ"),
    ),
    Column(
        "contact_position",
        _("contact position"),
        ("Contact position", "Position", "Chức vụ", "Chức vụ người liên hệ"),
    ),
    Column(
        "contact_email",
        _("contact email"),
        ("Contact email", "Email", "E-mail", "Email người liên hệ", "Thư điện tử"),
    ),
    Column(
        "mou_title",
        _("MOU title"),
        ("MOU title", "MOU", "Title", "Tên MOU", "Tên biên bản ghi nhớ", "Tên thỏa thuận"),
    ),
    Column(
        "academy_unit",
        _("academy unit"),
        ("Academy unit", "Unit", "Đơn vị", "Đơn vị phụ trách", "Đơn vị của Học viện"),
    ),
    Column("signed_on", _("signed on"), ("Signed on", "Signed", "Signing date", "Ngày ký")),
    Column(
        "effective_from",
        _("effective from"),
        ("Effective from", "Effective date", "Ngày hiệu lực", "Có hiệu lực từ"),
    ),
    Column(
        "expires_on",
        _("expires on"),
        ("Expires on", "Expiry date", "Expiry", "Ngày hết hạn", "Hết hạn"),
    ),
    Column("status", _("status"), ("Status", "Trạng thái", "Tình trạng")),
    Column(
        "areas",
        _("areas of cooperation"),
        ("Areas of cooperation", "Areas", "Lĩnh vực hợp tác", "Lĩnh vực"),
    ),
    # A row is one MOU, so its "Notes" are the MOU's; the institution's have their own header.
    Column("notes", _("notes"), ("Notes", "Remarks", "MOU notes", "Ghi chú", "Ghi chú MOU")),
    Column(
        "institution_notes",
        _("institution notes"),
        (
            "Institution notes",
            "Partner notes",
            "Ghi chú về cơ quan",
            "Ghi chú cơ quan",
            "Ghi chú về đối tác",
        ),
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_KEYS = ("institution_name", "country", "mou_title")
INSTITUTION_KEYS = ("native_name", "acronym", "kind", "city", "website", "institution_notes")
CONTACT_KEYS = ("contact_name", "contact_position", "contact_email")


def fold_header(text) -> str:
    return " ".join(fold_for_search(str(text or "")).replace("_", " ").replace("*", " ").split())


_HEADER_INDEX = {fold_header(h): c.key for c in COLUMNS for h in c.headers}


def column_for_header(header) -> str | None:
    return _HEADER_INDEX.get(fold_header(header))


def export_headers() -> list[str]:
    return [c.headers[0] for c in COLUMNS]

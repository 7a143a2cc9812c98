# ruff: noqa: RUF001 -- real names in the test data, en dashes included
"""Regenerate the real test files in this folder: `python tests/partners/files/make_files.py`.

The files are committed; this script documents exactly what bytes each one holds.
"""

import csv
import datetime as dt
import io
import random
import unicodedata
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

EN_HEADER = [
    "Institution name",
    "Native name",
    "Acronym",
    "Kind",
    "Country",
    "City",
    "Website",
    "Contact name",
    "Contact position",
    "Contact email",
    "MOU title",
    "Academy unit",
    "Signed on",
    "Effective from",
    "Expires on",
    "Status",
    "Areas of cooperation",
    "Notes",
]
VI_HEADER = [
    "Tên cơ quan",
    "Tên bản địa",
    "Tên viết tắt",
    "Loại hình",
    "Quốc gia",
    "Thành phố",
    "Trang web",
    "Người liên hệ",
    "Chức vụ",
    "Email người liên hệ",
    "Tên MOU",
    "Đơn vị phụ trách",
    "Ngày ký",
    "Ngày hiệu lực",
    "Ngày hết hạn",
    "Trạng thái",
    "Lĩnh vực hợp tác",
    "Ghi chú",
]

# 5 rows, 4 institutions (one with two MOUs), Vietnamese and other names.
ROWS = [
    [
        "Học viện Chính trị Quốc gia Hồ Chí Minh",
        "Học viện Chính trị Quốc gia Hồ Chí Minh",
        "HCMA",
        "University",
        "Viet Nam",
        "Hà Nội",
        "https://hcma.vn",
        "Nguyễn Thị Hương",
        "Phó Giám đốc",
        "huong@hcma.vn",
        "MOU on training cooperation",
        "Faculty of Diplomatic Training",
        "2023-03-15",
        "2023-04-01",
        "2028-03-14",
        "Active",
        "Training; Research exchange",
        "",
    ],
    [
        "ISEAS – Yusof Ishak Institute",
        "",
        "ISEAS",
        "Think tank",
        "SG",
        "Singapore",
        "https://www.iseas.edu.sg",
        "Tan Wei Ling",
        "Senior Fellow",
        "tan@iseas.edu.sg",
        "MOU on South China Sea studies",
        "East Sea Institute",
        "2022-06-01",
        "2022-06-01",
        "",
        "Active",
        "Maritime security; Joint conferences",
        "Open-ended MOU",
    ],
    [
        "ISEAS – Yusof Ishak Institute",
        "",
        "ISEAS",
        "Think tank",
        "Singapore",
        "Singapore",
        "https://www.iseas.edu.sg",
        "Tan Wei Ling",
        "Senior Fellow",
        "tan@iseas.edu.sg",
        "MOU on Mekong studies",
        "Institute for Strategic Studies",
        "2024-01-10",
        "2024-01-10",
        "2025-01-09",
        "Expired",
        "Mekong",
        "Open-ended MOU",
    ],
    [
        "Université de Genève",
        "",
        "UNIGE",
        "University",
        "Switzerland",
        "Genève",
        "https://www.unige.ch",
        "Zoë Müller",
        "Professeure",
        "zoe.muller@unige.ch",
        "Accord de coopération académique",
        "Department of International Cooperation",
        "2021-09-20",
        "2021-10-01",
        "2026-09-19",
        "Draft",
        "Law of the sea",
        "",
    ],
    [
        "Korea National Diplomatic Academy",
        "국립외교원",
        "KNDA",
        "Government research agency",
        "KR",
        "Seoul",
        "https://www.knda.go.kr",
        "Kim Min-jun",
        "Director",
        "mj.kim@knda.go.kr",
        "MOU on Track 2 dialogue",
        "Institute for Foreign Policy",
        "2020-11-05",
        "2020-11-05",
        "2025-11-04",
        "Terminated",
        "Track 2 diplomacy; Ocean Dialogue",
        "",
    ],
]


def day_first(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if iso else ""


def csv_text(header, rows, delimiter=",") -> str:

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def vi_rows():
    """The same rows with Vietnamese-looking values and day-first dates."""
    rows = []
    for row in ROWS:
        row = list(row)
        for i in (12, 13, 14):
            row[i] = day_first(row[i]).replace("/", "." if i == 13 else "/")
        rows.append(row)
    return rows


def write():
    (HERE / "valid_utf8.csv").write_bytes(csv_text(EN_HEADER, ROWS).encode("utf-8"))
    (HERE / "valid_utf8_bom_semicolon_vi.csv").write_bytes(
        b"\xef\xbb\xbf" + csv_text(VI_HEADER, vi_rows(), ";").encode("utf-8")
    )
    # Excel's "Unicode text": UTF-16 little-endian with BOM, tab-separated.
    (HERE / "valid_utf16_tab.txt").write_bytes(csv_text(EN_HEADER, ROWS, "\t").encode("utf-16"))

    # Windows-1258 stores Vietnamese tone marks as combining characters (decomposed).
    cp1258_rows = [
        [
            "Viện Nghiên cứu Đông Nam Á",
            "",
            "VNCDNA",
            "Think tank",
            "VN",
            "Thành phố Hồ Chí Minh",
            "",
            "Trần Văn Đức",
            "Viện trưởng",
            "duc@vncdna.vn",
            "Biên bản ghi nhớ về hợp tác nghiên cứu",
            "Viện Biển Đông",
            "01/02/2024",
            "01/02/2024",
            "31/01/2029",
            "Có hiệu lực",
            "Nghiên cứu biển; Đào tạo",
            "Ghi chú: đối tác lâu năm",
        ],
    ]
    text = csv_text(VI_HEADER, cp1258_rows)
    (HERE / "valid_cp1258.csv").write_bytes(to_cp1258(text))
    cp1252_rows = [
        [
            "Université Paris Cité",
            "",
            "UPC",
            "University",
            "France",
            "Paris",
            "",
            "Hélène Dubois",
            "Chargée de mission",
            "helene.dubois@u-paris.fr",
            "Accord-cadre de coopération",
            "Department of International Cooperation",
            "17.05.2024",
            "17.05.2024",
            "16.05.2029",
            "Active",
            "Droit international; Études asiatiques",
            "Naïve café",
        ],
        [
            "Stiftung Wissenschaft und Politik",
            "",
            "SWP",
            "Think tank",
            "DE",
            "Berlin",
            "",
            "Jürgen Groß",
            "Leiter",
            "",
            "Kooperationsvereinbarung",
            "Institute for Strategic Studies",
            "05/06/2024",
            "05/06/2024",
            "",
            "Active",
            "Sicherheitspolitik",
            "",
        ],
    ]
    (HERE / "valid_cp1252.csv").write_bytes(csv_text(EN_HEADER, cp1252_rows, ";").encode("cp1252"))

    # Several spellings of one institution: case, spaces, NFD vs NFC.
    name = "Đại học Quốc gia Hà Nội"
    dup_rows = [
        [
            name,
            "",
            "VNU",
            "University",
            "VN",
            "Hà Nội",
            "",
            "",
            "",
            "",
            "MOU A",
            "Faculty of Diplomatic Training",
            "2024-01-01",
            "",
            "",
            "Active",
            "",
            "",
        ],
        [
            "  ĐẠI HỌC QUỐC GIA HÀ NỘI ",
            "",
            "",
            "",
            "Vietnam",
            "",
            "",
            "",
            "",
            "",
            "MOU B",
            "Faculty of Diplomatic Training",
            "2024-02-01",
            "",
            "",
            "Active",
            "",
            "",
        ],
        [
            unicodedata.normalize("NFD", name),
            "",
            "",
            "",
            "vn",
            "",
            "",
            "",
            "",
            "",
            "MOU C",
            "Faculty of Diplomatic Training",
            "2024-03-01",
            "",
            "",
            "Draft",
            "",
            "",
        ],
    ]
    (HERE / "duplicates_one_institution.csv").write_bytes(
        csv_text(EN_HEADER, dup_rows).encode("utf-8")
    )

    good = ROWS[1]

    def with_(**changes):
        row = list(good)
        for index, value in changes.items():
            row[int(index[1:])] = value
        return row

    error_rows = [
        with_(c10="Row 2 fine"),  # row 2: fine
        with_(c10="Bad expiry", c14="31/02/2025"),  # row 3
        with_(c10="Month first", c12="05/17/2024"),  # row 4
        with_(c10="Bad country", c4="Atlantis"),  # row 5
        with_(c10="Bad status", c15="Pending"),  # row 6
        with_(c10=""),  # row 7: no title
        with_(c10="Expiry before signing", c12="2024-05-01", c14="2024-04-01"),  # row 8
        with_(c10="Row 2 fine"),  # row 9: duplicate of row 2
        with_(c10="Bad email", c9="not-an-email"),  # row 10
        with_(c10="Bad unit", c11="Ministry of Fun"),  # row 11
        with_(c10="Fine too"),  # row 12
        with_(c10="Two-digit year", c13="01/02/24"),  # row 13
        with_(c10="Expiring without date", c14="", c15="Expiring"),  # row 14
    ]
    (HERE / "errors.csv").write_bytes(csv_text(EN_HEADER, error_rows).encode("utf-8"))

    # .xlsx with real date cells, an Excel serial number and a text date.

    wb = Workbook()
    ws = wb.active
    ws.append(EN_HEADER)
    for row in ROWS:
        row = list(row)
        row[12] = dt.date.fromisoformat(row[12])
        row[13] = (dt.date.fromisoformat(row[13]) - dt.date(1899, 12, 30)).days  # serial
        row[14] = day_first(row[14])
        ws.append(row)
    wb.save(HERE / "valid.xlsx")

    # Hostile files.
    wb = Workbook()
    ws = wb.active
    ws.append(EN_HEADER)
    row = list(ROWS[0])
    ws.append(row)
    row = list(ROWS[1])
    row[0] = '=HYPERLINK("http://evil.example","click")'
    ws.append(row)
    wb.save(HERE / "hostile_formula.xlsx")

    (HERE / "hostile_wide.csv").write_bytes(
        (",".join(EN_HEADER) + "\r\n" + ",".join(["x"] * 100_000) + "\r\n").encode()
    )

    rnd = random.Random(7)
    (HERE / "hostile_binary.csv").write_bytes(bytes(rnd.randrange(256) for _ in range(4096)))
    (HERE / "hostile_unknown_encoding.csv").write_bytes(
        csv_text(EN_HEADER[:5], [["Caf\x81 \x8d", "", "", "Think tank", "FR"]]).encode("latin-1")
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    (HERE / "hostile_zipbomb.xlsx").write_bytes(bomb.getvalue())
    (HERE / "hostile_fake.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip file")


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 the way Vietnamese Windows writes it: base letters with circumflex, breve
    or horn precomposed, tone marks as separate combining characters."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
        out.append(base + "".join(p for p in parts if p in TONE_MARKS))
    return "".join(out).encode("cp1258")


if __name__ == "__main__":
    write()

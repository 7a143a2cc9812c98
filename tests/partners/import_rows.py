"""Build small import files in memory: one valid MOU row, with the columns a test overrides."""

from partners.importing.columns import export_headers


def csv_bytes(rows, header=None, *, delimiter=","):
    header = header or export_headers()
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def row(**values):
    base = {
        "Institution name": "ISEAS Yusof Ishak Institute",
        "Kind": "Think tank",
        "Country": "SG",
        "MOU title": "MOU on South China Sea studies",
        "Academy unit": "East Sea Institute",
        "Signed on": "01/06/2022",
        "Status": "Active",
    }
    base.update(values)
    return [base.get(h, "") for h in export_headers()]

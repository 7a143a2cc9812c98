"""Benchmark the partner import on PostgreSQL: ours vs django-import-export vs bare bulk_create.

    .venv/bin/python bench/import_partners.py [--rows 100000] [--baseline-rows 5000]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_import]

Creates and migrates its own database (never the portal's), generates N flat MOU rows
(Vietnamese and other names, ~1 MOU per institution, every tenth institution with two), then
measures in one run:
  (a) our import (read + validate + plan + upsert, one transaction) into an empty database,
      then the same file again with 10% of the rows changed; and a 1,000-row dry-run preview;
  (b) a plain django-import-export ModelResource with default settings on the same rows
      (fewer rows: it saves one row at a time);
  (c) bulk_create of the same rows with no validation at all.
The file-size limit is lifted for the run: 100,000 rows are ~20 MB, over the 10 MB upload cap.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
GIVEN = ["Thị Hương", "Văn Đức", "Minh Anh", "Quốc Bảo", "Thu Trang", "Hữu Phước", "Ngọc Ánh"]
VI_PREFIX = ["Viện Nghiên cứu", "Trường Đại học", "Học viện", "Trung tâm Nghiên cứu"]
VI_TOPIC = ["Biển Đông", "Chiến lược", "Quan hệ Quốc tế", "Kinh tế Đối ngoại", "Đông Nam Á"]
OTHER = [
    ("Institute of Maritime Studies", "SG", "Tan Wei Ling"),
    ("Centre for Strategic Studies", "AU", "Olivia Smith"),
    ("Université de Recherche", "FR", "Hélène Dubois"),
    ("Stiftung für Politik", "DE", "Jürgen Groß"),
    ("Korea Institute for Ocean Affairs", "KR", "Kim Min-jun"),
    ("Institute of Southeast Asian Affairs", "JP", "Sato Haruki"),
]
KINDS = ["Think tank", "University", "Government research agency", "NGO"]
UNITS = ["East Sea Institute", "Institute for Strategic Studies", "Institute for Foreign Policy"]
STATUSES = ["Active", "Active", "Active", "Expired", "Draft", "Terminated"]


def generate(n: int, *, seed: int = 2026) -> list[list[str]]:

    from partners.importing.columns import export_headers

    rnd = random.Random(seed)
    rows = [export_headers()]
    institution = -1
    for i in range(n):
        if i % 10 != 1:  # every tenth institution signs a second MOU on the next row
            institution += 1
        j = institution
        rnd_j = random.Random(j)
        if j % 2 == 0:
            name = f"{rnd_j.choice(VI_PREFIX)} {rnd_j.choice(VI_TOPIC)} số {j}"
            country, city = "Viet Nam", rnd_j.choice(["Hà Nội", "Thành phố Hồ Chí Minh", "Huế"])
            contact = f"{rnd_j.choice(FAMILY)} {rnd_j.choice(GIVEN)}"
        else:
            base, country, contact = rnd_j.choice(OTHER)
            name, city = f"{base} {j}", ""
        year = 2015 + rnd.randrange(10)
        signed = f"{rnd.randrange(1, 29):02d}/{rnd.randrange(1, 13):02d}/{year}"
        expires = "" if i % 7 == 0 else f"{signed[:6]}{year + 5}"
        rows.append(
            [
                name, "", f"P{j}", rnd_j.choice(KINDS), country, city,
                f"https://partner{j}.example.org", contact, "Director", f"c{j}@partner.example",
                f"MOU {i} on cooperation", rnd.choice(UNITS), signed, signed, expires,
                rnd.choice(STATUSES), "Maritime security; Training", "",
            ]
        )  # fmt: skip
    return rows


def to_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def change_ten_percent(rows):
    changed = [list(r) for r in rows]
    for r in changed[1::10]:
        r[15] = "Terminated" if r[15] != "Terminated" else "Active"  # MOU status
        r[14] = ""  # now open-ended
    return changed


def ensure_database(url: str):
    from urllib.parse import urlparse

    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def empty_tables():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE partners_contact, partners_mou, partners_institution, "
            "partners_partnerimport RESTART IDENTITY CASCADE"
        )


def timed(label, fn):
    """Wall-clock seconds, and the CPU seconds of this process and of PostgreSQL's backends,
    printed so a loaded machine (wall time >> CPU time) is visible in the figures."""
    wall, cpu, db = time.perf_counter(), time.process_time(), _postgres_cpu()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db = _postgres_cpu() - db
    load = os.getloadavg()[0]
    print(f"    [{label}: wall {wall:.2f} s, python CPU {cpu:.2f} s, postgres CPU {db:.2f} s, "
          f"load {load:.1f} on {os.cpu_count()} CPUs]")  # fmt: skip
    return result, wall


def _postgres_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (0 when not local)."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as handle:
            parts = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_import")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy_portal.settings")
    os.environ.setdefault("VAR_DIR", "/tmp/bench_import-var")
    ensure_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries

    call_command("migrate", verbosity=0)
    settings.IMPORT_MAX_FILE_SIZE = 1 << 30

    from import_export import resources
    from tablib import Dataset

    from partners.importing import import_partner_file
    from partners.models import MOU, Contact, Institution

    n = args.rows
    rows = generate(n)
    data = to_csv(rows)
    print(f"PostgreSQL {connection.pg_version}; {n:,} rows, {len(data) / 1e6:.1f} MB CSV")

    # (a) ours
    empty_tables()
    outcome, first = timed(
        "ours", lambda: import_partner_file(data, file_name="b.csv", dry_run=False)
    )
    assert outcome.ok, (outcome.file_error, outcome.errors[:5], outcome.database_error)
    counts = (Institution.objects.count(), MOU.objects.count(), Contact.objects.count())
    print(
        f"(a) ours, empty database:   {first:6.2f} s  {n / first:9,.0f} rows/s  "
        f"-> {counts[0]:,} institutions, {counts[1]:,} MOUs, {counts[2]:,} contacts"
    )
    changed = to_csv(change_ten_percent(rows))
    outcome, second = timed(
        "ours again", lambda: import_partner_file(changed, file_name="b2.csv", dry_run=False)
    )
    assert outcome.ok
    r = outcome.record
    print(
        f"    ours, 10% rows changed:  {second:6.2f} s  {n / second:9,.0f} rows/s  "
        f"({r.rows_new} new, {r.rows_updated:,} updated, {r.rows_unchanged:,} unchanged)"
    )
    preview_rows = to_csv(generate(1000, seed=5))
    outcome, preview = timed(
        "preview", lambda: import_partner_file(preview_rows, file_name="p.csv", dry_run=True)
    )
    assert outcome.ok
    print(f"    dry-run preview of 1,000 rows: {preview:5.2f} s (target < 2 s)")
    settings.DEBUG = True
    reset_queries()
    import_partner_file(preview_rows, file_name="p.csv", dry_run=True)
    print(f"    queries for that preview: {len(connection.queries)}")
    settings.DEBUG = False

    # (b) plain django-import-export ModelResource, default settings, same rows (institutions
    # + their MOU: two resources, as the flat file holds two models)
    empty_tables()
    m = min(args.baseline_rows, n)

    class InstitutionResource(resources.ModelResource):
        class Meta:
            model = Institution
            fields = ("id", "name", "acronym", "kind", "country", "city", "website")

    class MOUResource(resources.ModelResource):
        class Meta:
            model = MOU
            fields = ("id", "institution", "title", "academy_unit", "signed_on", "expires_on",
                      "status")  # fmt: skip

    kinds = {label: value for value, label in Institution.Kind.choices}
    inst_ds = Dataset(headers=["name", "acronym", "kind", "country", "city", "website"])
    seen = {}
    for row in rows[1 : m + 1]:
        key = row[0]
        if key not in seen:
            seen[key] = len(seen) + 1
            country = (
                "VN"
                if row[4] == "Viet Nam"
                else {"Institute of Maritime Studies": "SG"}.get(row[0].rsplit(" ", 1)[0], "SG")
            )
            inst_ds.append([row[0], row[2], kinds[row[3]], country, row[5], row[6]])
    mou_ds = Dataset(headers=["institution", "title", "academy_unit", "signed_on", "status"])
    for row in rows[1 : m + 1]:
        d, mo, y = row[12].split("/")
        mou_ds.append([seen[row[0]], row[10], "east_sea", f"{y}-{mo}-{d}", "active"])

    def plain():
        r1 = InstitutionResource().import_data(inst_ds, dry_run=False)
        r2 = MOUResource().import_data(mou_ds, dry_run=False)
        assert not r1.has_errors() and not r2.has_errors(), "import-export errors"

    _, baseline = timed("import-export", plain)
    print(
        f"(b) django-import-export ModelResource, {m:,} rows: {baseline:6.2f} s  "
        f"{m / baseline:9,.0f} rows/s"
    )

    # (c) bulk_create, no validation, same N rows
    empty_tables()

    def bare():
        institutions, mous, contacts, by_name = [], [], [], {}
        for row in rows[1:]:
            inst = by_name.get(row[0])
            if inst is None:
                inst = by_name[row[0]] = Institution(
                    name=row[0], acronym=row[2], kind="think_tank", country="VN", city=row[5],
                    # lower(), not institution_search_text: a floor, with no folding at all.
                    website=row[6], search_text=row[0].lower(),
                )  # fmt: skip
                institutions.append(inst)
                contacts.append(Contact(institution=inst, name=row[7], email=row[9]))
            d, mo, y = row[12].split("/")
            mous.append(
                MOU(institution=inst, title=row[10], academy_unit="east_sea",
                    signed_on=f"{y}-{mo}-{d}", status="active")
            )  # fmt: skip
        Institution.objects.bulk_create(institutions, batch_size=1000)
        for obj in mous + contacts:
            obj.institution = obj.institution
        MOU.objects.bulk_create(mous, batch_size=1000)
        Contact.objects.bulk_create(contacts, batch_size=1000)

    _, bulk = timed("bulk_create", bare)
    print(f"(c) bulk_create, no validation: {bulk:6.2f} s  {n / bulk:9,.0f} rows/s")
    print(
        f"ours / bulk_create rate: {bulk / first:.0%} (first import), "
        f"{bulk / second:.0%} (re-import); ours / import-export: "
        f"{(n / first) / (m / baseline):.0f}x"
    )
    target = "MET" if n / first >= 10_000 and bulk / first >= 0.4 and preview < 2 else "MISSED"
    print(f"targets (>= 10,000 rows/s, >= 40% of bulk_create, preview < 2 s): {target}")


if __name__ == "__main__":
    main()

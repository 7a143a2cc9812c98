"""manage.py import_partners: summary, exit codes 0/1/2, errors on stderr, progress on a tty."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partners.models import MOU, PartnerImport

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
ROOT = Path(__file__).resolve().parents[2]


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_partners", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def test_import_prints_a_summary_and_exits_0():
    code, out, err = call(str(FILES / "valid.xlsx"))
    assert code == 0, err
    assert "Imported valid.xlsx: 5 rows — 5 new, 0 updated, 0 unchanged." in out
    assert "[" not in out  # no progress bar when stdout is not a terminal
    assert MOU.objects.count() == 5
    code, out, _ = call(str(FILES / "valid.xlsx"))
    assert "0 new, 0 updated, 5 unchanged" in out
    assert "Nothing to change" in out


def test_dry_run_writes_nothing_but_lists_what_would_change():
    code, out, _ = call(str(FILES / "valid_utf8.csv"), "--dry-run")
    assert code == 0
    assert "Would import valid_utf8.csv" in out
    assert MOU.objects.count() == 0
    assert PartnerImport.objects.get().dry_run


def test_row_errors_go_to_stderr_with_exit_code_1():
    code, _out, err = call(str(FILES / "errors.csv"))
    assert code == 1
    assert "row 3, Expires on: 31/02/2025 is not a date" in err
    assert "11 error(s) in 11 row(s): nothing was imported." in err
    assert MOU.objects.count() == 0


def test_file_errors_exit_1():
    code, _, err = call(str(FILES / "hostile_zipbomb.xlsx"))
    assert code == 1
    assert "refused" in err


def test_missing_file_exits_2():
    code, _, err = call("/nonexistent/partners.csv")
    assert code == 2
    assert "No such file" in err


def test_forced_format_is_used():
    code, _, err = call(str(FILES / "valid_utf8.csv"), "--format", "xlsx")
    assert code == 1
    assert "not a valid .xlsx file" in err


# `manage.py` from the shell runs the production settings, not the test settings that
# pytest-django exports.
SHELL_ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "academy_portal.settings"}


def _manage(*args, env_extra=None):
    env = {**SHELL_ENV, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "manage.py", "import_partners", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_usage_errors_exit_2_from_the_shell():
    result = _manage(str(FILES / "valid.xlsx"), "--format", "pdf")
    assert result.returncode == 2
    assert "invalid choice: 'pdf'" in result.stderr
    assert _manage().returncode == 2


def test_progress_bar_only_on_a_terminal(tmp_path):
    env = {
        **SHELL_ENV,
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "manage.py", "import_partners"]
    piped = subprocess.run(
        [*command, str(FILES / "valid_utf8.csv")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert piped.returncode == 0
    assert "%" not in piped.stdout
    # The same command with its stdout on a pseudo-terminal draws the bar.
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [*command, str(FILES / "valid.xlsx")], cwd=ROOT, env=env, stdout=follower
    )
    os.close(follower)
    output = bytearray()
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO once the child closed the terminal
            break
        if not chunk:
            break
        output.extend(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    text = output.decode()
    assert "100%" in text and "#####" in text
    assert "Imported valid.xlsx" in text

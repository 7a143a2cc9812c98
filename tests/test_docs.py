"""The docs say what the code does: the README's settings table and the docs' code examples.

The settings rule, exactly:

1. An *environment variable* is a name read from the environment: `env.<cast>("X", ...)` or
   `environ.Env().<cast>("X", ...)` in a settings module (academy_portal/settings*.py), or
   `os.environ.get("X")` / `os.environ["X"]` / `os.getenv("X")` anywhere in our apps.
2. A *project setting* is a name our apps read from `django.conf.settings` (`settings.X`,
   `getattr(settings, "X", ...)`, `outbox_setting("X")`) that is not one of Django's own
   (`django.conf.global_settings`) nor allauth's or Celery's (`ACCOUNT_`, `MFA_`,
   `SOCIALACCOUNT_`, `ALLAUTH_`, `CELERY_` prefixes; django.contrib.sites' `SITE_ID`), minus
   NOT_CONFIGURABLE below.
3. The README's settings table (the first column's back-quoted names) lists exactly the
   environment variables: each of them, and nothing else. So a built-in that we set is in the
   table if and only if settings.py reads it from the environment.
4. Every project setting is an environment variable (so it is in the table).

"Our apps" are the top-level packages of the installed apps that live in this repository
(academy_portal, experts, forums, partners, and any app added later), migrations included.
"""

import ast
import builtins
import inspect
import re
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import global_settings

from experts.models import Expert
from forums.models import Edition, Invitation
from partners.models import MOU

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

ENV_CASTS = {
    "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path",
    "db_url", "db", "email_url", "email", "cache_url", "cache", "search_url", "parse_value",
}  # fmt: skip
THIRD_PARTY_PREFIXES = ("ACCOUNT_", "MFA_", "SOCIALACCOUNT_", "ALLAUTH_", "CELERY_")
CONTRIB_SETTINGS = {"SITE_ID"}  # django.contrib.sites: not in global_settings
# Read from settings by our code but set by settings.py itself, never by an operator.
NOT_CONFIGURABLE = {
    "INSECURE_DEV_SECRET_KEY": "the development key, compared with SECRET_KEY by checks",
}


@cache
def our_python_files() -> tuple[Path, ...]:
    tops = set()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        # Third-party apps live in the virtualenv, which may sit inside the checkout (.venv).
        if path.is_relative_to(ROOT) and "site-packages" not in path.parts:
            tops.add(ROOT / path.relative_to(ROOT).parts[0])
    return tuple(sorted(f for top in tops for f in top.rglob("*.py")))


def settings_modules() -> list[Path]:
    return sorted((ROOT / "academy_portal").glob("settings*.py")) + sorted(
        (ROOT / "academy_portal" / "settings").glob("**/*.py")
    )


def _string_arg(call: ast.Call, index: int = 0) -> str | None:
    if len(call.args) > index and isinstance(call.args[index], ast.Constant):
        value = call.args[index].value
        return value if isinstance(value, str) else None
    return None


def _is_env_object(node: ast.AST) -> bool:
    # env.<cast>(...) or environ.Env().<cast>(...)
    if isinstance(node, ast.Name):
        return node.id == "env"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Env"
    )


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_name(node: ast.AST, *, settings_module: bool) -> str | None:
    """The variable a node reads from the environment, if it reads one."""
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        if isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Load):
            return node.slice.value
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    func = node.func
    reads = (
        (settings_module and func.attr in ENV_CASTS and _is_env_object(func.value))
        or (func.attr == "get" and _is_os_environ(func.value))
        or (func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os")
    )
    return _string_arg(node) if reads else None


def env_reads(tree: ast.AST, *, settings_module: bool) -> set[str]:
    names = {_env_name(node, settings_module=settings_module) for node in ast.walk(tree)}
    return names - {None}


def settings_reads(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "settings"
            and node.attr.isupper()
        ):
            names.add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "getattr" and len(node.args) >= 2:
                target = node.args[0]
                if isinstance(target, ast.Name) and target.id == "settings":
                    names.add(_string_arg(node, 1))
            elif node.func.id == "outbox_setting":
                names.add(_string_arg(node))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "outbox_setting"
        ):
            names.add(_string_arg(node))
    return names - {None}


@cache
def environment_variables() -> frozenset[str]:
    names = set()
    for path in settings_modules():
        names |= env_reads(ast.parse(path.read_text()), settings_module=True)
    for path in our_python_files():
        names |= env_reads(ast.parse(path.read_text()), settings_module=False)
    return frozenset(names)


def is_built_in(name: str) -> bool:
    return (
        hasattr(global_settings, name)
        or name in CONTRIB_SETTINGS
        or name.startswith(THIRD_PARTY_PREFIXES)
    )


@cache
def project_settings() -> dict[str, list[str]]:
    """Project setting -> the files that read it."""
    readers: dict[str, list[str]] = {}
    for path in our_python_files():
        if path in settings_modules():
            continue
        for name in settings_reads(ast.parse(path.read_text())):
            if not is_built_in(name) and name not in NOT_CONFIGURABLE:
                readers.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return readers


def readme_settings_table() -> set[str]:
    text = README.read_text()
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", first))
    names.discard("Variable")
    return names


def test_the_scanners_find_what_they_must():
    # Guards against a scanner that silently finds nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "VAR_DIR", "INVITATIONS_INLINE_LIMIT"} <= (
        environment_variables()
    )
    assert "DEMO_ADMIN_PASSWORD" in environment_variables() or not any(
        "DEMO_ADMIN_PASSWORD" in p.read_text() for p in our_python_files()
    )
    assert {"INVITATIONS_INLINE_LIMIT", "SITE_URL", "OUTBOX_SWEEP_TIME_BUDGET"} <= set(
        project_settings()
    )
    assert "LANGUAGE_CODE" not in project_settings()  # Django's own
    assert len(readme_settings_table()) > 30


def test_every_environment_variable_is_in_the_readme_settings_table():
    missing = sorted(environment_variables() - readme_settings_table())
    assert not missing, (
        f"read from the environment but not in README.md's Settings table: {missing}"
    )


def test_the_readme_settings_table_lists_only_environment_variables():
    stale = sorted(readme_settings_table() - environment_variables())
    assert not stale, (
        f"in README.md's Settings table but read from the environment nowhere: {stale}"
    )


def test_every_project_setting_the_code_reads_comes_from_the_environment():
    missing = {
        name: files
        for name, files in sorted(project_settings().items())
        if name not in environment_variables()
    }
    assert not missing, (
        "read by the code but not env-driven in settings.py (and so not in the README table): "
        f"{missing}"
    )


# -- code examples in docs/*.md -------------------------------------------------------------


def python_blocks() -> list[tuple[str, str]]:
    blocks = []
    for path in sorted((ROOT / "docs").glob("*.md")):
        for block in re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S):
            blocks.append((path.name, block))
    return blocks


def example_problems(block: str) -> tuple[list[str], int]:
    """What in one example names something that does not exist; and how many calls were checked.

    Imported names must exist and take the keyword arguments shown; a called bare name must be
    imported, defined in the example or a builtin; `invitation.x`, `expert.x`, `edition.x`,
    `mou.x` must be attributes of those models."""

    models_by_variable = {
        "invitation": Invitation,
        "expert": Expert,
        "edition": Edition,
        "mou": MOU,
    }
    problems, checked = [], 0
    tree = ast.parse(block)
    imported = {}
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = __import__(node.module, fromlist=["*"])
            for alias in node.names:
                if hasattr(module, alias.name):
                    imported[alias.asname or alias.name] = getattr(module, alias.name)
                else:
                    problems.append(f"{node.module}.{alias.name} does not exist")
        elif isinstance(node, ast.ImportFrom):
            defined |= {alias.asname or alias.name for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in imported and callable(imported[name]):
                try:
                    parameters = inspect.signature(imported[name]).parameters
                except (TypeError, ValueError):
                    continue
                problems += [
                    f"{name}() takes no argument {k.arg!r}"
                    for k in node.keywords
                    if k.arg not in parameters
                ]
                checked += 1
            elif name not in imported and name not in defined and not hasattr(builtins, name):
                problems.append(f"{name}() is neither imported nor defined")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in models_by_variable
        ):
            model = models_by_variable[node.value.id]
            fields = {f.name for f in model._meta.get_fields()}
            if node.attr not in fields and not hasattr(model, node.attr):
                problems.append(f"{model.__name__} has no {node.attr!r}")
    return problems, checked


def test_the_checker_catches_names_that_do_not_exist():
    old_example = """
from academy_portal.mail.services import queue_email
subject, text, html = render_invitation(invitation)
queue_email(to_email=expert.email, dedup_key=f"invitation:{invitation.token_version}", body="x")
"""
    problems, _ = example_problems(old_example)
    assert "render_invitation() is neither imported nor defined" in problems
    assert "Invitation has no 'token_version'" in problems
    assert "queue_email() takes no argument 'body'" in problems


def test_every_name_in_the_docs_examples_exists():
    blocks = python_blocks()
    assert blocks
    checked = 0
    for doc, block in blocks:
        problems, count = example_problems(block)
        assert not problems, f"docs/{doc}: {problems}"
        checked += count
    assert checked, "no call in the docs' examples was checked"


def test_the_readme_beat_list_names_every_scheduled_task(settings):
    deployment = README.read_text().split("\n## Deployment\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_.]+\.tasks\.[a-z_]+)`", deployment))
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert listed == scheduled


def test_the_fast_paths_table_names_files_and_tests_that_exist():
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("\n## Fast paths, fenced\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 10
    tests_named = 0
    for line in rows:
        for ref in re.findall(
            r"`((?:tests|bench|partners|forums|experts|academy_portal)/[^`]*)`", line
        ):
            path, _, name = ref.partition("::")
            assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which is gone"
            if name:
                assert f"def {name}(" in (ROOT / path).read_text(), f"no test {ref}"
                tests_named += 1
        # "::other_test" continues the file named before it in the same cell
        for name in re.findall(r"`::([a-z_0-9]+)`", line):
            assert any(
                f"def {name}(" in (ROOT / p).read_text()
                for p in re.findall(r"`(tests/[^`:]*)::", line)
            ), f"no test ::{name}"
            tests_named += 1
    assert tests_named >= len(rows)

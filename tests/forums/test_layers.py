"""The import direction inside forums: models import no service, tasks are leaves.

(Read from the source with ast, so an import hidden inside a function counts too.)
"""

import ast
from pathlib import Path

import forums

FORUMS = Path(forums.__file__).parent


def imported_modules(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: inside the same package
                package = ".".join(path.relative_to(FORUMS.parent).with_suffix("").parts[:-1])
                base = f"{package}.{base}" if base else package
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_models_and_validators_import_no_service_admin_or_task():
    paths = [*(FORUMS / "models").glob("*.py"), FORUMS / "validators.py"]
    for path in paths:
        upward = {
            name
            for name in imported_modules(path)
            if name.startswith(("forums.services", "forums.admin", "forums.tasks", "forums.views"))
        }
        assert not upward, f"{path.name} imports {upward}"


def test_tasks_import_their_services_inside_the_function_only():
    top = imported_modules(FORUMS / "tasks.py", top_level_only=True)
    assert not {name for name in top if name.startswith("forums")}
    # ...and the services enqueue by the tasks module's name, at the top.
    assert "forums.tasks" in imported_modules(
        FORUMS / "services" / "batches.py", top_level_only=True
    )


def test_no_service_module_imports_a_private_name_of_another():
    for path in (FORUMS / "services").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"

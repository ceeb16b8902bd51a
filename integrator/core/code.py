"""Which library files shape a stage's output: derived from the imports, not listed by hand.

A stage's code is the closure of its implementing modules over every import they make inside
the ``integrator`` package (at module level or inside functions: a lazy import is still code
that runs), plus the stage table itself (``core/stages.py``) and what it imports at module
level (selection, settings). Modules loaded by name (an engine or a format's importer) are
added by the stage table from the registries. Editing a module thus makes exactly the stages
that run its code stale: an engine's flags rebuild binaries, not imports.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # integrator/


def module_file(name: str) -> Path | None:
    """``engines.iree`` -> integrator/engines/iree.py (or a package's __init__.py)."""
    base = PACKAGE.joinpath(*name.split(".")) if name else PACKAGE
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _imports(path: Path, top_level_only: bool) -> tuple[str, ...]:
    """The package modules ``path`` imports (dotted, relative to the package)."""
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    current = _module_name(path).split(".") if _module_name(path) else []
    package = current if is_package else current[:-1]
    nodes = tree.body if top_level_only else _walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.split(".")[0] == "integrator":
                prefix = node.module.partition(".")[2]
            else:
                continue
            for alias in node.names:  # `from . import x` may name a module
                sub = f"{prefix}.{alias.name}" if prefix else alias.name
                found.append(sub if module_file(sub) else prefix)
        elif isinstance(node, ast.Import):
            found += [a.name.partition(".")[2] for a in node.names if a.name.startswith("integrator.")]
    return tuple(dict.fromkeys(found))


def _walk(node):
    """Every node, except what is imported for type checkers only (never runs)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
            continue
        yield child
        yield from _walk(child)


def closure(modules, *, top_level_only: bool = False) -> list[Path]:
    """The files of ``modules`` and of every package module they import, transitively, with
    the ``__init__.py`` of each package on the way (it runs on import)."""
    seen: dict[Path, None] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        path = module_file(name)
        if path is None or path in seen:
            continue
        seen[path] = None
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages
        todo += _imports(path, top_level_only)
    return sorted(seen)


def stage_code(modules, extra_files=()) -> list[Path]:
    """The code inputs of a stage implemented by ``modules`` (see the module docstring)."""
    files = dict.fromkeys(closure(modules))
    files.update(dict.fromkeys(closure(["core.stages"], top_level_only=True)))
    files.update(dict.fromkeys(Path(f) for f in extra_files))
    return sorted(files)

"""The house plan (docs/architecture.md), checked against the code's own imports.

Reads every module of ``geo``, ``api`` and ``maps`` with :mod:`ast` (nothing is run) and
checks: no module over the size limit, the layers import only downwards, no cycle among
module-level imports, and every import inside a function says why in a comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "api", "maps")
#: "No module over about 600 lines": the hard line the test draws.
MAX_LINES = 650


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an imported name refers to (longest known prefix)."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in MODULES:
            return cand
        parts.pop()
    return None


def _imports(path: Path, *, top_level_only: bool) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every import of a project module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_func: bool, in_type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            func = in_func or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            tc = in_type_checking or (
                isinstance(child, ast.If)
                and isinstance(child.test, ast.Name)
                and child.test.id == "TYPE_CHECKING"
            )
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [f"{child.module}.{a.name}" for a in child.names]
            for n in names:
                target = _resolve(n)
                if target and not tc and not (top_level_only and in_func):
                    found.append((target, child.lineno, in_func))
            visit(child, func, tc)

    visit(tree, False, False)
    return found


def _layer(module: str) -> str:
    if module.startswith("geo.usecases"):
        return "usecases"
    return module.split(".")[0]


#: Which layer may import which (data flows one way: geo → use cases → front ends).
ALLOWED = {
    "geo": {"geo"},
    "usecases": {"geo", "usecases"},
    "maps": {"geo", "usecases", "maps"},
    "api": {"geo", "usecases", "maps", "api"},
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_the_size_limit(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it along its concepts"


def test_layers_import_only_downwards() -> None:
    wrong = [
        f"{m} (line {line}) imports {target}"
        for m, path in MODULES.items()
        for target, line, _ in _imports(path, top_level_only=False)
        if _layer(target) not in ALLOWED[_layer(m)]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph = {
        m: {t for t, _, _ in _imports(p, top_level_only=True) if t != m} for m, p in MODULES.items()
    }
    # a package's __init__ re-exporting its own modules is not a cycle with them
    for m in graph:
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def dfs(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" → ".join([*stack[stack.index(t) :], t]))
            elif t not in state:
                dfs(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            dfs(m)
    assert not cycles, "\n".join(cycles)


def _block_comment(lines: list[str], i: int) -> bool:
    """Whether a comment stands on or right above the block of imports holding line ``i``."""
    j = i - 1
    while j >= 0:
        s = lines[j].strip()
        if s.startswith("#") or ("# " in s and s.startswith(("from ", "import "))):
            return True
        if (
            not s
            or s.startswith(("from ", "import ", ")"))
            or (s and not s.endswith(":") and "=" not in s and lines[j].startswith(" " * 8))
        ):
            j -= 1
            continue
        return False
    return False


def test_function_level_imports_say_why() -> None:
    silent = []
    for m, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for _, line, in_func in _imports(path, top_level_only=False):
            if not in_func:
                continue
            here = lines[line - 1]
            if "#" in here or _block_comment(lines, line - 1):
                continue
            silent.append(f"{m}:{line}: {here.strip()}")
    assert not silent, "imports inside functions need a comment saying why:\n" + "\n".join(
        sorted(set(silent))
    )

"""The layers are enforced, not only described: import-linter's contracts (pyproject.toml)
hold, no import circle exists among the project's modules even counting imports inside
functions, and every import inside a function points down and says why."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["tui.cli", "tui.net", "tui.app", "tui.lessons", "tui.view", "tui.core", "nn"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path: Path):
    """(imported module, line, inside a function?, source line) for each import of nn/tui."""
    mod = module_name(path)
    source = path.read_text()
    lines = source.splitlines()
    out = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # annotations only: never imported at run time
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            names = []
            if isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = mod.split(".")[: len(mod.split(".")) - child.level + path.name.endswith("__init__.py")]
                    base = ".".join(pkg + ([base] if base else []))
                names = [base] + [f"{base}.{a.name}" for a in child.names]
            elif isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            for name in names:
                target = resolve(name)
                if target and target != mod:
                    out.append((target, child.lineno, in_function, lines[child.lineno - 1]))
            visit(child, inner)

    visit(ast.parse(source), False)
    return out


MODULES = {module_name(p): p for d in ("nn", "tui") for p in (ROOT / d).rglob("*.py")}


def resolve(name: str) -> str | None:
    """The project module ``name`` is (or is in), None outside the project."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def layer(module: str) -> int:
    for i, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return i
    return -1


@pytest.mark.skipif(shutil.which("lint-imports") is None and
                    subprocess.run([sys.executable, "-c", "import importlinter"]).returncode,
                    reason="import-linter is not installed (pip install -e '.[test]')")
def test_import_linter_contracts_hold():
    out = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command;"
                          "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "broken" in out.stdout and "0 broken" in out.stdout


def test_no_import_circle_even_counting_function_level_imports():
    graph = {m: {t for t, *_ in project_imports(p) if t in MODULES and not _is_parent(t, m)}
             for m, p in MODULES.items()}
    # Tarjan's strongly connected components: any component of 2+ modules is a circle
    index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            connect(v)
    assert circles == []


def _is_parent(target: str, module: str) -> bool:
    """A package's __init__ is not an import edge of its own submodules."""
    return module.startswith(target + ".")


def test_function_level_imports_point_down_and_say_why():
    wrong, silent = [], []
    for m, p in MODULES.items():
        for target, line, in_function, text in project_imports(p):
            if not in_function:
                continue
            if layer(target) < layer(m):
                wrong.append(f"{p.relative_to(ROOT)}:{line} {m} -> {target}")
            prev = p.read_text().splitlines()[line - 2] if line > 1 else ""
            if "#" not in text and not prev.strip().startswith("#"):
                silent.append(f"{p.relative_to(ROOT)}:{line} {text.strip()}")
    assert wrong == []
    assert silent == [], "say why this import is inside a function (a comment on its line)"


def test_a_wrong_way_import_is_caught(tmp_path):
    """The checks can fail: a core module that imports the app is reported."""
    fake = ROOT / "tui" / "core" / "_planted_wrong_way.py"
    fake.write_text("def f():\n    from tui.app.app import TinyNetApp  # planted\n")
    try:
        MODULES[module_name(fake)] = fake
        with pytest.raises(AssertionError):
            test_function_level_imports_point_down_and_say_why()
    finally:
        MODULES.pop(module_name(fake), None)
        fake.unlink()

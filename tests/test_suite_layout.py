"""The test suite is laid out by behaviour: shared helpers live in tests/helpers.py and
fixtures in tests/conftest.py, no test file imports another test file (or conftest), and
no test file is named by when it was written (a round, a fix, a hardening pass)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TEST_FILES = sorted(TESTS.glob("test_*.py"))
#: words that say when or why a file was written, not what it tests
HISTORY_WORDS = {"fix", "fixes", "fixed", "hardening", "wiring", "regression", "regressions",
                 "round", "misc", "issue", "new", "old", "more", "extra"}


def named_by_history(stem: str) -> bool:
    """A file name (without ``test_``) made of a history word, or ending in a round number
    (``fixes16a``, ``narration11``)."""
    words = stem.split("_")
    return bool(set(words) & HISTORY_WORDS) or re.search(r"\d+[a-z]?$", stem) is not None


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """(module, line) of every import in ``path``, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append((node.module or "", node.lineno))
        elif isinstance(node, ast.ImportFrom):              # from . import x / from .test_x
            found += [("." + (node.module or a.name), node.lineno) for a in node.names]
    return found


def reaches_into_another_test_file(module: str) -> bool:
    parts = module.lstrip(".").split(".")
    if parts[0] == "tests":
        parts = parts[1:]
    return bool(parts) and (parts[0].startswith("test_") or parts[0] == "conftest")


def test_the_suite_has_the_files_this_test_reads():
    assert len(TEST_FILES) > 50 and (TESTS / "helpers.py").is_file()
    assert Path(__file__) in TEST_FILES


@pytest.mark.parametrize("path", [*TEST_FILES, TESTS / "helpers.py", TESTS / "conftest.py"],
                         ids=lambda p: p.name)
def test_no_test_file_imports_another_test_file(path):
    wrong = [f"{path.name}:{line}: {module}" for module, line in imported_modules(path)
             if reaches_into_another_test_file(module)]
    assert not wrong, ("shared helpers go in tests/helpers.py, fixtures in conftest.py: "
                       + "; ".join(wrong))


def test_no_test_file_is_named_by_history():
    named = [p.name for p in TEST_FILES if named_by_history(p.stem.removeprefix("test_"))]
    assert not named, f"name test files for what they test, not when: {named}"


@pytest.mark.parametrize("module, wrong", [
    ("test_render", True), ("tests.test_signals", True), (".test_app", True),
    ("conftest", True), ("tests.conftest", True),
    ("helpers", False), ("tui.app.app", False), ("nn.tests_data", False), ("pytest", False),
])
def test_the_rule_tells_a_test_file_from_a_helper(module, wrong):
    assert reaches_into_another_test_file(module) is wrong


@pytest.mark.parametrize("stem, history", [
    ("fixes16a", True), ("hardening16", True), ("narration11", True), ("wiring", True),
    ("map_panel_fixes", True), ("render2", True), ("more_keys", True),
    ("narration_optimizers", False), ("background", False), ("fixtures", False),
    ("crash_reproductions", False), ("layers", False), ("suite_layout", False),
])
def test_the_rule_tells_a_history_name(stem, history):
    assert named_by_history(stem) is history

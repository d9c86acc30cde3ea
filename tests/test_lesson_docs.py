"""docs/lessons.md (issue 22): every example in it passes ``learn --check``, and it names
every key, wait and quantity a lesson file can use."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.lessons import catalogue as cli
from tui.lessons.format import BREAKPOINTS, KEYS, PANELS

DOC = Path(__file__).resolve().parent.parent / "docs" / "lessons.md"
EXAMPLES = re.findall(r"```markdown\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_the_worked_example():
    assert len(EXAMPLES) >= 2
    big = max(EXAMPLES, key=len)
    assert big.count("\n## ") == 5 and big.count("\nask: ") == 2
    for key in ("optimizer:", "features:", "wait: play"):
        assert key in big


@pytest.mark.slow
@pytest.mark.parametrize("k", range(len(EXAMPLES)))
def test_every_example_in_the_doc_passes_check(tmp_path, k, capsys):
    f = tmp_path / "example.md"
    f.write_text(EXAMPLES[k], encoding="utf-8")
    from tui.cli.learn import main

    assert main(["learn", "--check", str(f)], progress=None) == 0, capsys.readouterr().err


def test_the_doc_names_every_key_wait_panel_and_quantity():
    text = DOC.read_text(encoding="utf-8")
    for key in KEYS:
        assert f"`{key.replace('_', '-')}" in text or f"`{key}" in text, key
    for words in ("`none`", "`step`", "`steps N`", "`play N epochs`", "`play until loss L`",
                  "`play until nan`", "`play until breakpoint NAME`", "`key K`"):
        assert words in text, words
    for name in list(PANELS) + list(BREAKPOINTS):
        assert f"`{name}`" in text, name
    for q in ("`loss`", "`loss epoch E`", "`epoch`", "`last epoch`", "`lr`", "`accuracy`",
              "`dL/dy", "`w NEURON I`", "`b NEURON`", "`x I [sample S]`", "`f' …`",
              "`digit NEURON`"):
        assert q in text, q


def test_the_doc_lists_every_builtin_lesson():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## The built-in lessons", 1)[1].split("\n## ", 1)[0]
    for name in cli.builtin_lessons():
        assert f"| `{name}` |" in table, name


def test_the_readme_links_the_doc_instead_of_repeating_it():
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/lessons.md" in readme and "Quantities: `loss`" not in readme

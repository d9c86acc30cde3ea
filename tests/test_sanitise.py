"""Nothing from outside writes to the terminal: every kind of input that reaches an error
line, a notification, the status line, a lesson or a worksheet goes through
``tui.core.text.printable`` (control characters shown as ␛ ␇ …, bidi overrides as <U+202E>)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from nn import NeuralNetwork, save
from tui.cli.main import main
from tui.core.config import RunConfig, build

#: what a terminal would act on (newlines and tabs are fine in multi-line text)
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
EVIL = "\x1b]0;pwned\x07\x1b[2J\u202e"


def assert_safe(text: str) -> None:
    """Nothing a terminal acts on; what was there is shown (as ␛, <U+202E> or \\x1b)."""
    assert not UNSAFE.search(text), repr(text)
    assert any(mark in text for mark in ("␛", "<U+202E>", "\\x1b")), repr(text)


def error_of(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err


def test_a_file_name_in_a_cli_error(tmp_path, capsys):
    assert_safe(error_of(["train", "--data", str(tmp_path / f"{EVIL}.csv")], capsys))


def test_a_csv_cell_in_a_cli_error(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text(f"0,0,0\n1,{EVIL},1\n")
    err = error_of(["train", "--data", str(f)], capsys)
    assert_safe(err)
    assert "line 2" in err


def _model_with_meta(tmp_path: Path, **changes) -> Path:
    path = save(NeuralNetwork.from_sizes([2, 2, 1], "tanh", "identity", seed=0),
                tmp_path / "m.npz", task="regression")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"][()]))
    meta.update(changes)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("field", ["seed", "init", "loss", "lr", "features", "format"])
def test_model_file_meta_fields_in_cli_errors(tmp_path, capsys, field):
    path = _model_with_meta(tmp_path, **{field: EVIL})
    err = error_of(["train", "--task", "regression", "--load", str(path)], capsys)
    assert not UNSAFE.search(err), err


def test_a_model_files_target_formula_in_a_cli_error(tmp_path, capsys):
    path = _model_with_meta(tmp_path, target=f"x1+{EVIL}")
    assert_safe(error_of(["train", "--task", "regression", "--load", str(path)], capsys))


@pytest.mark.parametrize("key", ["data", "load"])
def test_session_file_paths_in_replay_errors(tmp_path, capsys, key):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"format": "tinynet-session-1", "config": {key: f"/x/{EVIL}"},
                             "actions": []}))
    assert_safe(error_of(["--replay", str(f)], capsys))


def test_a_session_file_name_in_a_replay_error(tmp_path, capsys):
    f = tmp_path / f"{EVIL}.json"
    f.write_text("{not json")
    assert_safe(error_of(["--replay", str(f)], capsys))


def test_a_csv_file_name_on_the_status_line(tmp_path):
    from tui.view.frame import _status as status_view
    from tui.core.session import Session
    from tui.app.widgets.status import render_status

    f = tmp_path / f"{EVIL}.csv"
    f.write_text("0,0,0\n1,1,1\n")
    session = Session(build(RunConfig(data=f)))
    assert_safe(session.config.label)
    assert_safe(render_status(status_view(session)).plain)


async def test_a_notification_shows_control_characters_visibly(tmp_path):
    from tui.app.app import TinyNetApp

    app = TinyNetApp(build(RunConfig()), save_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        app.say(f"cannot save {EVIL}: no space")
        await pilot.pause()
        assert_safe(" ".join(str(n.message) for n in app._notifications))


def test_a_sweep_error(tmp_path, capsys):
    assert_safe(error_of(["sweep", "--data", str(tmp_path / f"{EVIL}.csv")], capsys))


# ------------------------------------------------------------------ lessons
LESSON = f"""# Title {EVIL}

## Chapter {EVIL}
task: xor
hidden: 2
wait: step

Prose {EVIL} here.
"""


def test_lesson_text_is_shown_visibly_wherever_it_is_displayed(tmp_path):
    from tui.lessons.format import load

    f = tmp_path / "evil.md"
    f.write_text(LESSON)
    lesson = load(f)
    assert_safe(lesson.title)
    assert_safe(lesson.chapters[0].title)
    assert_safe(" ".join(text for _, text in lesson.chapters[0].text))


def test_learn_check_reports_control_and_bidi_characters_by_line(tmp_path, capsys):
    from tui.cli.learn import main as learn

    f = tmp_path / "evil.md"
    f.write_text(LESSON)
    assert learn(["learn", "--check", str(f)]) == 2
    err = capsys.readouterr().err
    assert not UNSAFE.search(err)
    lines = [line for line in err.splitlines() if "control or bidi characters" in line]
    assert [line.split(":")[1] for line in lines] == ["1", "3", "8"]
    assert "<U+202E> ␇ ␛" in lines[0]


def test_a_worksheet_of_an_unsafe_lesson_is_refused_and_a_safe_one_is_clean(tmp_path, capsys):
    from tui.cli.learn import main as learn

    f = tmp_path / "evil.md"
    f.write_text(LESSON)
    out = tmp_path / "sheet.md"
    assert learn(["learn", str(f), "--worksheet", str(out)]) == 2
    assert not out.exists() and not UNSAFE.search(capsys.readouterr().err)
    f.write_text(LESSON.replace(EVIL, "plain"))
    assert learn(["learn", str(f), "--worksheet", str(out)]) == 0
    assert not UNSAFE.search(out.read_text())


def test_a_lesson_file_name_in_learn_output(tmp_path, capsys):
    from tui.cli.learn import main as learn

    assert learn(["learn", "--check", str(tmp_path / f"{EVIL}.md")]) == 2
    assert_safe(capsys.readouterr().err)

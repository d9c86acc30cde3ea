"""Issue 22 item 15: lesson text names the keys the footer shows (the key table,
tui/app/keys.py, is the one source): ``press space`` plays as the chapter asks, the
todo line says the same, and no built-in lesson says ``press p`` (a key the footer hides)."""
from __future__ import annotations

import re

import pytest

from tui.app.keys import KEYS
from tui.lessons import live
from tui.lessons.format import load

from helpers import BUILTIN, lesson_app, panel_text

#: how a key's Textual name is written in prose
PROSE = {"space": "space", "question_mark": "?"}
#: keys the answer box's own footer shows, and the lesson panel's keys line
ANSWER_KEYS = {"Enter", "Esc"}


def footer_keys(shown_only: bool = True) -> dict[str, str]:
    """action → the key the footer (or the help) shows for it (the first of its row's keys)."""
    return {k.action: PROSE.get(k.keys.split(",")[0], k.keys.split(",")[0])
            for k in KEYS if k.show or not shown_only}


def test_the_lessons_key_names_are_the_footers():
    shown = footer_keys()
    assert live.STEP_KEY == shown["step"] and live.PLAY_KEY == shown["play"]


@pytest.mark.parametrize("name", list(BUILTIN))
def test_lesson_text_names_only_keys_the_footer_shows(name):
    # a key of the table, as the help writes it — and never a second key for what the
    # footer shows under another (p plays too, but the footer says space)
    allowed = set(footer_keys(shown_only=False).values()) | ANSWER_KEYS
    allowed.discard("p")
    for ch in load(BUILTIN[name]).chapters:
        lines = [t for _, t in ch.text + ch.reveal] + [ch.hint or ""]
        for text in lines:
            for key in re.findall(r"\b[Pp]ress (\S+?)[ ,.:;)]", text + " "):
                assert key in allowed, (name, ch.title, text)
    for i in range(len(load(BUILTIN[name]).chapters)):
        run = live.ChapterRun(load(BUILTIN[name]), i)
        todo = run.waiting_for or ""
        m = re.match(r"press (\S+)", todo)
        assert m is None or m.group(1) in allowed | {run.chapter.wait.key}, (name, todo)
        if run.chapter.wait.kind == "play":                # the footer's play key
            prose = " ".join(t for _, t in run.chapter.text)
            assert f"ress {live.PLAY_KEY}" in prose and todo.startswith(f"press {live.PLAY_KEY}")


async def test_space_plays_a_lessons_play_wait_as_it_asks(tmp_path):
    lesson = load(BUILTIN["backprop"])
    i = next(i for i, c in enumerate(lesson.chapters) if c.title.startswith("Playing until"))
    app = lesson_app(tmp_path, "backprop", start=i)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "Press space to play until the loss" in panel_text(app)
        await pilot.press("space")
        await pilot.pause()
        run = app.lessons.run
        assert run.wait_done and run.play_reached
        assert run.session.stepper.epoch == 2236      # where the breakpoint stops

"""Lessons inside the app: a Pilot run through every built-in lesson (the keys a learner
presses, counted per chapter), the lesson panel against the engine, the chapter list,
slow motion, and snapshots of a lesson chapter at 120×40 and 80×24."""
from __future__ import annotations

import pytest

from nn import Granularity
from tui.core import actions as act
from tui.view import handout
from tui.app.app import TinyNetApp
from tui.core.format import num
from tui.app.lesson_mode import PANEL_IDS, LessonListScreen
from tui.lessons import live
from tui.lessons.format import load
from tui.lessons.progress import Progress
from tui.app.widgets.lesson import AnswerInput, LessonView, progress_bar, render_todo

from helpers import BUILTIN, assert_named_panels_shown, lesson_app, on_screen, panel_text, plain


@pytest.fixture
def quick_export(monkeypatch):
    """``e`` writes no real Matplotlib files here (tests/test_cli.py covers them)."""
    monkeypatch.setattr(handout, "write_handout", lambda folder, *a, **k: [])


async def take_chapter(app, pilot) -> int:
    """Do what the chapter asks, answering its question wrong, then right; returns the
    key presses a learner needs (the wrong answer not counted)."""
    run = app.lessons.run
    ch = run.chapter
    assert app.session is run.session                # the app shows the chapter's session
    for line in run.text.splitlines():                # the panel shows the engine's numbers
        assert line.strip() in panel_text(app), (ch.title, line)
    assert_screen_is_about_the_chapter(app, ch)
    presses = 0
    if ch.ask is not None:
        assert isinstance(app.focused, AnswerInput) and run.question in panel_text(app)
        field = app.query_one(AnswerInput)
        await pilot.press("1", "2")                   # typing reaches the field …
        assert field.value == "12"
        field.value = "12345"                         # … (the rest set at once: quicker)
        await pilot.press("enter")                    # wrong (the wait is carried out)
        await pilot.pause()
        truth = app.lessons.last_answer.truth
        assert abs(truth - 12345) > 1
        if ch.wait.kind == "step":                    # taken back: the screen keeps the secret
            assert not run.wait_done and not app.lessons.last_answer.right
        assert not run.done and run.reveal is None and "Not quite" in panel_text(app)
        if ch.hint:
            assert run.hint in panel_text(app).replace("\n", " ") or "Hint" in panel_text(app)
        typed = num(truth)
        field.value = typed                           # counted as len(typed) presses
        await pilot.press("enter")
        await pilot.pause()
        presses += len(typed) + 1
        assert "Right" in panel_text(app)
    w = ch.wait
    while not run.wait_done:
        key = {"step": "n", "play": "p"}.get(w.kind, w.key)
        await pilot.press(key)
        await pilot.pause()
        presses += 1
        if len(app.screen_stack) > 1:                 # c, k … open a dialog: close it
            await pilot.press("escape")
            await pilot.pause()
            presses += 1
        assert presses < 50, ch.title
    assert run.done, ch.title
    if run.reveal:
        assert run.reveal.splitlines()[0].strip() in panel_text(app), ch.title
    await pilot.press("enter")                        # on to the next chapter
    await pilot.pause()
    return presses + 1


def assert_screen_is_about_the_chapter(app, ch) -> None:
    """Issue 22: the chapter's text starts at its top and can be read to its end by key;
    the panel it names is on screen (outlined); the neuron it asks about (or selects) is
    selected, and the chain-rule panel explains that neuron's step."""
    scroll = app.query_one("#lesson-scroll")
    assert scroll.scroll_y == 0, (ch.title, "the text opens scrolled")
    if ch.panel is not None:
        widget = app.query_one(f"#{PANEL_IDS[ch.panel]}")
        assert widget.has_class("lesson-focus") and on_screen(widget), (ch.title, ch.panel)
    assert_named_panels_shown(app, ch)
    s = app.session
    sizes = tuple(s.net.sizes)
    want = (live.neuron_index(ch.ask.neuron, sizes) if ch.ask is not None and ch.ask.neuron
            else live.neuron_index(ch.select, sizes) if ch.select else None)
    if want is not None:
        assert s.selected == want, (ch.title, s.selected, want)
        ev = app.frame.narration.event
        ran = [e for e in s.trace_events() if e.epoch == s.stepper.epoch and e.layer == want[0]
               and e.neurons and e.neurons[0] <= want[1] < e.neurons[1]]
        if ran and ev is not None and ev.layer is not None:
            assert (ev.layer, app.frame.narration.neuron) == want, (ch.title, "narration")
    panel = app.lessons
    while panel.page(1):                              # PgDn reads the text to its end
        pass
    assert scroll.scroll_y == scroll.max_scroll_y
    while panel.page(-1):
        pass
    assert scroll.scroll_y == 0


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("name", list(BUILTIN))
async def test_pilot_runs_every_lesson_first_to_last(tmp_path, name, size, quick_export):
    app = lesson_app(tmp_path, name)
    lesson = app.lessons.lesson.lesson
    counts = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.screen.has_class("lesson")
        for i, ch in enumerate(lesson.chapters):
            assert app.lessons.lesson.index == i
            head = plain(app.query_one("#lesson-head"), 400)
            assert f"Chapter {i + 1} of {len(lesson.chapters)}" in head
            counts.append((ch.title, await take_chapter(app, pilot)))
        assert app.lessons.finished and "Lesson finished" in panel_text(app)
    assert Progress(tmp_path / "progress.json").describe(name) == "done"
    print(f"\nkey presses per chapter of {name} (in the app):")
    for title, n in counts:
        print(f"  {n:3d}  {title}")
    print(f"  {sum(n for _, n in counts):3d}  in all")


async def test_chapter_keys_list_and_highlight(tmp_path):
    app = lesson_app(tmp_path, "backprop")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")                 # works while the answer field has focus
        await pilot.pause()
        assert app.lessons.lesson.index == 1 and app.session is app.lessons.run.session
        await pilot.press("pageup")
        await pilot.pause()
        assert app.lessons.lesson.index == 0
        await pilot.press("escape")                   # give up: the answer is shown
        await pilot.pause()
        assert app.lessons.run.done and "The answer" in panel_text(app)
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        for _ in range(3):
            await pilot.press("down")
        await pilot.press("enter")                    # chapter 4
        await pilot.pause()
        assert app.lessons.lesson.index == 3
        # the chapter's neuron is selected (highlighted) in the diagram
        assert app.session.selected == (1, 0)
    lr_app = lesson_app(tmp_path, "learning-rate", 1)
    async with lr_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert lr_app.query_one("#loss").has_class("lesson-focus")
        assert not lr_app.query_one("#diagram").has_class("lesson-focus")


async def test_step_through_app_keys_advances_the_chapter(tmp_path):
    """A chapter waiting for steps sees the app's own n (no question): the session's
    recorded actions are what the lesson observes."""
    app = lesson_app(tmp_path, "learning-rate", 4)  # play until nan
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        run = app.lessons.run
        assert not run.wait_done
        await pilot.press("space")                    # playing with space counts too
        for _ in range(500):                          # ≈110 epochs at 100 epochs/s
            await pilot.pause(0.02)
            if run.wait_done:
                break
        assert run.wait_done and app.session.is_halted and not app.playing
        assert "Training stopped at epoch" in panel_text(app)
    app = lesson_app(tmp_path, "backprop", 7)  # one epoch: wait step, no question
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.lessons.run.wait_done
        await pilot.press("n")
        await pilot.pause()
        assert app.lessons.run.done and "Epoch 1's loss" in panel_text(app)


async def test_L_outside_a_lesson_opens_one(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    from tui.core.config import RunConfig, build

    app = TinyNetApp(build(RunConfig()), export_dir=tmp_path, save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.screen.has_class("lesson")
        # no lesson at start: the lesson panel is not composed (start-up time), only the
        # first lesson opened mounts it
        assert not app.query("#lesson") and not app.query("#lesson-answer")
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        await pilot.press("down", "enter")            # the second lesson: why-hidden
        await pilot.pause()
        assert app.lessons.lesson.key == list(BUILTIN)[1]
        assert app.screen.has_class("lesson") and app.query_one("#lesson").display
        # the panel mounted for it shows the chapter at once (not on a later redraw)
        run = app.lessons.run
        assert run.chapter.title in plain(app.query_one("#lesson-head"), 400)
        assert run.text.split("\n")[0][:30] in panel_text(app)


async def test_slow_motion_steps_and_any_key_pauses(tmp_path, monkeypatch):
    from tui.app import lesson_mode
    from tui.core.config import RunConfig, build

    monkeypatch.setattr(lesson_mode, "SLOW_PACES", (0.05, 0.03))
    monkeypatch.setattr(lesson_mode, "SLOW_DEFAULT", 0)
    app = TinyNetApp(build(RunConfig()), export_dir=tmp_path, save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        await pilot.press("o")
        assert app.lessons.slow
        for _ in range(100):
            await pilot.pause(0.02)
            if s.stepper.cursor >= 3:
                break
        assert s.stepper.cursor >= 3                  # one neuron per tick, by itself
        assert all(isinstance(a, act.Step) and a.granularity is Granularity.NEURON
                   for a in s.actions)
        await pilot.press("plus")                     # pace, still running
        assert app.lessons.slow and app.lessons.pace == 0.03
        await pilot.press("x")                        # any other key pauses (and is not run)
        assert not app.lessons.slow
        cursor = s.stepper.cursor
        ev = s.events[-1]
        if ev.is_single_neuron:                       # the highlight follows the unit
            assert s.selected == (ev.layer, ev.neurons[0]) == next(iter(s.current_unit_neurons()))
        await pilot.pause(0.2)
        assert s.stepper.cursor == cursor


def test_lesson_panel_render_functions():
    v = LessonView("L", 2, 9, "T", "text", todo="press n (1 step to go)")
    assert progress_bar(2, 8, 8) == "━━────── 2/8 done"
    assert "▶ Press n" in render_todo(v).plain
    assert "Predict" in render_todo(LessonView("L", 0, 1, "T", "x", question="Predict z = ?")).plain
    assert "Enter or PgDn for the next chapter" in render_todo(LessonView("L", 7, 9, "T", "x")).plain
    assert "Enter or PgDn finishes the lesson" in render_todo(LessonView("L", 8, 9, "T", "x")).plain


# ---------------------------------------------------------------- snapshots
def _snap_app(tmp_path):
    return lesson_app(tmp_path, "backprop", 1)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_lesson_chapter_snapshot(snap_compare, tmp_path, size):
    assert snap_compare(_snap_app(tmp_path), terminal_size=size)


# ------------------------------------------------ wave 5: slow motion, scrolling
async def test_slow_motion_says_it_runs_and_keeps_the_sample_in_the_batch(tmp_path,
                                                                          monkeypatch):
    """The lesson panel says slow motion runs (the status line says paused); with
    mini-batches each slow step goes through Session.step, which keeps the selected
    sample inside the batch just computed."""
    from tui.app import lesson_mode
    from tui.core.config import RunConfig, build

    monkeypatch.setattr(lesson_mode, "SLOW_PACES", (0.03,))
    monkeypatch.setattr(lesson_mode, "SLOW_DEFAULT", 0)
    app = lesson_app(tmp_path, "backprop", 7)           # a chapter without a question
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert app.lessons.slow
        todo = plain(app.query_one("#lesson-todo"), 400)
        assert "slow motion · 0.03 s per step · any key pauses" in todo
        for _ in range(200):                          # ≥ 2 steps (a loaded machine is slow)
            await pilot.pause(0.03)
            if app.session.stepper.cursor >= 2:
                break
        # one-neuron steps are not the chapter's n (a whole epoch): its wait goes on
        assert app.session.stepper.cursor >= 2 and not app.lessons.run.wait_done
        await pilot.press("x")                        # pauses: the line goes
        await pilot.pause()
        assert not app.lessons.slow and "slow motion" not in plain(app.query_one("#lesson-todo"), 400)

    app = TinyNetApp(build(RunConfig(task="spiral", batch=16)), export_dir=tmp_path,
                     save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        first = set(s.stepper.batch_samples(0).tolist())
        s.sample = next(k for k in range(len(s.problem.X)) if k not in first)
        await pilot.press("o")
        for _ in range(100):
            await pilot.pause(0.02)
            if s.stepper.cursor >= 2:
                break
        await pilot.press("x")
        assert s.stepper.cursor >= 1 and s.stepper.batch is not None
        assert s.sample in first, (s.sample, sorted(first))


async def test_lesson_scrolls_to_the_reveal_at_80x24(tmp_path):
    """After an answer at 80×24 the reveal's first line is in view, not below the fold."""
    from textual.containers import VerticalScroll

    from tui.app.widgets.lesson import reveal_line

    app = lesson_app(tmp_path, "backprop", 4)         # δ at a hidden neuron: long text
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        run = app.lessons.run
        scroll = app.query_one("#lesson-scroll", VerticalScroll)
        width = app.query_one("#lesson-text").size.width
        line = reveal_line(run.text, width, app.console)
        assert line >= scroll.size.height              # below the fold before
        app.query_one(AnswerInput).value = "0"
        await pilot.press("escape")                   # show the answer: the reveal
        await pilot.pause()
        await pilot.pause()
        assert run.reveal and scroll.scroll_y <= line < scroll.scroll_y + scroll.size.height
        first = run.reveal.split()[:3]
        assert " ".join(first) in plain(app.query_one("#lesson-text"), 400).replace("\n", " ")


def test_reveal_with_a_value_not_computed_keeps_its_placeholder():
    """Stepped another way than the chapter expects: the reveal shows {…}, no traceback."""
    run = live.ChapterRun(load(BUILTIN["backprop"]), 7)   # waits for one epoch step
    run.wait_done = True                                  # … marked done without it
    assert "{loss epoch 1}" in run.reveal


async def test_numbers_a_question_hides_come_back_once_it_is_answered(tmp_path):
    """backprop ch6 asks for h₁'s dw₂, which the neuron panel already holds: it is masked
    while the question is open and drawn once answered.  The hidden value is an input of
    the frame (``LessonMode.hidden`` in ``ViewKeys.view_key``), not a ``touch()``."""
    from tui.app.widgets.inspector import Inspector

    app = lesson_app(tmp_path, "backprop", 5)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        run = app.lessons.run
        truth = live.value(run.session, run.chapter.ask)
        shown = num(truth)
        inspector = app.query_one(Inspector)
        assert app.lessons.hidden == truth and inspector.secret == truth
        assert shown not in plain(inspector)
        app.query_one(AnswerInput).value = shown
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "Right" in panel_text(app) and app.lessons.hidden is None
        assert shown in plain(inspector)


def test_feedback_comes_before_what_to_do_next():
    """The verdict first, then "✓ Done" (it read in reverse: Done above Right)."""
    v = LessonView("L", 2, 9, "T", "x", feedback="✓ Right: the engine got 0.2264.", right=True)
    lines = render_todo(v).plain.splitlines()
    assert lines == ["✓ Right: the engine got 0.2264.",
                     "✓ Done: Enter or PgDn for the next chapter"]


async def test_lesson_numbers_of_y_hat_read_as_the_predictions_panel_writes_them(tmp_path):
    """backprop chapter 3 names ŷ of the four samples: written as the truth table beside
    it writes them (0.4890, not 0.489), by the panel's own formatter."""
    from tui.app.widgets.predictions import truth_table

    app = lesson_app(tmp_path, "backprop", 2)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = panel_text(app)
        view = app.frame.predictions
        table = truth_table(*view.table).plain.splitlines()[1:]
        y_hat = [row.split()[3] for row in table]
        assert len(y_hat) == 4 and all(len(v) == 6 for v in y_hat)  # 0.xxxx
        assert f"The answers now are {y_hat[0]}, {y_hat[1]}, {y_hat[2]} and {y_hat[3]}" in text
        assert any(v.endswith("0") for v in y_hat)  # the case that differed: 0.4890 vs 0.489


async def test_the_lesson_list_keeps_each_row_on_one_line_at_80x24(tmp_path):
    """L at 80×24: a lesson's row is its name, its title cut with "…" where needed and its
    progress tag whole (``[at chapter ▎`` / ``▊ 3 of 9]`` wrapped before)."""
    from tui.app.lesson_mode import lesson_row

    app = lesson_app(tmp_path, "backprop", 2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape", "L")             # (Esc: the answer box lets L through)
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        rows = [line for line in lines if "  backprop " in line]
        assert len(rows) == 1 and "[at chapter 3 of 9]" in rows[0], lines
        assert "…" in rows[0]  # the title gave way, not the tag
        tagged = [line for line in lines if "[not started]" in line or "[at chapter" in line]
        assert len(tagged) >= 3 and all(line.count("[") == line.count("]") for line in tagged)
        assert not any(line.strip("│▊▎ ").endswith("of 9]") and "[" not in line for line in lines)
        # two spaces after the longest name ('hidden-pictures What hidden …' had one), and
        # every title in one column
        named = [line for line in lines if "[not started]" in line or "[at chapter" in line]
        for line in named:  # (the list scrolls: hidden-pictures may be below)
            name, title = line.split()[2:4]
            assert line.index(title) - line.index(name) == len("hidden-pictures") + 2, line
    # the row alone, at several widths: one line, the tag whole
    from rich.console import Console
    for width in (40, 50, 68, 120):
        console = Console(width=width)
        with console.capture() as out:
            console.print(lesson_row("learning-rate", "The learning rate: too small, right, "
                                     "too large", "[at chapter 3 of 9]"))
        assert len(out.get().splitlines()) == 1 and "[at chapter 3 of 9]" in out.get()

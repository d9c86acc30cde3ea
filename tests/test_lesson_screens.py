"""Issue 22: lessons a learner can trust — each item's mechanism, headless (the app-level
walk is in tests/test_lesson_walk.py)."""
from __future__ import annotations

import pytest

from tui.lessons import catalogue as cli

from tui.lessons import live
from tui.lessons.format import load

BUILTIN = cli.builtin_lessons()


def chapter(name: str, title_start: str) -> live.ChapterRun:
    lesson = load(BUILTIN[name])
    i = next(i for i, c in enumerate(lesson.chapters) if c.title.startswith(title_start))
    return live.ChapterRun(lesson, i)


# ------------------------------------------------ item 1: play until loss ≤ L
def first_epoch_at_or_below(losses, target: float) -> int:
    return next(e for e in range(len(losses)) if losses[e] <= target)


@pytest.mark.parametrize("name, title, target, first", [
    ("backprop", "Playing until", 0.01, 2235),
    ("learning-rate", "About right", 0.01, None),
    ("initialisation", "What helps", 0.01, 307),
    ("regression", "Fitting", 0.005, 1149),
])
def test_play_until_loss_stops_where_the_breakpoint_does(name, title, target, first):
    run = chapter(name, title)
    assert run.chapter.wait.loss == target
    run.press("p")
    st = run.session.stepper
    losses = [st.losses[e] for e in range(len(st.losses))]
    hit = first_epoch_at_or_below(losses, target)
    if first is not None:
        assert hit == first          # the numbers seen in the issue
    # stopped right after the first epoch whose loss is ≤ target, as the breakpoint does
    assert st.epoch == hit + 1 and st.losses.last == losses[hit] <= target
    assert run.play_reached is True


def test_space_in_the_app_plays_to_the_same_epoch():
    """The chapter's session carries the "loss reached" breakpoint, so the app's own
    play (space, any chunking) stops where the chapter's p does."""
    run = chapter("backprop", "Playing until")
    s = run.session
    assert s.breakpoints.target and s.breakpoints.target_loss == 0.01
    while not s.stepper.breakpoint and s.stepper.epoch < 5000:
        s.play_chunk(997)   # the play worker's chunks are any size
    assert s.stepper.epoch == 2236


# ------------------------------------------- items 2, 3: the neuron asked about
def test_a_wrong_answer_keeps_the_neuron_asked_about_selected():
    for name, title in (("backprop", "The update"), ("learning-rate", "What one update")):
        run = chapter(name, title)
        assert run.session.selected == (0, 0)                 # h₁, asked about
        assert not run.answer(12345.0).right
        assert run.session.selected == (0, 0), name           # not h₂ (followed by the undo)
        assert not run.wait_done


def test_a_chapter_that_asks_about_a_neuron_selects_it_and_explains_its_step():
    run = chapter("backprop", "dw and db")                    # asks dw₂ of h₁
    s = run.session
    assert s.selected == (0, 0)
    ev = s.event_for_selected()
    assert (ev.phase.value, ev.layer, ev.neurons[0]) == ("backward", 0, 0)
    run = chapter("saturation", "The slope at the start")     # asks σ'(z) of h₁
    ev = run.session.event_for_selected()
    assert (ev.layer, ev.neurons[0]) == (0, 0)                 # h₁'s step, not ŷ's
    assert run.question.startswith("Predict σ'(z) of h₁")     # as the text writes it


def test_check_refuses_a_select_that_is_not_the_neuron_asked_about(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\nhidden: 2\nposition: epoch 0, update\n"
                 "select: h2\nask: dw h1 2\n\nPredict it.\n", encoding="utf-8")
    errors = live.check(load(f))
    assert any("select: h2 but the question is about h1" in str(e) for e in errors)


# ------------------------------------------------- item 5 / 20: waits that end
@pytest.mark.slow
def test_check_reports_a_breakpoint_wait_that_never_fires(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\nhidden: 2\nlr: 5\n"
                 "wait: play until breakpoint saturated\n\nPress p.\n", encoding="utf-8")
    errors = live.check(load(f))
    assert len(errors) == 1 and "'saturated' breakpoint does not fire" in str(errors[0])
    assert ":7:" in str(errors[0])  # the wait's line


def test_saturation_chapter_4_plays_to_a_breakpoint_that_fires():
    run = chapter("saturation", "The breakpoint that catches it")
    assert run.chapter.wait.breakpoint == "vanishing"
    run.press("p")
    assert run.play_reached and run.session.stepper.breakpoint
    assert "vanishing gradient" in run.session.stepper.breakpoint


def test_check_says_when_a_question_becomes_computable(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\nhidden: 2\nposition: epoch 0, forward, h2\n"
                 "ask: delta h1 sample 2\n\nPredict it.\n", encoding="utf-8")
    (e,) = live.check(load(f))
    assert "becomes available with h₁'s backward step" in str(e)
    assert "'position: epoch 0, backward, h₁' and 'wait: step'" in str(e)
    assert "malformed" not in str(e)


@pytest.mark.parametrize("ask", ["loss", "loss epoch 3"])
def test_a_loss_asked_before_any_play_says_which_wait_computes_it(tmp_path, ask):
    # a well-formed question asked too early is not "malformed": the message names the fix
    f = tmp_path / "l.md"
    f.write_text(f"# T\n\n## One\ntask: xor\nask: {ask}\n\nPredict, then press Enter.\n",
                 encoding="utf-8")
    (e,) = live.check(load(f))
    assert ":5: question not computable here:" in str(e) and "(at epoch 0)" in str(e)
    assert "'wait: play N epochs'" in str(e)
    assert "malformed" not in str(e)


def test_a_value_the_wait_computes_used_before_it_says_where_it_goes(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\ngranularity: epoch\nwait: play 5 epochs\n"
                 "ask: loss\nhint: it started at {loss epoch 0}\n\nPredict, then press Enter.\n"
                 "\n## Two\ntask: xor\n\nNo wait: {loss}.\n", encoding="utf-8")
    first, second = (str(e) for e in live.check(load(f)))
    assert ":8: bad placeholder: {loss epoch 0}" in first
    assert "filled in when the chapter opens, before its wait" in first
    assert ":15: bad placeholder: {loss}" in second and "before its wait" not in second


# ------------------------------------------------- item 7: numbers in prose
def test_check_flags_numbers_typed_into_prose(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\nhidden: 2\nposition: epoch 1\nask: loss\n"
                 "hint: about 0.2257\n\nThe initial weight is 0.04362 and the loss 0.25,\n"
                 "a tiny 3.6e-05, a constant `3.14159`, and {w h1 1}.\n", encoding="utf-8")
    errors = [str(e) for e in live.check(load(f))]
    assert len(errors) == 3, errors
    assert any(":8:" in e and "0.2257" in e for e in errors)       # the hint
    assert any(":10:" in e and "0.04362" in e for e in errors)
    assert any(":11:" in e and "3.6e-05" in e for e in errors)


def test_check_flags_a_number_that_ends_a_sentence(tmp_path):
    # "The loss is 0.04362." is how a teacher types it: the full stop must not hide it;
    # a version number (0.2.0) is no engine number
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\n\nThe weight is 0.04362.\nIn 0.2.0 it was 0.5.\n"
                 "---\nb is -0.1234.\n", encoding="utf-8")
    errors = [str(e) for e in live.check(load(f))]
    assert len(errors) == 2, errors
    assert any(":6:" in e and "0.04362 is typed" in e for e in errors)
    assert any(":9:" in e and "-0.1234 is typed" in e for e in errors)


def test_check_flags_a_loss_put_beside_the_next_epoch(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## One\ntask: xor\nhidden: 2\nlr: 5\nwait: play until loss 0.1\n\n"
                 "Press p.\n---\nThe loss is {loss} at epoch {epoch}.\n", encoding="utf-8")
    (e,) = live.check(load(f))
    assert "'{loss}' is epoch" in str(e) and "{last epoch}" in str(e)


@pytest.mark.parametrize("name", list(BUILTIN))
def test_builtin_lessons_pass_the_prose_checks(name):
    from tui.lessons.lint import typed_numbers

    assert typed_numbers(load(BUILTIN[name])) == []


def test_initialisation_shows_the_initial_weights_and_the_right_epochs():
    run = chapter("initialisation", "Why everything starts at 0.25")
    s = run.session
    assert s.stepper.epoch == 0 and "0.04445" in run.text and "0.2264" in run.text
    run = chapter("initialisation", "Another seed")
    run.press("p")
    st = run.session.stepper
    assert f"epoch {st.epoch - 1} had a loss of {live.num(st.losses.last)}" in run.reveal


# --------------------------------------------- item 16: play questions
PLAY_QUESTION = """# T

## Play and predict
task: xor
hidden: 2
lr: 5
position: epoch 0
wait: play 100 epochs
ask: loss

Predict the loss after 100 epochs of playing.
"""


def test_a_wrong_answer_to_a_play_question_takes_the_play_back(tmp_path):
    f = tmp_path / "l.md"
    f.write_text(PLAY_QUESTION, encoding="utf-8")
    run = live.ChapterRun(load(f), 0)
    st = run.session.stepper
    wrong = run.answer(12345.0)
    assert not wrong.right and st.epoch == 0 and not run.wait_done
    right = run.answer(wrong.truth)
    assert right.right and st.epoch == 100 and right.truth == wrong.truth


# ------------------------------------------- item 13: save the initial weights
def test_train_with_zero_epochs_saves_the_initial_weights(tmp_path, capsys):
    import numpy as np

    from nn import load as load_model
    from tui.cli.main import main
    from tui.core.config import RunConfig, build

    out = tmp_path / "m.npz"
    assert main(["train", "--task", "xor", "--epochs", "0", "--save", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "initial weights" in printed and "nan" not in printed
    net, _ = load_model(out)
    fresh = build(RunConfig(task="xor")).net
    for saved, initial in zip(net.layers, fresh.layers):
        assert np.array_equal(saved.W, initial.W) and np.array_equal(saved.b, initial.b)
    assert main(["sweep", "--task", "xor", "--epochs", "0"]) == 2   # a sweep still needs ≥ 1


# ------------------------------------------- item 17: worksheets carry operands
def test_worksheet_questions_carry_their_operands(tmp_path):
    from tui.lessons.worksheet import worksheet

    f = tmp_path / "l.md"
    f.write_text("# T\n\n## Z\ntask: xor\nhidden: 2\nposition: epoch 0, forward, h1\n"
                 "sample: 2\nwait: step\nask: z h1 sample 2\n\nPredict it.\n"
                 + PLAY_QUESTION.split("\n", 2)[2], encoding="utf-8")
    text = worksheet(load(f))
    z = text[text.index("**Question 1.**"):text.index("## 2.")]
    for words in ("w₁ of h₁ = 0.04445", "w₂ of h₁ = 0.2264", "x₁ of sample 2 = 0",
                  "x₂ of sample 2 = 1", "b of h₁ = 0"):
        assert words in z, words
    play = text[text.index("**Question 2.**"):]
    assert "after playing 100 epochs from epoch 0" in play


# ------------------------------------------- item 18: every run setting is a key
def test_lesson_keys_set_every_run_setting_with_the_clis_bounds(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## A\ntask: spiral3\nhidden: 8, 8\nactivation: relu, tanh\n"
                 "optimizer: adam\nfeatures: x1, x2, x1x2\ninit: he\nbatch: 16\nnoise: 0.1\n"
                 "weight-decay: 0.0001\nloss: softmax-ce\nlr: 0.01\nask: accuracy\n\nText.\n"
                 "\n## B\nposition: epoch 3\n\nSame network.\n", encoding="utf-8")
    lesson = load(f)
    assert live.check(lesson) == []
    for i in (0, 1):   # carried over to the next chapter
        s = live.ChapterRun(lesson, i).session
        cfg = s.config
        assert (cfg.task, cfg.optimizer, cfg.init, cfg.batch, cfg.noise, cfg.weight_decay) == \
            ("spiral3", "adam", "he", 16, 0.1, 0.0001)
        assert cfg.activation == ("relu", "tanh") and s.net.sizes[0] == 3
    for bad, words in (("batch: 0", "batch"), ("momentum: 1", "momentum"),
                       ("activation: softmax", "output layers only"),
                       ("optimizer: sgd", "optimizer"), ("features: x3", "unknown feature")):
        f.write_text(f"# T\n\n## A\n{bad}\n\nText.\n", encoding="utf-8")
        with pytest.raises(Exception) as exc:
            load(f)
        assert ":4:" in str(exc.value) and words in str(exc.value), bad


def test_accuracy_questions(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## A\ntask: xor\nhidden: 2\nlr: 5\nwait: play 3000 epochs\n"
                 "ask: accuracy\n\nPredict it.\n", encoding="utf-8")
    run = live.ChapterRun(load(f), 0)
    assert run.answer(100.0).right and "accuracy" in run.question


# ------------------------------------------------------------- item 19
def test_a_second_separator_is_an_error(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## A\ntask: xor\n\nText.\n---\nReveal.\n---\nMore.\n", encoding="utf-8")
    with pytest.raises(Exception) as exc:
        load(f)
    assert ":9: a second '---'" in str(exc.value)


def test_two_layer_neuron_names_in_ascii():
    sizes = (2, 3, 3, 1)
    assert live.neuron_index("h¹₂", sizes) == live.neuron_index("h1_2", sizes) == \
        live.neuron_index("h[1,2]", sizes) == (0, 1)
    assert live.neuron_index("h[2, 3]", sizes) == (1, 2)
    with pytest.raises(ValueError, match="h1_2 or h"):
        live.neuron_index("h9", sizes)


def test_check_reports_every_problem_of_a_chapter(tmp_path):
    f = tmp_path / "l.md"
    f.write_text("# T\n\n## A\ntask: xor\ncolour: red\nposition: epoch 0, forward, h7\n\n"
                 "Text.\n", encoding="utf-8")
    errors = []
    try:
        load(f)
    except Exception as exc:  # LessonErrors, with the lesson still checkable
        errors += exc.errors
        errors += live.check(exc.lesson)
    text = "\n".join(map(str, errors))
    assert ":5: unknown key 'colour'" in text and ":6: unreachable position" in text


# ------------------------------------------------------------- item 15
def test_a_finished_lesson_reopens_with_an_empty_bar(tmp_path):
    from tui.lessons.progress import Progress

    progress = Progress(tmp_path / "p.json")
    progress.record("why-hidden", 3, 4, done=True, completed={0, 1, 2, 3})
    session = cli.start_lesson("why-hidden", progress)
    assert session.index == 0 and session.completed == set()


# ------------------------------------------------ item 11: the neuron panel
def test_the_neuron_panel_never_cuts_a_value():
    from tui.app.widgets.inspector import num_a, render_inspector
    from tui.view.frame import PanelSizes, build_frame

    run = chapter("saturation", "Vanishing gradients")
    s = run.session
    with s.lock:
        view = build_frame(s, PanelSizes(loss_width=60, map_cols=16, map_rows=8)).neuron
    full = render_inspector(view, None).plain
    values = {tok for line in full.splitlines() for tok in line.split()
              if any(c.isdigit() for c in tok) and not tok.startswith("(")}
    for width in (26, 30, 35):
        text = render_inspector(view, width).plain
        assert max(len(line) for line in text.splitlines()) <= width, width
        shown = {tok for line in text.splitlines() for tok in line.split()}
        assert values <= shown, (width, values - shown)
    assert num_a(0.99989) == "0.99989" and num_a(0.5564) == "0.5564"
    assert num_a(-0.999999) == "-0.999999"


# ------------------------------------------------------------- item 19: > in the box
async def test_greater_than_in_the_answer_box_changes_chapter_and_letters_are_not_typed(tmp_path):
    from tui.app.app import TinyNetApp
    from tui.app.widgets.lesson import AnswerInput

    ls = live.LessonSession(load(BUILTIN["backprop"]), "backprop", 0, None)
    app = TinyNetApp(ls.chapter.session.problem, lesson=ls, save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        field = app.query_one(AnswerInput)
        assert app.focused is field
        await pilot.press("n", "0", ".", "5")
        assert field.value == "0.5"                  # n is not typed (nor stepped)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert app.lessons.lesson.index == 1
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert app.lessons.lesson.index == 0


# ------------------------------------------------ item 12: log ticks on short ranges
@pytest.mark.parametrize("lo, hi, rows", [(0.187, 0.26, 5), (0.1, 0.3, 4), (0.2, 0.25, 3),
                                          (1e-3, 0.3, 12), (0.0098, 0.26, 8)])
def test_every_log_tick_label_is_the_value_of_its_row(lo, hi, rows):
    import math

    from tui.app.widgets.loss_chart import axis_ticks

    a, b = math.log10(lo), math.log10(hi)
    h = (b - a) / (rows - 1)
    ticks, labels = axis_ticks(a, b, rows, most=max(2, rows // 2))
    assert len(ticks) >= 2
    for t, label in zip(ticks, labels):
        value = float(label.replace("10⁻¹", "0.1").replace("10⁻²", "0.01")
                      .replace("10⁻³", "0.001"))
        # what plotext draws on the row nearest the tick reads as the label, to half a row
        row_value = a + round((t - a) / h) * h
        assert abs(math.log10(value) - row_value) <= h / 2 + 0.03, (label, 10 ** row_value)


# ------------------------------------------------------------- item 10: the app's quiz
async def test_the_quiz_selects_the_neuron_it_asks_about():
    from nn import Phase
    from tui.app.app import TinyNetApp
    from tui.app.screens.number import NumberScreen
    from tui.core.config import RunConfig, build

    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        await pilot.press("z")
        while s.phase is not Phase.UPDATE:        # every backward question skipped with a step
            s.step()
        s.select(1, 0)                            # the panel shows ŷ …
        await pilot.press("n")                    # … the quiz asks w₁ of h₁ after its update
        await pilot.pause()
        assert isinstance(app.screen, NumberScreen) and "of h₁" in app.screen.prompt
        assert s.selected == (0, 0) and app.frame.neuron.name == "h₁"


def test_a_decade_label_never_sits_on_a_row_half_a_decade_away():
    import math

    from tui.app.widgets.loss_chart import axis_ticks

    # spiral's chart at 120×40: 0.25 … 0.005 plus the legend's headroom on 4 rows
    a, b, rows = math.log10(0.005), math.log10(1.0), 4
    h = (b - a) / (rows - 1)
    ticks, labels = axis_ticks(a, b, rows, most=2)
    assert "1" not in labels and "10⁻¹" not in labels
    for t in ticks:
        assert abs((t - a) / h - round((t - a) / h)) < 1e-9       # on a row

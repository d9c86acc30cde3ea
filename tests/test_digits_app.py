"""The digits screen in the app: its panels, keys and mouse, and snapshots at both sizes."""
import re

import numpy as np
import pytest

from tui.app.app import TinyNetApp
from tui.core.config import build, task_config
from tui.core.digits_state import digits_state
from tui.app.widgets.confusion import ConfusionPanel
from tui.app.widgets.digit_diagram import DigitDiagram
from tui.app.widgets.weight_grid import WeightGrid

from helpers import played


DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def digits_app() -> TinyNetApp:
    return TinyNetApp(build(task_config("digits")))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_digits_screen(snap_compare, size, monkeypatch):
    """After 2 epochs: the picture, the bars, the weight grid, the chain rule of h₁."""
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert snap_compare(digits_app(), run_before=played(2, "down", "n", "n"),
                        terminal_size=size)


def test_digits_large_neuron_and_confusion(snap_compare, monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")
    keys = ["down"] + ["n"] * 40 + ["m", "v"]
    assert snap_compare(digits_app(), run_before=played(2, *keys), terminal_size=(120, 40))


async def test_panels_show_and_hide_with_the_task():
    app = digits_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen_stack[0]
        assert screen.has_class("digits")
        assert app.query_one(WeightGrid).display and app.query_one(DigitDiagram).display
        assert not app.query_one("#diagram").display
        assert not app.query_one(ConfusionPanel).display
        await pilot.press("v")
        await pilot.pause()
        assert app.query_one(ConfusionPanel).display and not app.query_one("#loss").display


async def test_keys_walk_mistakes_toggle_large_and_draw():
    app = digits_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.play_chunk(1)
        await pilot.press("i")
        await pilot.pause()
        state = digits_state(app.session)
        assert state.mistake == 0 and app.frame.digits.source == "test"
        first = app.frame.digits.title
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert state.mistake == 1 and app.frame.digits.title != first
        await pilot.press("i")
        assert state.mistake is None
        await pilot.press("m")
        await pilot.pause()
        assert state.large and app.frame.digits.large
        await pilot.press("m")
        # a click on the picture inks a pixel; the probabilities follow the drawing
        box = app.query_one(DigitDiagram).box  # offsets count the border (1) and padding (1)
        await pilot.click(DigitDiagram, offset=(2 + box.x + 2 * 3 + 1, 1 + box.y + 2))
        await pilot.pause()
        app.redraw(force=True)
        assert state.drawing is not None and state.drawing.reshape(8, 8)[2, 3] == 1.0
        v = app.frame.digits
        assert v.source == "drawing"
        assert np.allclose(v.probs, app.session.net.predict(state.drawing[None])[0])
        await pilot.click(DigitDiagram, offset=(2 + box.x + 2 * 3, 1 + box.y + 2), button=3)
        await pilot.pause()
        assert state.drawing.reshape(8, 8)[2, 3] == 0.0
        await pilot.press("backspace")
        await pilot.pause()
        assert state.drawing is None


async def test_clicking_a_weight_picture_selects_its_neuron():
    app = digits_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        grid = app.query_one(WeightGrid)
        x, y = grid.layout_.origin(9)
        await pilot.click(WeightGrid, offset=(x + 1 + 2, y + 1 + 1))  # + border, padding
        await pilot.pause()
        assert app.session.selected == (0, 9)


async def test_digits_keys_elsewhere_say_what_they_are_for():
    app = TinyNetApp(build(task_config("xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert not app.screen_stack[0].has_class("digits")
        assert any("image tasks" in str(n.message) for n in app._notifications)


async def test_export_key_writes_the_digit_pictures(tmp_path):
    app = TinyNetApp(build(task_config("digits")), export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.play_chunk(1)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
    names = {p.name for p in tmp_path.rglob("*.png")}
    assert {"loss.png", "weights.png", "confusion.png", "mistakes.png"} <= names


def test_a_branch_of_digits_trains_on_and_the_panels_follow_it():
    from tui.view.digits_frame import digits_view
    from tui.core.session import Session

    s = Session(build(task_config("digits")))
    s.play_chunk(1)
    s.fork()
    s.set_lr(0.05)
    s.play_chunk(1)
    b = digits_view(s)
    assert np.array_equal(b.weights, s.net.layers[0].W.T)
    s.switch_branch(0)
    a = digits_view(s)
    assert s.stepper.epoch == 2 and not np.array_equal(a.weights, b.weights)  # both played
    assert np.array_equal(a.weights, s.net.layers[0].W.T)


async def test_n_steps_backprop_on_a_drawn_digit_on_a_copy():
    app = digits_app()
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.session
        main.play_chunk(1)
        before = main.net._flat()[0].copy()
        cursor = (main.stepper.epoch, main.stepper.cursor)
        box = app.query_one(DigitDiagram).box
        for col in (3, 4):
            await pilot.click(DigitDiagram, offset=(2 + box.x + 2 * col, 1 + box.y + 2))
        await pilot.press("n")  # which digit is it? nothing is stepped yet
        await pilot.pause()
        assert app.session is main and (main.stepper.epoch, main.stepper.cursor) == cursor
        await pilot.press("3", "7", "g", "g", "n", "n", "n")  # the last digit counts; phases
        await pilot.pause()
        probe = app.session
        assert probe is not main and probe.problem.X.shape == (1, 64)
        assert probe.problem.y[0].argmax() == 7
        drawn = digits_state(main).drawing
        assert np.array_equal(probe.problem.X[0], drawn)
        app.redraw(force=True)
        v = app.frame.digits
        assert v.title.startswith("your 7, on a copy") and v.label == 7
        # the narration and the dw picture are the copy's, for this one sample
        first = probe.net.layers[0]
        assert v.dw is not None and np.allclose(v.dw, first.dW[:, v.selected])
        assert np.array_equal(main.net._flat()[0], before)  # the real run is untouched
        await pilot.press("backspace")
        await pilot.pause()
        assert app.session is main and digits_state(main).drawing is None
        assert (main.stepper.epoch, main.stepper.cursor) == cursor


def test_t_from_digits_goes_to_and_with_ands_training():
    """t cycles the 2-input tasks; from digits it goes to the first, and digits' Adam,
    batch 32, test set and weight decay do not follow to its four rows."""
    from tui.core.session import Session

    s = Session(build(task_config("digits")))
    assert s.next_task() == "and"
    assert s.config.optimizer == "gd" and s.config.batch is None
    assert s.config.test_fraction == 0.0 and s.config.weight_decay == 0.0
    mine = Session(build(task_config("digits", optimizer="momentum")))
    mine.next_task()
    assert mine.config.optimizer == "momentum"  # what the user chose stays


async def test_full_stop_pages_through_a_hidden_neurons_64_weights():
    """The neuron panel shows 16 of h's 64 weights and pages on with `.` (after the last page,
    the first); every row shown is the engine's weight."""
    from tui.app.widgets.inspector import Inspector
    from tui.core.format import num

    app = digits_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        inspector = app.query_one(Inspector)
        w = app.session.net.layers[0].W[:, 0]  # h₁'s incoming weights (the selected neuron)

        def rows() -> dict[int, str]:
            """The weight rows shown: {k: its line} (the first table's, w₁ = 1)."""
            found = {}
            for line in str(inspector.render()).splitlines():
                m = re.match(r"w([₀-₉]+) ", line)
                if m:
                    found.setdefault(int(m[1].translate(DIGITS)), line)
            return found

        seen = []
        for page in range(5):
            shown = rows()
            seen.append(sorted(shown))
            for k, line in shown.items():
                assert num(w[k - 1]) in line, (k, line)
            text = str(inspector.render())
            assert ("of 64 (last: . back to w₁)" if page == 3
                    else f"of 64 ({48 - 16 * (page % 4)} more: . next)") in text
            assert text.index("of 64") < text.index("value")  # above the table: never cut off
            await pilot.press("full_stop")
            await pilot.pause()
        assert seen[:4] == [list(range(1 + 16 * p, 17 + 16 * p)) for p in range(4)]
        assert seen[4] == seen[0]  # after the last page, the first


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_a_mistakes_title_always_shows_its_true_class(size):
    """`i` titled the picture 'test mistake 1 of 323 (row 1) · true class 5', cut at the
    panel's width to '… · true cl' (120×40) and '… · true c' (80×24): the class is kept now."""
    from helpers import shown_lines

    app = digits_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        app.redraw(force=True)
        await pilot.pause()
        view = app.frame.digits
        assert view.source == "test" and "(row " in view.title
        title = shown_lines(app.query_one(DigitDiagram))[1].strip("│ ")
        assert re.search(rf"\btrue (class )?{view.label}\b", title), title
        assert title.startswith("test mistake 1 of "), title


def test_a_digit_title_drops_words_before_the_true_class():
    from tui.app.widgets.digit_diagram import fit_title

    title = "test mistake 123 of 323 (row 456)"
    assert fit_title(title, 7, 80) == "test mistake 123 of 323 (row 456) · true class 7"
    assert fit_title(title, 7, 37) == "test mistake 123 of 323 · true 7"
    assert fit_title(title, 7, 30).startswith("true 7 · test mistake")
    assert fit_title("your drawing", None, 10) == "your drawing"  # no class: as it is


async def test_the_confusion_matrix_fits_80x24():
    """`v` at 80×24: every class's line shows whole (its % too) and the summary (in the
    title); before, the % column read '  0│', 8 and 9 and the summary were cut off."""
    from helpers import shown_lines

    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        app.redraw(force=True)
        await pilot.pause()
        panel = app.query_one(ConfusionPanel)
        assert panel.display and app.screen.region.contains_region(panel.region)
        view = app.frame.digits
        lines = shown_lines(panel)
        rows = [line.strip("│ ").split() for line in lines[1:]]
        rows = [row for row in rows if row and row[0].isdigit()]
        assert [row[0] for row in rows] == [str(i) for i in range(10)], lines
        c = view.confusion
        for i, row in enumerate(rows):
            assert row[-1] == f"{c[i, i] / c[i].sum():.0%}", lines
        assert f"{view.accuracy:.1%}" in lines[0] and f"{view.mistakes} wrong: i" in lines[0]


async def test_drawing_keys_with_nothing_drawn_say_how_to_draw():
    """0–9 and Backspace did nothing visible when nothing was drawn: each says now that a
    digit is drawn on the picture first (click or drag), and the run is left as it was."""
    from tui.core import actions_local as local

    app = digits_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key, said in (("7", "7: which digit a drawing is"),
                          ("backspace", "Backspace clears a drawing")):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            messages = [str(n.message) for n in app._notifications]
            assert any(m.startswith(said) and "draw a digit on the picture" in m
                       and "click" in m for m in messages), messages
        assert app.digits_state.drawing is None and app.session.actions == []
        app.session.apply(local.Paint(3, 3, False))  # a drawing: Backspace clears it
        app.clear_notifications()
        await pilot.press("backspace")
        await pilot.pause()
        assert [str(n.message) for n in app._notifications] == ["drawing cleared"]

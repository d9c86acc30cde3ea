"""Pilot tests: press the keys a person would and check what changed."""
import io

import numpy as np
import pytest
from rich.console import Console
from rich.text import Text

from nn import Granularity, Phase
from tui.app.app import TinyNetApp
from tui.core.config import RunConfig, build
from tui.core.format import num
from tui.app.screens.gradcheck import GradCheckScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.number import NumberScreen
from tui.app.widgets.diagram import NetworkDiagram
from tui.app.widgets.narration import Narration, narrate

from helpers import make_app, plain, status


async def test_starts_on_xor_221_paused_at_epoch_0():
    app = make_app()
    async with app.run_test(size=(120, 40)):
        s = app.session
        assert s.config.task == "xor" and s.net.sizes == [2, 2, 1] and s.config.seed == 0
        assert s.stepper.epoch == 0 and not app.playing
        assert "epoch 0" in status(app) and "paused" in status(app)
        for panel in ("#diagram", "#inspector-box", "#narration", "#loss", "#predictions"):
            region = app.query_one(panel).region
            assert region.width >= 40 and region.height >= 10, (panel, region)


async def test_neuron_steps_walk_the_epoch_and_highlight():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        s = app.session
        assert s.events[0].phase is Phase.FORWARD and s.events[0].neurons == (0, 1)
        assert s.current_unit_neurons() == {(0, 0)} and s.selected == (0, 0)
        await pilot.press("n", "n")
        assert s.phase is Phase.LOSS
        await pilot.press("n")  # loss
        assert "loss 0.2" in status(app)
        for _ in range(6):
            await pilot.press("right")
        assert s.stepper.epoch == 1 and "epoch 1" in status(app)


async def test_granularity_cycles_and_epoch_steps():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g")
        assert app.session.granularity is Granularity.LAYER and "step: layer" in status(app)
        await pilot.press("g", "g")
        assert app.session.granularity is Granularity.EPOCH
        await pilot.press("n", "n", "n")
        assert app.session.stepper.epoch == 3
        await pilot.press("g")
        assert app.session.granularity is Granularity.NEURON


async def test_inspector_shows_the_engines_numbers():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g", "g", "g", "n", "n", "g")  # two epochs, back to neuron
        view = app.frame.neuron
        layer, j = app.session.selected
        engine = app.session.net.layers[layer].neurons[j]
        np.testing.assert_array_equal(view.w, engine.w)
        np.testing.assert_array_equal(view.dw, engine.dw)
        assert view.b == engine.b and view.db == engine.db
        shown = plain(app.query_one("#inspector"))
        for value in (*engine.w, engine.b, *engine.dw, engine.db):
            assert num(value) in shown


async def test_narration_numbers_equal_the_engine():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")  # forward h₁
        text = plain(app.query_one("#narration"))
        n = app.session.net.layers[0].neurons[0]
        i = app.session.sample
        x = app.session.problem.X[i]
        assert f"= {num(n.z[i])}" in text and f"= {num(n.a[i])}" in text
        assert num(n.w[0]) in text and num(x[1]) in text
        await pilot.press("n", "n", "n", "n")  # ..., loss, backward output
        text = plain(app.query_one("#narration"))
        ev = app.session.events[-1]
        out = app.session.net.layers[1]
        assert ev.delta[i, 0] == out.delta[i, 0]
        assert f"= {num(out.delta[i, 0])}" in text
        assert f"{num(ev.dA[i, 0])}" in text and f"{num(ev.fprime[i, 0])}" in text
        assert f"= {num(out.dW[0, 0])}" in text


async def test_selection_by_keys_and_click():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.session.selected == (1, 0)
        await pilot.press("down")
        assert app.session.selected == (0, 0)
        await pilot.press("down")
        assert app.session.selected == (0, 1)
        await pilot.press("up", "up")
        assert app.session.selected == (1, 0)
        diagram = app.query_one(NetworkDiagram)
        box = next(b for b in diagram.boxes if (b.layer, b.index) == (0, 1))
        await pilot.click(NetworkDiagram, offset=(box.x + 2 + diagram.styles.padding.left + 1,
                                                  box.y + 1))
        assert app.session.selected == (0, 1)


async def test_play_and_pause():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus", "plus", "plus")  # 1000 epochs/s
        await pilot.press("space")
        assert app.playing
        for _ in range(100):
            await pilot.pause(0.02)
            if app.session.stepper.epoch >= 20:
                break
        await pilot.press("space")
        assert not app.playing
        await app.workers.wait_for_complete()
        epoch = app.session.stepper.epoch
        assert epoch >= 20
        await pilot.pause(0.1)
        assert app.session.stepper.epoch == epoch
        assert app.redraws > 2


async def test_keys_mid_play_do_not_crash(brisk_keys):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await pilot.pause(0.05)
        await pilot.press("n", "space", "t", "space", "R", "space", "r", "g", "space")
        await pilot.pause(0.05)
        await pilot.press("space")
        await app.workers.wait_for_complete()
        assert app.session.config.task == "regression"
        assert app.session.net.params_finite()


async def test_reset_new_seed_and_next_task():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        W0 = app.session.net.layers[0].W.copy()
        await pilot.press("g", "g", "g", "n", "n")
        assert not np.array_equal(app.session.net.layers[0].W, W0)
        await pilot.press("r")
        np.testing.assert_array_equal(app.session.net.layers[0].W, W0)
        assert app.session.stepper.epoch == 0
        await pilot.press("R")
        assert app.session.config.seed == 1
        assert not np.array_equal(app.session.net.layers[0].W, W0)
        await pilot.press("t")
        assert app.session.config.task == "regression"
        assert app.session.net.describe() == "2–16–1 sigmoid/identity"
        assert "regression" in status(app)


async def test_learning_rate_dialog():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        assert isinstance(app.screen, NumberScreen)
        await pilot.press(*"-1", "enter")  # the old value is selected: typing replaces it
        assert isinstance(app.screen, NumberScreen)  # refused, still open
        assert "positive" in plain(app.screen.query_one("#number-error"))
        await pilot.press("backspace", "backspace", *"0.5", "enter")
        assert not isinstance(app.screen, NumberScreen)
        assert app.session.stepper.lr == 0.5 and "lr 0.5" in status(app)


async def test_export_and_save_write_files(tmp_path):
    app = make_app(tmp_path, task="regression")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g", "g", "g", "n", "n", "n")
        await pilot.press("e")
        await app.workers.wait_for_complete()
        folder = tmp_path / "regression-epoch3"
        assert (folder / "loss.png").stat().st_size > 10_000
        assert (folder / "surface.png").stat().st_size > 10_000
        await pilot.press("s")
        assert (tmp_path / "tinynet-regression-epoch3.npz").exists()
        await pilot.press("s", "e")  # never overwrites: new names
        await app.workers.wait_for_complete()
        assert (tmp_path / "tinynet-regression-epoch3-2.npz").exists()
        assert (tmp_path / "regression-epoch3-2" / "loss.png").exists()


async def test_help_screen_lists_every_key_and_a_glossary():
    from tui.app.screens.help import display_key

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = plain(app.screen.query_one("#help-keys"))
        for b in app.BINDINGS:
            assert b.tooltip and b.tooltip in keys, b
            for k in b.key.split(","):
                assert display_key(k) in keys, k
        glossary = plain(app.screen.query_one("#help-glossary"))
        for symbol in ("z", "a", "ŷ", "L", "∂L/∂ŷ", "δ", "dw", "db", "lr", "epoch", "granularity",
                       "last Δ"):
            assert symbol in glossary, symbol
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_nan_pauses_and_says_so(recwarn):
    app = make_app(task="regression", lr=1e6)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        for _ in range(100):
            await pilot.pause(0.02)
            if not app.playing:
                break
        assert not app.playing and app.session.is_halted
        assert "NaN/inf" in status(app)
        await pilot.press("g", "g", "g", "n", "y", "c", "escape")  # draw, step, check: all quiet
        await app.workers.wait_for_complete()
        numpy_warnings = [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
        assert numpy_warnings == [], [str(w.message) for w in numpy_warnings]
        await pilot.press("r")
        assert not app.session.is_halted and app.session.net.params_finite()


async def test_compact_layout_at_80x24():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.has_class("compact")
        assert app.query_one("#loss").display and not app.query_one("#predictions").display
        await pilot.press("v")
        assert app.query_one("#predictions").display and not app.query_one("#loss").display
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.screen.has_class("compact")
        await pilot.press("v")                  # both panels shown: v says so, changes nothing
        assert app.query_one("#predictions").display and app.query_one("#loss").display
        assert any("here both are shown" in str(n.message) for n in app._notifications)


def test_narrate_before_any_step_tells_what_to_do():
    from tui.view.views import NarrationView

    view = NarrationView(event=None, neuron=0, sample=0, sizes=(2, 2, 1), activation_symbol="σ",
                         n_samples=4, halted=None, all_zero_inputs=False)
    assert "Press n" in str(narrate(view))


async def test_back_rewinds_to_the_exact_earlier_state():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        await pilot.press("n", "n", "n")
        narration = plain(app.query_one("#narration"))
        W = [l.W.copy() for l in s.net.layers]
        z = s.net.layers[1].z.copy()
        await pilot.press("n", "n", "n", "n", "n", "n", "n")  # through the update
        assert s.stepper.epoch == 1
        for _ in range(7):
            await pilot.press("b")
        assert (s.stepper.epoch, s.stepper.cursor) == (0, 3)
        for a, l in zip(W, s.net.layers):
            np.testing.assert_array_equal(a, l.W)
        np.testing.assert_array_equal(z, s.net.layers[1].z)
        assert plain(app.query_one("#narration")) == narration
        await pilot.press("left", "left", "left")
        assert (s.stepper.epoch, s.stepper.cursor) == (0, 0)
        await pilot.press("left")  # nothing before epoch 0: a message, no crash
        assert (s.stepper.epoch, s.stepper.cursor) == (0, 0)


async def test_the_time_travel_dialogs_say_the_epochs_they_reach():
    """At epoch 0 j and d asked for 'the start of epoch (0–0)': a range of one. They say
    'epoch 0 (the only one so far)' then, and 'epoch (0–3)' once there are more."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("j", "d"):
            await pilot.press(key)
            prompt = plain(app.screen.query("Label").first())
            assert "start of epoch 0 (the only one so far)" in prompt and "0–0" not in prompt
            await pilot.press("escape")
        app.session.play_chunk(3)
        for key in ("j", "d"):
            await pilot.press(key)
            assert "start of epoch (0–3)" in plain(app.screen.query("Label").first())
            await pilot.press("escape")


async def test_jump_to_a_recorded_epoch():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.play_chunk(40)
        W10 = app.session.stepper.snapshot(10)[0][0].copy()
        await pilot.press("j", *"99", "enter")
        assert isinstance(app.screen, NumberScreen)  # out of range: stays open
        await pilot.press("backspace", "backspace", *"10", "enter")
        assert app.session.stepper.epoch == 10
        np.testing.assert_array_equal(app.session.net.layers[0].W, W10)
        assert "epoch 10" in status(app)


async def test_breakpoint_screen_and_play_stops_at_the_breakpoint():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        screen = app.screen
        await pilot.click("#bp-target")
        target = screen.query_one("#bp-target_loss")
        target.value = "abc"
        await pilot.click("#bp-apply")
        assert app.screen is screen and "not a number" in plain(screen.query_one("#bp-error"))
        target.value = "0.05"
        target.focus()
        await pilot.press("enter")  # Enter in a field applies too
        assert app.screen is not screen, plain(screen.query_one("#bp-error"))
        assert app.session.breakpoints.target and app.session.breakpoints.target_loss == 0.05
        await pilot.press("plus", "plus", "plus", "space")
        for _ in range(200):
            await pilot.pause(0.02)
            if not app.playing:
                break
        assert not app.playing
        losses = app.session.stepper.losses
        assert losses[-1] <= 0.05 < losses[-2]
        assert "breakpoint" in status(app)


async def wait_for_check(app, pilot):
    for _ in range(200):
        await pilot.pause(0.02)
        if app.screen.result is not None:
            return app.screen.result
    raise AssertionError("gradient check did not finish")


async def test_gradient_check_screen_passes_on_the_engine():
    app = make_app(task="regression")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g", "g", "g", "n", "n", "c")
        result = await wait_for_check(app, pilot)
        assert result.ok and len(result.checks) == app.session.net.n_params
        assert "✓ PASS" in plain(app.screen.query_one("#gc-verdict"))
        assert app.screen.query_one("#gc-table").row_count == app.session.net.n_params


async def test_gradient_check_screen_catches_an_injected_bug(monkeypatch):
    from nn.activations import Sigmoid

    right = Sigmoid.delta  # what backpropagation calls: δ = dA·σ'(z)
    monkeypatch.setattr(Sigmoid, "delta", lambda self, dA, z, a: 1.1 * right(self, dA, z, a))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        result = await wait_for_check(app, pilot)
        assert not result.ok
        assert "✗ FAIL" in plain(app.screen.query_one("#gc-verdict"))
        await pilot.press("escape")
        assert not isinstance(app.screen, GradCheckScreen)


async def test_too_small_terminal_says_so_and_recovers():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert app.query_one("#too-small").display and not app.query_one("#main").display
        assert "needs 60×18 (now 40×12)" in plain(app.query_one("#too-small"))
        await pilot.press("n")  # keys still work
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.query_one("#main").display and not app.query_one("#too-small").display
        assert app.session.stepper.cursor == 1


async def test_trace_export_csv_and_markdown(tmp_path):
    import csv

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")  # nothing yet: a message, no file
        assert not list(tmp_path.glob("*/trace.csv"))
        await pilot.press(*["n"] * 10, "b", "n")  # one epoch; a step undone and redone
        await pilot.press("x")
        folder = tmp_path / "xor-epoch1"
        rows = list(csv.DictReader(open(folder / "trace.csv")))
        phases = [r["phase"] for r in rows]
        # 3 forward neurons × 4 samples, 1 loss, 3 backward × 4, 3 updates
        assert phases.count("forward") == 12 and phases.count("loss") == 1
        assert phases.count("backward") == 12 and phases.count("update") == 3
        net = app.session.net
        last = rows[-1]
        assert last["phase"] == "update" and int(last["layer"]) == 2  # numbered from 1
        assert {int(r["sample"]) for r in rows if r["phase"] == "forward"} == {1, 2, 3, 4}
        w = [float(x) for x in last["w"].split(";")]
        np.testing.assert_array_equal(w, net.layers[1].W[:, 0])
        loss = next(r for r in rows if r["phase"] == "loss")
        assert float(loss["loss"]) == app.session.stepper.losses[0]
        md = (folder / "trace.md").read_text()
        assert md.startswith("# tinynet-tui trace: xor") and md.count("\n| 0 | forward |") == 12
        await pilot.press("x")  # again: new files beside the first, which are kept
        assert (folder / "trace-2.csv").exists() and (folder / "trace-2.md").exists()
        assert (folder / "trace.md").read_text() == md


async def test_edit_a_weight_by_hand():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "w")  # select h1₀, edit
        assert isinstance(app.screen, NumberScreen)
        await pilot.press(*"w3 1", "enter")
        assert "choose b or w1 … w2" in plain(app.screen.query_one("#number-error"))
        await pilot.press("ctrl+u", *"w2 1.5", "enter")
        s = app.session
        assert s.net.layers[0].W[1, 0] == 1.5
        assert s.phase is Phase.BACKWARD and len(s.stepper.losses) == 1
        np.testing.assert_array_equal(s.net.layers[1].a, s.net.predict(s.problem.X))
        assert f"loss {num(s.stepper.losses[0])}" in status(app)


async def test_weight_changes_screen_lists_the_biggest_move_first():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.play_chunk(30)
        await pilot.press("d", "enter")  # compare with the oldest epoch (0)
        table = app.screen.query_one("#changes-table")
        assert table.row_count == app.session.net.n_params
        first = table.get_row_at(0)
        W0 = app.session.stepper.initial_params
        moves = [abs(l.W - W[0]).max() for l, W in zip(app.session.net.layers, W0)] + \
                [abs(l.b - W[1]).max() for l, W in zip(app.session.net.layers, W0)]
        assert abs(float(str(first[3]))) == pytest.approx(max(moves), rel=1e-3)


async def test_inspector_grows_with_its_content():
    """Regression: rows that appear after the first draw must be laid out, not cut
    (they were, behind the quiz dialog, when updates skipped the layout pass)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("z", "n", "n", "n", "n", "n")
        await pilot.pause()
        assert isinstance(app.screen, NumberScreen)
        inspector = app.screen_stack[0].query_one("#inspector")
        lines = plain(inspector).rstrip("\n").count("\n") + 1
        assert lines >= 9 and inspector.size.height >= lines


async def test_file_errors_inside_the_app_are_notified_and_it_keeps_running(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    app = TinyNetApp(build(RunConfig()), export_dir=blocker, save_dir=blocker)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "s", "S", "e", "x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert sum("not-a-folder" in m for m in messages) >= 4, messages
        await pilot.press("n")
        assert app.session.stepper.cursor == 2  # still running


# ---------------------------------------------------------------- issue 9: screen bugs
@pytest.mark.parametrize("task", ["regression", "spiral", "xor"])
async def test_arrow_keys_select_neurons_on_every_task(task):
    app = make_app(task=task)
    async with app.run_test(size=(120, 40)) as pilot:
        last = len(app.session.net.layers) - 1
        assert app.session.selected == (last, 0)
        await pilot.press("up")
        assert app.session.selected != (last, 0)
        await pilot.press("down")
        assert app.session.selected == (last, 0)
        await pilot.press("down")
        assert app.session.selected == (0, 0)


async def test_v_at_80x24_shows_the_predictions_at_once():
    app = make_app(task="regression")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        await pilot.pause()
        panel = app.query_one("#predictions")
        assert panel.display and panel.content_size.height > 5
        lines = [panel.render_line(y).text for y in range(panel.content_size.height)]
        assert "weights now" in lines[0] and sum("▀" in line for line in lines) >= 4


async def test_narration_can_be_scrolled_to_its_end_at_80x24():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g", "g", "n", "n", "g", "g", "g")  # forward, loss; neuron steps
        await pilot.press("n", "n")  # backward ŷ, then backward h₁
        narration = app.query_one(Narration)
        text = plain(narration)
        assert "db = " in text and "dw₂" in text
        await pilot.pause()
        assert narration.max_scroll_y > 0  # taller than the panel: it scrolls
        assert narration.show_vertical_scrollbar


async def test_inspector_header_never_wraps():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g", "g", "g", "n", "g", "g", "n")
        text = plain(app.query_one("#inspector"))
        first, second = text.splitlines()[:2]
        assert first.startswith("ŷ · output layer 2") and "value" in second
    async with make_app(task="regression").run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("g", "g", "g", "n", "g", "g", "n")
        inspector = app.query_one("#inspector")
        top = inspector.render_line(0).text
        assert top.startswith("ŷ · output layer 2") and "value" in inspector.render_line(1).text


@pytest.mark.parametrize("key,keys", [("c", ()), ("w", ()), ("d", ("enter",)), ("l", ())])
async def test_dialogs_fit_at_120_columns(key, keys):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.play_chunk(3)
        await pilot.press(key, *keys)
        await pilot.pause(0.3)
        box = app.screen.query_one(".dialog")
        for label in app.screen.query("Label"):
            assert label.region.right <= box.content_region.right, (key, plain(label))
            console = Console(width=label.content_size.width, file=io.StringIO())
            lines = console.render_lines(label.render(), console.options, pad=False)
            assert len(lines) <= label.content_size.height, (key, plain(label))
        assert "Esc" in " ".join(plain(l) for l in app.screen.query("Label"))


async def test_status_and_footer_keep_help_at_80x24():
    app = make_app(task="regression")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("z")
        assert status(app).rstrip().endswith("? help")
        footer = app.query_one("Footer")
        shown = [b.description for b in app.BINDINGS if b.show]
        assert sum(len(d) + 4 for d in shown) <= 80


async def test_quiz_dialog_leaves_the_panels_visible():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("z", "n", "n", "n", "n", "n")
        assert isinstance(app.screen, NumberScreen)
        box = app.screen.query_one("#number-box").region
        narration = app.screen_stack[0].query_one("#narration").region
        inspector = app.screen_stack[0].query_one("#inspector-box").region
        assert box.y >= narration.bottom - 1 and box.y >= inspector.bottom  # docked at the bottom
        assert "δ of ŷ" in plain(app.screen.query("Label").first())


async def test_quiz_dialog_leaves_the_chain_rule_visible_at_80x24():
    """At 80×24 the quiz dialog, docked at the bottom, hid the whole chain-rule panel (the
    bottom row of the compact layout), which holds the ∂L/∂ŷ its question points at: on a
    compact screen it sits at the top, above the chain rule."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("z", "n", "n", "n", "n", "n")
        assert isinstance(app.screen, NumberScreen)
        box = app.screen.query_one("#number-box").region
        narration = app.screen_stack[0].query_one("#narration").region
        inspector = app.screen_stack[0].query_one("#inspector-box").region
        assert box.bottom <= narration.y, (box, narration)
        # in as few lines as it can: the neuron panel's last lines (its z, a table) show
        assert inspector.bottom - 1 - box.bottom >= 2, (box, inspector)
        assert "δ of ŷ" in plain(app.screen.query("Label").first())
        assert "above" not in plain(app.screen.query("Label").first())


async def test_a_file_name_with_markup_is_shown_as_text(tmp_path):
    folder = tmp_path / "[@click=app.quit]q"
    folder.mkdir()
    app = TinyNetApp(build(RunConfig()), export_dir=folder, save_dir=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert any("[@click=app.quit]q" in n.message for n in app._notifications)
        assert app.is_running


def test_negative_edges_are_dashed_so_the_sign_reads_without_colour():
    from tui.view.frame import build_frame, PanelSizes
    from tui.core.session import Session
    from tui.app.widgets.diagram import render_diagram

    session = Session(build(RunConfig()))
    net = session.net
    net.layers[0].W[:] = [[1.0, -1.0], [1.0, -1.0]]
    net.layers[1].W[:] = [[1.0], [-1.0]]
    with session.lock:
        f = build_frame(session, PanelSizes())
    lines, _ = render_diagram(f.diagram, 60, 20)
    text = "\n".join("".join(seg.text for seg in line) for line in lines)
    # a solid horizontal braille run (⠒⠒⠒) for positive, gaps in the dashed negatives
    net.layers[0].W[:] = [[1.0, 1.0], [1.0, 1.0]]
    net.layers[1].W[:] = [[1.0], [1.0]]
    with session.lock:
        f2 = build_frame(session, PanelSizes())
    lines2, _ = render_diagram(f2.diagram, 60, 20)
    text2 = "\n".join("".join(seg.text for seg in line) for line in lines2)
    dots = lambda t: sum(bin(ord(c) - 0x2800).count("1") for c in t if 0x2800 < ord(c) <= 0x28FF)
    assert dots(text) < 0.8 * dots(text2)  # half the negative edges' dots are gaps
    assert "h₁" in text and "ŷ" in text and "x₁" in text


async def test_a_key_with_no_screen_on_the_stack_is_dropped_not_a_crash(tmp_path):
    """A key that arrives before the first screen is pushed (or after the last is gone)
    met Textual's binding check with an empty stack: ScreenStackError, the app lost (seen
    in a follower test that pressed ? as the app started)."""
    from textual import events

    from tui.app.app import TinyNetApp
    from tui.core.config import RunConfig, build

    app = TinyNetApp(build(RunConfig(task="xor")), save_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app._screen_stacks[app._current_mode]
        saved = list(stack)
        stack.clear()
        await app.on_event(events.Key("question_mark", "?"))
        stack.extend(saved)
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"


async def test_the_neuron_panel_scrolls_to_the_selected_samples_row_at_80x24():
    """At 80×24 the neuron panel scrolls; ] ] selected sample 4 while its row (below rows
    1–2) stayed out of view. The panel scrolls to keep the selected row shown."""
    from tui.app.widgets.inspector import Inspector

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box, inspector = app.query_one("#inspector-box"), app.query_one(Inspector)

        def row_in_view(sample: int) -> bool:
            lines = str(inspector.render()).splitlines()
            table = lines.index(next(line for line in lines if line.startswith("sample")))
            row = next(k for k, line in enumerate(lines)
                       if k > table and line.split()[:1] == [str(sample)])
            return box.scroll_y <= row < box.scroll_y + box.scrollable_content_region.height

        for key in ("n", "g", "n", "n", "right_square_bracket", "right_square_bracket"):
            await pilot.press(key)
        await pilot.pause()
        assert app.frame.neuron.sample == 3
        assert box.max_scroll_y > 0  # the panel does scroll at this size
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        assert row_in_view(4), box.scroll_y
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await pilot.pause()
        await pilot.pause()
        assert row_in_view(1), box.scroll_y


async def test_the_network_panels_header_is_never_cut_inside_a_word_at_80x24():
    """After playing, the header read 'epoch 8792 · next: forward hidden laye' at 80×24:
    it takes a shorter wording now ('next: forward layer 1'), then drops whole words."""
    from helpers import shown_lines
    from tui.app.widgets.diagram import fit_words

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")  # steps of a layer
        app.session.play_chunk(8792)
        app.redraw(force=True)
        await pilot.pause()
        caption = app.frame.diagram.caption[0]
        assert caption == "epoch 8792 · next: forward hidden layer 1"
        diagram = app.query_one(NetworkDiagram)
        shown = shown_lines(diagram)[1].strip("│ ")
        assert shown == "epoch 8792 · next: forward layer 1", shown
    assert fit_words(caption, 30) == "epoch 8792 · next: forward…"
    assert fit_words(caption, 12) == "epoch 8792…"
    assert fit_words("sample 3 (not in the batch: –) · nodes show a", 30) == \
        "sample 3 (–: not in batch) · a"


async def test_the_chain_rules_header_breaks_at_a_dot_not_inside_its_last_words():
    """At 120×40 'Backward · ŷ (output layer 2, neuron 1) · sample 2 for' was followed by
    'δ' alone on the next line: a header wider than the panel breaks at its last ' · '."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key in ("g", "n", "n", "n", "n"):  # layer steps: forward, forward, loss, backward
            await pilot.press(key)
        await pilot.pause()
        text = app.query_one("#narration-text")
        lines = plain(app.query_one(Narration), text.size.width).splitlines()
        assert lines[:2] == ["Backward · ŷ (output layer 2, neuron 1)", "sample 2 for δ"], lines
    view = app.frame.narration
    assert narrate(view).plain.startswith(
        "Backward · ŷ (output layer 2, neuron 1) · sample 2 for δ\n")  # wide: one line


async def test_the_chain_rules_header_is_not_wrapped_inside_its_parenthesis_at_80x24():
    """At 80×24 the header read 'Backward · ŷ (output layer 2, neuron' then '1) · sample 2
    for δ' (and the loss's '… over 4' then 'samples'): where the long header is wider than
    the panel it says 'layer 2' (the neuron panel says which kind), and the sample (the
    loss's 'over 4 samples') goes on a line of its own."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = app.query_one("#narration-text")
        for key, want in (("n", ["Forward · h₁ (layer 1, neuron 1)", "sample 2"]),
                          ("g", None), ("n", None), ("n", None),  # layer steps: to ŷ
                          ("n", ["Loss · mean squared error", "over 4 samples"]),
                          ("n", ["Backward · ŷ (layer 2, neuron 1)", "sample 2 for δ"])):
            await pilot.press(key)
            if want is None:
                continue
            await pilot.pause()
            lines = plain(app.query_one(Narration), text.size.width).splitlines()
            assert lines[:2] == want, lines
    view = app.frame.narration  # wide enough: the long header and the sample on one line
    assert narrate(view, 80).plain.startswith(
        "Backward · ŷ (output layer 2, neuron 1) · sample 2 for δ\n")


async def test_a_wrapped_equation_goes_on_indented_at_80x24():
    """At 80×24 a long equation went on at the panel's left edge ('dw₁ = Σₙ δₙ·h₁ₙ = … +'
    then '(-0.063555)·0.51111 + …'), like a new line; its continued lines are indented now,
    never broken between an '=' and its value, and prose wraps as before."""
    from tui.app.widgets.narration import HANG, hang

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("g", "n", "n", "n", "n"):  # layer steps: to the output's backward
            await pilot.press(key)
        await pilot.pause()
        text = app.query_one("#narration-text")
        lines = plain(app.query_one(Narration), text.size.width).splitlines()
        assert all(len(line) <= text.size.width for line in lines), lines
        k = next(k for k, line in enumerate(lines) if line.startswith("dw₁ = "))
        assert lines[k + 1].startswith(HANG) and lines[k + 1][len(HANG)] != " ", lines
        assert not any(line.rstrip().endswith("=") for line in lines), lines
    prose = Text("dw and db add up every sample's term (n = 1…4): one word after another")
    assert hang(prose, 30).plain == prose.plain  # not an equation: Rich wraps it
    note = Text("x\n").append("a = softmax(z) needs every z of the layer: computed with its "
                              "last neuron", style="dim")  # a note that starts like an equation
    assert hang(note, 30).plain == note.plain


async def test_the_compare_screens_footer_has_no_stray_letter_at_80x24():
    """At 80×24 the compare screen's footer read '… space▏^p commandst': the command
    palette's key, docked right, kept Textual's compact 1-cell right margin, and the keys
    running on under it showed a letter in the last column. It ends the line now."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("n", "n", "f", "n", "n", "F"):
            await pilot.press(key)
        await pilot.pause()
        assert type(app.screen).__name__ == "CompareScreen"
        footer = app.screen.query_one("Footer")
        palette = footer.query_one(".-command-palette")
        assert footer.virtual_size.width > footer.region.width  # the keys run on under it
        assert palette.region.right == footer.region.right == 80, palette.region

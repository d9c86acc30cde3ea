"""Pilot tests of the keys that reach the newer features: neuron maps (m), branches
(f, a, F), the in-app sweep (W); and the terminal byte budget's command-line options."""
import numpy as np

from tui.app.app import TinyNetApp
from tui.cli.main import main
from tui.core.config import RunConfig, build
from tui.app.widgets.compare import CompareScreen, SweepScreen
from tui.app.widgets.diagram import NetworkDiagram

from helpers import make_app, plain, status


async def test_m_shows_the_selected_neurons_map_large_and_back():
    app = make_app(task="spiral")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await pilot.pause(0.3)
        await pilot.press("space")
        assert app.frame.predictions.neuron_map is None
        await pilot.press("m")
        await pilot.pause()
        app.redraw(force=True)
        maps = app.frame.predictions.neuron_map
        assert maps is not None and maps.large is not None
        l, j = app.session.selected
        from nn.maps import Bounds, neuron_maps
        rows, cols = maps.large.shape
        np.testing.assert_allclose(maps.large, neuron_maps(app.session.net, Bounds(*maps.bounds),
                                                           cols, rows)[l][j], atol=1e-12)
        # the diagram has room at 120×40: small maps beside the nodes
        assert app.frame.diagram.maps is not None
        await pilot.press("m")
        await pilot.pause()
        app.redraw(force=True)
        assert app.frame.predictions.neuron_map is None


async def test_fork_switch_and_compare_from_the_keyboard():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n")
        await pilot.press("f")
        s = app.session
        assert len(s.branches) == 2 and s.branch == 1
        assert "branch B of 2" in status(app)
        await pilot.press("g", "g", "g", "n")   # an epoch step moves both branches
        assert [b.stepper.epoch for b in s.branches] == [1, 1]
        await pilot.press("a")
        assert s.branch == 0 and "branch A of 2" in status(app)
        await pilot.press("F")
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, CompareScreen)


async def test_a_with_one_run_says_how_to_fork():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        assert app.session.branch == 0
        assert any("f forks" in str(n.message) for n in app._notifications)


async def test_W_opens_the_sweep_screen():
    app = make_app(task="and")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("W")
        assert isinstance(app.screen, SweepScreen)


def test_byte_budget_options_are_checked(capsys):
    assert main(["--max-kbps", "-1"]) == 2
    assert "must be 0 (no limit) or more" in capsys.readouterr().err
    assert main(["--fps", "nan"]) == 2


async def test_a_three_class_task_runs_in_the_app_and_shows_the_predicted_class():
    app = make_app(task="spiral3", loss="cross-entropy")
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        assert s.net.loss.name == "softmax-ce" and s.net.sizes[-1] == 3
        await pilot.press("g", "g", "g", "n", "n")
        assert s.stepper.epoch == 2
        app.redraw(force=True)
        pred, target, lo, hi = app.frame.predictions.maps
        assert (lo, hi) == (0.0, 2.0)
        from nn import datasets
        rows, cols = pred.shape
        expected = s.net.predict(datasets.pixel_grid(cols, rows)).argmax(axis=1)
        np.testing.assert_array_equal(pred.ravel(), expected)
        assert set(np.unique(target[~np.isnan(target)])) <= {0.0, 1.0, 2.0}
        assert "ŷ₃" in app.frame.diagram.names[-1]


def test_sample_keys_stay_inside_the_batch_on_screen():
    from tui.core.session import Session
    from nn import Granularity

    s = Session(build(RunConfig(task="spiral", batch=16)))
    s.granularity = Granularity.NEURON
    s.step()
    members = [int(i) for i in s.stepper.batch_samples(s.events[-1].batch)]
    seen = [s.move_sample(1) for _ in range(17)]
    assert set(seen) == set(members) and seen[16] == seen[0]   # 16 samples, then round again
    assert s.move_sample(-1) == seen[15]
    # full batch: every sample in turn
    full = Session(build(RunConfig(task="xor")))
    start = full.sample
    assert [full.move_sample(1) for _ in range(4)] == [(start + k) % 4 for k in (1, 2, 3, 4)]


async def test_B_shows_each_mini_batch_loss_on_the_chart():
    app = make_app(task="spiral", batch=50)
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        s.play_chunk(3)
        app.redraw(force=True)
        per_epoch = app.frame.loss
        assert list(per_epoch.epochs) == [0, 1, 2]
        await pilot.press("B")
        app.redraw(force=True)
        per_batch = app.frame.loss
        n = s.stepper.n_batches
        assert n == -(-len(s.problem.X) // 50) > 1 and len(per_batch.epochs) == 3 * n
        np.testing.assert_allclose(per_batch.epochs, np.arange(3 * n) / n)
        assert list(per_batch.lo) == list(s.stepper.batch_losses.exact_values())
        assert "loss of each batch" in per_batch.title
        await pilot.press("B")
        app.redraw(force=True)
        assert list(app.frame.loss.epochs) == [0, 1, 2]
    full = make_app(task="xor")
    async with full.run_test(size=(120, 40)) as pilot:
        await pilot.press("B")
        assert not full.batch_losses
        assert any("no mini-batch losses" in str(n.message) for n in full._notifications)


def test_a_step_into_a_new_batch_selects_a_sample_of_it():
    from nn import Granularity
    from tui.core.session import Session

    s = Session(build(RunConfig(task="regression", batch=16)))
    s.granularity = Granularity.PHASE
    for _ in range(12):   # forward, loss, backward, update of three batches
        s.step()
        batch = s.events[-1].batch
        assert s.sample in [int(i) for i in s.stepper.batch_samples(batch)], (batch, s.sample)


async def test_slow_motion_shows_on_the_status_line():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        app.redraw(force=True)
        assert "▶ slow motion 1.5 s/step" in status(app)
        await pilot.press("x")   # any key pauses it
        await pilot.pause()
        app.redraw(force=True)
        assert "slow motion" not in status(app) and "paused" in status(app)

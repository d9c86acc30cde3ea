"""Crashes and lost work found by a random-key and bad-input hunt: each test is the
minimal reproduction, and fails on the code before its fix."""
import io
import pytest
from textual.widgets import Input, Label

from tui.core.config import ALL_TASKS, RunConfig, build
from tui.core.session import Session
from tui.view.compare import compare_view

from helpers import STALE0, SettingsHost, make_app, neuron


async def test_text_that_looks_like_markup_in_a_number_box_is_an_error_line_not_a_crash():
    app = make_app(task="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        box = app.screen.query_one("#number-input", Input)
        box.value = "[a="
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#number-error", Label)
        assert "'[a=' is not a number" in str(error.render())
        assert app.is_running and app.session.stepper.lr == 5.0
        box.value = "[b]0.5[/b]"
        await pilot.press("enter")
        await pilot.pause()
        assert "[b]0.5[/b]" in str(app.screen.query_one("#number-error", Label).render())


def test_t_goes_round_every_task_the_app_has_and_each_keeps_its_own_loss():
    s = Session(build(RunConfig(task="spiral3")))
    seen = []
    for _ in range(len(ALL_TASKS)):
        seen.append((s.next_task(), s.net.loss.name))
    assert [t for t, _ in seen] == ALL_TASKS[ALL_TASKS.index("spiral3") + 1:] + \
        ALL_TASKS[:ALL_TASKS.index("spiral3") + 1]
    assert dict(seen) == {"and": "mse", "xor": "mse", "regression": "mse", "circle": "mse",
                          "spiral": "mse", "spiral3": "softmax-ce", "blobs": "softmax-ce"}
    chosen = Session(build(RunConfig(task="xor", loss="bce", optimizer="adam")))
    assert chosen.next_task() == "regression" and chosen.net.loss.name == "mse"
    assert chosen.config.optimizer == "adam"          # what is not the task's stays


async def test_t_on_a_three_class_task_in_the_app():
    app = make_app(task="blobs")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert app.is_running and app.session.config.task == "and"


def test_a_huge_seed_range_is_one_line_not_a_memory_error(capsys):
    from tui.core.sweep import MAX_SEEDS
    from tui.cli.sweep import main

    for seeds in ("0-99999999999", f"0-{MAX_SEEDS}", f"0-{MAX_SEEDS - 1},{MAX_SEEDS}-{MAX_SEEDS + 5}"):
        assert main(["--seeds", seeds, "--quiet"]) == 2
        err = capsys.readouterr().err
        assert f"at most {MAX_SEEDS:,} seeds" in err and err.count("\n") == 1, err


def test_sweep_export_never_overwrites_a_users_file_unless_forced(tmp_path, capsys):
    from rich.console import Console
    from tui.cli.sweep import EXPORT_NAMES, main

    mine = tmp_path / "sweep.csv"
    mine.write_text("MINE\n")
    argv = ["--seeds", "0-1", "--epochs", "20", "--quiet", "--export", str(tmp_path)]
    assert main(argv, console=Console(file=io.StringIO())) == 2
    err = capsys.readouterr().err
    assert f"{mine}: already exists (use --force to overwrite)" in err
    assert mine.read_text() == "MINE\n" and not (tmp_path / "heatmap.png").exists()
    assert main(argv + ["--force"], console=Console(file=io.StringIO())) == 0
    assert mine.read_text().startswith("lr,") and all((tmp_path / n).stat().st_size
                                                      for n in EXPORT_NAMES)
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["--seeds", "0", "--quiet", "--export", str(afile)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_ctrl_c_during_train_stops_after_the_epoch_and_still_saves_and_exports(tmp_path):
    """Ctrl-C is raised from inside training (epoch 50's callback), so it always meets the
    handler ``train`` installs: a timer could fire before it (a loaded machine), and a
    KeyboardInterrupt landing in a gc callback is swallowed, leaving 10⁷ epochs to run."""
    import signal

    from rich.console import Console
    from nn import load
    from tui.cli.train import run_training

    problem = build(RunConfig(task="regression", epochs=10_000_000))
    fit = problem.net.fit

    def fit_with_ctrl_c(*args, callback, **kw):
        def tick(epoch, loss):
            if epoch == 50:
                signal.raise_signal(signal.SIGINT)
            return callback(epoch, loss)
        return fit(*args, callback=tick, **kw)

    problem.net.fit = fit_with_ctrl_c
    console = Console(record=True, width=120)
    status = run_training(problem, save=tmp_path / "m.npz", export=tmp_path / "ex",
                          quiet=True, console=console)
    text = console.export_text()
    assert status == 130 and "Ctrl-C" in text and "interrupted after epoch 51" in text, text
    saved = load(tmp_path / "m.npz")[0]
    assert saved.theta.tolist() == problem.net.theta.tolist()     # the whole, last epoch
    assert (tmp_path / "ex" / "loss.png").stat().st_size > 0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the old one back


def test_epochs_beyond_the_bound_are_one_line(capsys):
    from tui.cli.main import main
    from tui.cli.options import MAX_EPOCHS

    assert main(["train", "--epochs", "99999999999999999999", "--quiet"]) == 2
    assert f"from 1 to {MAX_EPOCHS}" in capsys.readouterr().err


def test_a_session_file_cannot_smuggle_in_a_network_too_big_for_memory(tmp_path, capsys):
    """16 hidden layers of 4096 are within a session file's per-field bounds; the app
    then peaked at 15.2 GB before drawing anything.  The memory check refuses it first
    (on a machine with 24 GiB or less; the cap is half the machine's memory)."""
    import json

    from tui.cli.main import main
    from tui.core.config import check_fits

    with pytest.raises(ValueError, match="would need about"):
        check_fits([2, *[4096] * 16, 1], 4, cap=12 * 1024 ** 3)
    f = tmp_path / "big.json"
    f.write_text(json.dumps({"format": "tinynet-session-1",
                             "config": {"task": "xor", "hidden": [4096] * 16},
                             "actions": [{"do": "step", "granularity": "neuron"}]}))
    import tui.core.config as config
    real = config.memory_cap
    config.memory_cap = lambda: 12 * 1024 ** 3
    try:
        assert main(["--replay", str(f)]) == 2
    finally:
        config.memory_cap = real
    err = capsys.readouterr().err
    assert "would need about" in err and err.count("\n") == 1, err


def test_g_offers_the_batch_step_only_with_mini_batches():
    from nn import Granularity as G

    s = Session(build(RunConfig(task="spiral", batch=16)))
    seen = [s.cycle_granularity() for _ in range(5)]
    assert seen == [G.LAYER, G.PHASE, G.BATCH, G.EPOCH, G.NEURON]
    s.granularity = G.BATCH
    s.step()                                          # one whole batch: forward … update
    st = s.stepper
    assert st.epoch == 0 and st.batch_index == 1 and st.cursor == st.units_per_batch
    from tui.view.frame import PanelSizes, build_frame

    caption = build_frame(s, PanelSizes()).diagram.caption[0]
    assert caption == f"epoch 0 · next: batch 2 of {st.n_batches}"   # fits 80×24 too
    whole = Session(build(RunConfig(task="xor")))
    assert [whole.cycle_granularity() for _ in range(4)] == [G.LAYER, G.PHASE, G.EPOCH, G.NEURON]


def test_a_lesson_asking_about_a_missing_neuron_names_the_line(tmp_path, capsys):
    from tui.cli.main import main

    f = tmp_path / "bad.md"
    f.write_text("# T\n## C\ntask: xor\nask: z h9\n\nWhat is z?\n")
    for argv in (["learn", "--check", str(f)], ["learn", str(f)],
                 ["learn", str(f), "--worksheet", str(tmp_path / "w.md")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"{f}:4: ask: no neuron 'h9' in this network (it has h₁, h₂, ŷ)" in err, err
        assert "Traceback" not in err


@pytest.mark.parametrize("make,words", [
    (lambda p: p.mkdir(), "is a directory, not a lesson file"),
    (lambda p: __import__("os").mkfifo(p), "is not a regular file"),
    (lambda p: p.write_bytes(b"#" * (1024 * 1024 + 1)), "a lesson file has at most 1,048,576"),
])
def test_learn_never_reads_a_folder_pipe_or_huge_file(tmp_path, capsys, make, words):
    from tui.cli.main import main

    path = tmp_path / "lesson.md"
    make(path)
    for argv in (["learn", str(path)], ["learn", "--check", str(path)]):
        assert main(argv) == 2                    # (a pipe would hang, /dev/zero fill memory)
        assert words in capsys.readouterr().err
    assert main(["learn", "/dev/zero"]) == 2
    assert "/dev/zero: is not a regular file" in capsys.readouterr().err


def test_values_near_the_float_limit_give_no_numpy_warning(tmp_path):
    import warnings

    import numpy as np
    from rich.console import Console
    from tui.cli.sweep import main
    from tui.app.widgets.predictions import levels

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert levels(np.array([1e308, -1e308, 0.0, np.nan]), -1e308, 1e308)[-1] == 24
        data = tmp_path / "big.csv"
        data.write_text("x1,x2,y\n0,0,1e308\n1,0,-1e308\n0,1,1e308\n1,1,0\n")
        assert main(["--data", str(data), "--seeds", "0-1", "--epochs", "5", "--quiet"],
                    console=Console(file=io.StringIO())) == 0
        s = Session(build(RunConfig(task="xor")))
        s.fork()
        s.edit(0, 0, 0, 1e308)
        s.switch_branch(0)
        s.edit(0, 0, 0, -1e308)
        view = compare_view(s)
        assert view.rows[1].distance == float("inf")


def test_a_layer_step_says_which_neurons_it_computed():
    from nn import Granularity
    from tui.view.frame import PanelSizes, build_frame
    from tui.app.widgets.narration import narrate

    def first_lines(s):
        return narrate(build_frame(s, PanelSizes()).narration).plain.splitlines()[:2]

    s = Session(build(RunConfig(task="xor")))
    s.granularity = Granularity.LAYER
    s.step()
    assert first_lines(s) == ["this step computed h₁, h₂; ↑↓ picks the one explained here",
                              "Forward · h₁ (hidden layer 1, neuron 1) · sample 2"]
    s.select(0, 1)
    assert first_lines(s)[1].startswith("Forward · h₂ (hidden layer 1, neuron 2)")
    wide = Session(build(RunConfig(task="regression")))
    wide.granularity = Granularity.LAYER
    wide.step()
    assert first_lines(wide)[0].startswith("this step computed h₁ … h₁₆;")
    one = Session(build(RunConfig(task="xor")))
    one.step()                                        # a neuron step: nothing to say
    assert first_lines(one)[0].startswith("Forward · h₁")


async def test_page_keys_scroll_a_long_narration_outside_a_lesson():
    app = make_app(task="regression")              # 16 inputs to the output: a long backward step
    async with app.run_test(size=(80, 24)) as pilot:
        from nn import Granularity

        app.session.granularity = Granularity.PHASE
        await pilot.press("n", "n", "n")           # forward, loss, backward
        await pilot.pause()
        app.session.select(0, 0)
        app.redraw(force=True)
        await pilot.pause()
        box = app.query_one("#narration")
        assert box.max_scroll_y > 0 and box.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert box.scroll_y == 0


def test_replay_refuses_model_options_it_would_ignore(tmp_path, capsys):
    import json

    from tui.cli.main import main

    f = tmp_path / "s.json"
    f.write_text(json.dumps({"format": "tinynet-session-1", "config": {"task": "xor"},
                             "actions": []}))
    for extra in (["--task", "regression"], ["--lr", "0.01"], ["--seed", "3"],
                  ["--optimizer", "adam"]):
        assert main(["--replay", str(f), *extra]) == 2
        err = capsys.readouterr().err
        assert "argument --replay: the session file holds the network" in err, extra


def test_a_model_with_the_wrong_output_says_an_identity(tmp_path, capsys):
    from tui.cli.main import main

    model = tmp_path / "r.npz"
    assert main(["train", "--task", "regression", "--epochs", "1", "--quiet",
                 "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["train", "--task", "xor", "--load", str(model), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the model has an identity output, but xor is a binary task that needs a sigmoid " \
           "output" in err, err


def test_a_long_replay_shows_which_action_it_is_on():
    from tui.core import actions as act
    from tui.cli.main import replay_progress
    from tui.core.replay_cost import replay_estimate

    s = Session(build(RunConfig(task="xor")))
    short = [act.Play(10)]
    with replay_progress("s.json", short, replay_estimate(s.problem, short)) as step:
        assert step is None
    long = [act.Play(100_000), act.Play(1)]
    seen = []
    with replay_progress("s.json", long, replay_estimate(s.problem, long)) as step:
        assert step is not None
        s.replay([act.Play(3), act.Play(2)], before=lambda k, a: (seen.append((k, a.epochs)),
                                                                 step(k, a)))
    assert seen == [(0, 3), (1, 2)] and s.stepper.epoch == 5


async def test_settings_refuse_to_close_open_branches_unasked():
    """N builds a new network: with branches open, applying used to drop them silently."""
    from tui.app.screens.settings import SettingsScreen

    s = Session(build(RunConfig(task="xor")))
    s.play_chunk(5)
    s.fork()
    s.set_lr(0.5)
    app = SettingsHost(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "right", "enter")            # 3 hidden neurons, apply
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        said = str(app.screen.query_one("#settings-error").render())
        assert "would close branch B" in said and "learning rate (l)" in said
        await pilot.press("escape")
    assert len(s.branches) == 2 and s.net.sizes == [2, 2, 1]
    assert [a.name for a in s.actions] == ["play", "fork", "lr"]


def test_predictions_caption_and_legend_shorten_rather_than_cut():
    from tui.app.widgets.predictions import fit_caption

    caption = "ŷ with the weights now (epoch 0, mid-epoch)"
    assert fit_caption(caption, 80) == caption
    assert fit_caption(caption, 36) == "ŷ (epoch 0, mid-epoch)"
    assert fit_caption(caption, None) == caption


async def test_status_line_refits_itself_after_a_resize():
    """In a real terminal the app's redraw after a resize could run before the status
    line had its new width (it stayed cut: '… · ⏸ paused ·' without '? help'); the
    line now chooses its parts again on its own resize, with no new frame."""
    from textual.app import App

    from tui.view.frame import PanelSizes, build_frame
    from tui.app.widgets.status import StatusLine

    view = build_frame(Session(build(RunConfig(task="xor"))), PanelSizes()).status

    class Host(App):
        def compose(self):
            yield StatusLine(id="status")

    app = Host()
    async with app.run_test(size=(120, 10)) as pilot:
        line = app.query_one(StatusLine)
        line.show(view)
        await pilot.pause()
        assert "2–2–1" in str(line.render())               # the long form fits at 120
        await pilot.resize_terminal(70, 10)
        await pilot.pause()
        await pilot.pause()
        text = str(line.render())
        assert text.rstrip().endswith("? help") and "2–2–1" not in text


def test_the_more_marker_says_on_which_side_the_hidden_neurons_are():
    from tui.app.widgets.diagram import more_text

    assert more_text(list(range(0, 5)), 16) == "⋮ 11 more"
    assert more_text(list(range(11, 16)), 16) == "⋮ 11 above"     # h₁₂ … h₁₆ shown
    assert more_text(list(range(2, 7)), 16) == "⋮ 2↑ 9↓"
    assert more_text(list(range(16)), 16) == ""


def test_the_status_line_sets_the_branch_apart_from_the_architecture():
    from tui.view.frame import PanelSizes, build_frame
    from tui.app.widgets.status import render_status

    s = Session(build(RunConfig(task="xor")))
    s.fork()
    view = build_frame(s, PanelSizes()).status
    assert render_status(view, 120).plain.startswith(" xor branch B of 2 · 2–2–1 sigmoid/sigmoid · lr 5")
    narrow = render_status(view, 50).plain
    assert narrow.startswith(" xor branch B of 2 · epoch 0") and "  " not in narrow.strip()


def test_the_neuron_panels_stale_notes_go_one_a_line_when_narrow():
    from tui.app.widgets.inspector import render_inspector

    narrow = render_inspector(neuron(STALE0, STALE0, STALE0), 30).plain.splitlines()
    assert narrow[-2:] == ["z, a from epoch 0", "δ from epoch 0"]      # not "δ from epoc…"
    wide = render_inspector(neuron(STALE0, STALE0, STALE0), 60).plain.splitlines()
    assert wide[-1] == "z, a from epoch 0 · δ from epoch 0"


def test_the_gate_truth_table_cell_by_cell():
    import numpy as np
    from tui.app.widgets.predictions import truth_table

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    y_hat = np.array([[0.489], [0.49], [0.4923], [1e-5]])
    t = truth_table(X, y, y_hat)
    assert t.plain.splitlines() == [" x₁  x₂  target       ŷ",
                                    "  0   0       0  0.4890  ✓",
                                    "  0   1       1  0.4900  ✗",
                                    "  1   0       1  0.4923  ✗",
                                    "  1   1       0  0.0000  ✓"]
    marks = [(t.plain[s.start:s.end], str(s.style)) for s in t.spans if s.style != "bold"]
    assert marks == [("✓\n", "green"), ("✗\n", "red"), ("✗\n", "red"), ("✓\n", "green")]
    assert [str(s.style) for s in t.spans][0] == "bold" and t.spans[0].start == 0
    assert truth_table(X, y, np.array([[1.5], [2.0], [0.5], [0.0]])).plain.splitlines()[1] \
        .endswith("1.5  ✗")                                      # not a probability: as num


def test_the_orange_white_blue_scale():
    from tui.app.widgets.predictions import HIGH, LOW, MID, colour

    assert colour(0.0) == LOW and colour(0.5) == MID and colour(1.0) == HIGH
    assert colour(-3.0) == LOW and colour(7.0) == HIGH and colour(float("nan")) == MID
    assert colour(0.25) == tuple(int(a + (b - a) * 0.5) for a, b in zip(LOW, MID))
    assert colour(0.75) == tuple(int(a + (b - a) * 0.5) for a, b in zip(MID, HIGH))
    assert colour(0.1) == tuple(int(a + (b - a) * 0.2) for a, b in zip(LOW, MID))


def test_the_predictions_map_covers_the_data_where_it_leaves_the_unit_square(tmp_path):
    import numpy as np
    from rich.console import Console
    from tui.view.frame import PanelSizes, build_frame
    from tui.app.widgets.predictions import maps

    rng = np.random.default_rng(0)
    X = rng.uniform(0, 10, (200, 2))
    data = tmp_path / "wide.csv"
    data.write_text("x1,x2,y\n" + "".join(f"{a},{b},{int(a > b)}\n" for a, b in X))
    s = Session(build(RunConfig(data=data)))
    view = build_frame(s, PanelSizes()).predictions
    x1_lo, x1_hi, x2_lo, x2_hi = view.bounds
    assert x1_lo < 0.5 and x1_hi > 9.5 and x2_lo < 0.5 and x2_hi > 9.5
    pred, target, lo, hi = view.maps
    covered = np.isfinite(target)
    # the points spread over the map (on [-1, 1]² they all fell into one corner pixel)
    assert covered.sum() > 0.3 * covered.size
    # the target map is the data: x₂ > x₁ (top left) is class 0, x₁ > x₂ (bottom right) 1
    rows, cols = target.shape
    assert np.nanmean(target[: rows // 3, : cols // 3]) < 0.2
    assert np.nanmean(target[-(rows // 3):, -(cols // 3):]) > 0.8
    legend = "".join(seg.text for seg in maps(pred, target, lo, hi, None, view.bounds)[-1])
    assert "over x₁ " in legend and "[-1, 1]²" not in legend
    for task in ("xor", "regression", "circle", "spiral"):    # inside [-1, 1]²: as before
        assert build_frame(Session(build(RunConfig(task=task))), PanelSizes()) \
            .predictions.bounds is None

"""Branches: a fork at any step goes on exactly as an independent run from that state
would; stepping and playing move every branch in lockstep; sessions with branches
replay bit for bit; bad fork/switch actions in files are one line."""
import json

import numpy as np
import pytest

from nn import Granularity
from tui.core import actions as act
from tui.core import branches as br
from tui.view import compare
from tui.view.compare import compare_view
from tui.cli.main import main
from tui.core.format import num
from tui.core.config import RunConfig, build
from tui.core.recording import load_session
from tui.core.session import Session

from helpers import await_until

XOR = RunConfig(task="xor")


def params(stepper):
    return [a.copy() for layer in stepper.net.layers for a in (layer.W, layer.b)]


def assert_same_run(a, b):
    """Two steppers in the very same state, bit for bit."""
    assert (a.epoch, a.cursor) == (b.epoch, b.cursor)
    for x, y in zip(params(a), params(b)):
        assert np.array_equal(x, y)
    for la, lb in zip(a.net.layers, b.net.layers):
        for f in ("dW", "db", "z", "a", "delta"):
            assert np.array_equal(getattr(la, f), getattr(lb, f)), f
    assert np.array_equal(a.losses.exact_values(), b.losses.exact_values())
    assert a.lr == b.lr


def steps(session, granularity, n):
    session.granularity = Granularity(granularity)
    for _ in range(n):
        session.step()


def test_fork_mid_epoch_then_lockstep_equals_two_independent_runs():
    s = Session(build(XOR))
    s.play_chunk(20)
    steps(s, "neuron", 8)                  # mid-epoch: h₁ updated with lr 5, h₂ and ŷ not yet
    assert s.stepper.cursor == 8
    assert s.fork() == 1 and s.branch == 1
    s.set_lr(0.5)                          # only in B
    s.play_chunk(30)                       # lockstep: both play 30 epochs
    steps(s, "layer", 3)                   # …and both take 3 layer steps
    ref_a, ref_b = Session(build(XOR)), Session(build(XOR))
    for ref in (ref_a, ref_b):
        ref.play_chunk(20)
        steps(ref, "neuron", 8)
    ref_b.set_lr(0.5)
    for ref in (ref_a, ref_b):
        ref.play_chunk(30)
        steps(ref, "layer", 3)
    assert_same_run(s.branches[0].stepper, ref_a.stepper)
    assert_same_run(s.branches[1].stepper, ref_b.stepper)
    assert not np.array_equal(params(s.branches[0].stepper)[0], params(s.branches[1].stepper)[0])


def test_lockstep_back_and_an_edit_only_in_the_followed_branch():
    s = Session(build(XOR))
    steps(s, "neuron", 4)
    s.fork()
    s.switch_branch(0)
    s.edit(0, 1, 0, 0.75)                  # in A only: A redoes its forward pass and loss
    a, b = s.branches[0].stepper, s.branches[1].stepper
    assert a.net.layers[0].W[0, 1] == 0.75 and b.net.layers[0].W[0, 1] != 0.75
    steps(s, "phase", 2)
    s.back()                               # lockstep back: each one phase
    s.go_to_epoch(0)                       # a jump is the followed branch's only
    assert (a.epoch, a.cursor) == (0, 0) and b.cursor > 0
    ref = Session(build(XOR))
    steps(ref, "neuron", 4)
    steps(ref, "phase", 2)
    ref.back()
    assert_same_run(b, ref.stepper)


def test_a_fork_is_an_independent_copy_with_its_views_intact():
    s = Session(build(XOR))
    s.play_chunk(7)
    steps(s, "neuron", 3)
    s.fork()
    a, b = s.branches[0].stepper, s.branches[1].stepper
    for st in (a, b):
        for layer in st.net.layers:
            assert layer.W.base is st.net.theta and layer.dW.base is st.net.grad
        assert all(cw.base is st._change_flat for cw, _ in st.changes)
    assert b.X is a.X and b.net.theta is not a.net.theta
    b.net.layers[0].W[0, 0] += 1.0         # a change in B leaves A alone
    assert a.net.layers[0].W[0, 0] != b.net.layers[0].W[0, 0]
    # B can go back before the fork point exactly as A can (ring and undo came along)
    b.net.layers[0].W[0, 0] -= 1.0
    for st in (a, b):
        st.go_to(3, 0)
    assert_same_run(a, b)


def test_fork_limit_and_switch_errors():
    s = Session(build(XOR))
    for _ in range(br.MAX_BRANCHES - 1):
        s.fork()
    with pytest.raises(act.ActionError, match="at most 4 branches"):
        s.fork()
    with pytest.raises(act.ActionError, match="branch index 4 does not exist: there are 4"):
        s.switch_branch(4)
    assert len(s.branches) == 4 and [a.name for a in s.actions] == ["fork"] * 3
    s.new_seed()                           # a new network: one run again
    assert len(s.branches) == 1 and s.branch == 0


def test_session_with_branches_replays_bit_for_bit(tmp_path):
    s = Session(build(XOR))
    heard = []
    s.listeners.append(heard.append)
    s.play_chunk(12)
    steps(s, "neuron", 6)
    s.fork()
    s.set_lr(1.5)
    s.play_chunk(10)
    s.fork()                               # C forks from B
    s.edit(1, 0, None, -0.5)
    steps(s, "phase", 3)
    s.switch_branch(0)
    s.play_chunk(9)
    steps(s, "neuron", 2)
    s.back()
    assert [a.name for a in heard][-3:] == ["step", "step", "back"]
    path = s.save_session(tmp_path / "s.json")
    config, actions = load_session(path)
    r = Session(build(config))
    r.replay(actions)
    assert len(r.branches) == 3 and r.branch == 0
    for mine, theirs in zip(s.branches, r.branches):
        assert_same_run(mine.stepper, theirs.stepper)
    assert br.label(r.branches, 2) == "C: lr 1.5 (A: 5), ŷ b = -0.5 at epoch 22"


@pytest.mark.parametrize("actions, message", [
    ([{"do": "switch", "index": 9}], "action 1: switch: index must be from 0 to 3, got 9"),
    ([{"do": "switch"}], "action 1: switch: field 'index' is missing"),
    ([{"do": "fork", "from": 0}], "action 1: fork: unknown field 'from'"),
    ([{"do": "fork"}, {"do": "switch", "index": 2}],
     "action 2 (switch): branch index 2 does not exist: there are 2 branches (A–B, indices 0–1)"),
    ([{"do": "fork"}] * 4, "action 4 (fork): cannot fork: at most 4 branches (A–D)"),
])
def test_bad_fork_and_switch_actions_in_a_file_are_one_line(tmp_path, capsys, actions, message):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "tinynet-session-1", "config": {"task": "xor"},
                             "actions": actions}))
    assert main(["--replay", str(f)]) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.json" in err and err.count("\n") == 1, err


def test_compare_view_numbers():
    s = Session(build(XOR))
    s.play_chunk(5)
    s.fork()
    s.set_lr(0.5)
    s.play_chunk(40)
    view = compare_view(s, points=50)
    a, b = view.rows
    assert (a.letter, b.letter, a.followed, b.followed) == ("A", "B", False, True)
    assert b.label == "B: lr 0.5 (A: 5)" and a.label == "A: lr 5"
    ta, tb = compare.theta(s.branches[0].problem.net), compare.theta(s.branches[1].problem.net)
    assert b.distance == pytest.approx(np.linalg.norm(tb - ta), rel=1e-12) and a.distance == 0
    k = int(np.argmax(np.abs(tb - ta)))
    assert b.max_change == abs(tb[k] - ta[k])
    assert b.max_where == compare.param_at(s.net, k)
    assert (a.epoch, b.epoch, b.fork_at, b.parent) == (45, 45, (5, 0), "A")
    assert b.loss == s.branches[1].stepper.losses.last and len(b.hi) <= 50
    assert compare.param_at(s.net, 0) == "h₁ w₁ (x₁)" and compare.param_at(s.net, 8) == "ŷ b"


def test_a_branch_equal_to_a_names_no_weight_as_the_one_that_moved_most():
    """Right after a fork the compare table read 'max |Δ| (which) 0 (h₁ w₁ (x₁))' for B:
    naming a weight as the one that moved most when none differs. It reads '0'."""
    from tui.app.widgets.compare import table_cells

    s = Session(build(XOR))
    s.play_chunk(3)
    s.fork()
    view = compare_view(s, points=20)
    b = view.rows[1]
    assert (b.distance, b.max_change, b.max_where) == (0.0, 0.0, None)
    assert table_cells(view)[1][5] == "0" and table_cells(view)[0][5] == "—"
    s.play_chunk(2)  # the same lr: B still equals A
    assert table_cells(compare_view(s, points=20))[1][5] == "0"
    s.set_lr(0.5)
    s.play_chunk(1)
    moved = table_cells(compare_view(s, points=20))[1][5]
    assert moved.endswith(")") and "(" in moved and moved != "0", moved


def test_compare_render_labels_curves_and_table():
    from rich.console import Console
    from tui.app.widgets.compare import render_chart, render_compare

    s = Session(build(XOR))
    s.play_chunk(30)
    steps(s, "neuron", 8)
    s.fork()
    s.set_lr(0.5)
    s.play_chunk(100)
    view = compare_view(s, points=80)
    chart = render_chart(view, 80, 20)
    assert "A: lr 5" in chart and "B: lr 0.5 (A: 5) ◀ followed" in chart
    assert "\x1b[38;5;6m" in chart and "\x1b[38;5;3m" in chart  # cyan A, orange B
    console = Console(width=140, record=True, color_system=None)
    console.print(render_compare(view, 120, 30))
    text = console.export_text()
    row_b = next(line for line in text.splitlines() if "▶ B" in line)
    assert "epoch 130" in row_b and "from A at epoch 30 (8/10 units)" in row_b
    assert num(view.rows[1].distance, 4) in row_b and f"({view.rows[1].max_where})" in row_b
    s.switch_branch(0)
    with_diagrams = compare_view(s, points=80, diagrams=True)
    assert s.branch == 0 and len(with_diagrams.diagrams) == 2   # the followed one is put back
    for mine, st in zip(with_diagrams.diagrams, (s.branches[0].stepper, s.branches[1].stepper)):
        assert np.array_equal(mine.weights[0], st.net.layers[0].W)
    console.print(render_compare(with_diagrams, 120, 40))
    text = console.export_text()
    assert text.count("x₁ ") >= 2 and "A ▶" in text
    s.new_seed()                           # one run, no loss yet: the view still draws
    assert "no loss yet" in render_chart(compare_view(s), 60, 12)


async def test_compare_screen_shows_the_branches():
    from textual.widgets import Static
    from tui.app.app import TinyNetApp
    from tui.app.widgets.compare import CompareScreen

    app = TinyNetApp(build(XOR))
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.play_chunk(10)
        app.session.fork()
        app.push_screen(CompareScreen())
        await pilot.pause()
        await pilot.pause()
        box = app.screen.query_one("#compare", Static)
        table = box.content.renderables[-1]
        assert [c.header for c in table.columns][:2] == ["branch", "what differs"]
        assert table.row_count == 2
        app.session.set_lr(0.25)
        await pilot.pause(0.25)
        assert app.screen._shown[0] == app.session.version


def test_open_run_starts_a_fresh_recording_from_that_config(tmp_path):
    s = Session(build(XOR))
    s.play_chunk(5)
    s.fork()
    s.open_run(RunConfig(task="xor", seed=4, lr=2.5))
    assert len(s.branches) == 1 and s.actions == [] and s.stepper.epoch == 0
    s.play_chunk(40)
    config, actions = load_session(s.save_session(tmp_path / "o.json"))
    r = Session(build(config))
    r.replay(actions)
    assert (config.seed, config.lr) == (4, 2.5)
    assert_same_run(r.stepper, s.stepper)


async def test_sweep_screen_trains_lists_and_opens_a_run(monkeypatch):
    from textual.widgets import DataTable
    from tui.core import sweep
    from tui.app.app import TinyNetApp
    from tui.app.widgets.compare import SweepScreen, sweep_cells, sweep_summary

    monkeypatch.setattr(sweep, "APP_SEEDS", 3)
    monkeypatch.setattr(sweep, "APP_MAX_WORK", 800)     # XOR: 200 epochs
    app = TinyNetApp(build(XOR))
    async with app.run_test(size=(120, 40)):
        app.session.fork()
        app.action_sweep()  # the screen dismisses with the chosen run; the app opens it
        await await_until(lambda: isinstance(app.screen, SweepScreen), what="the sweep screen")
        screen = app.screen
        await await_until(lambda: screen.rows and screen.query(DataTable)
                          and screen.query_one(DataTable).row_count == len(screen.rows),
                          timeout=60, what="the sweep's runs listed")
        table = screen.query_one(DataTable)
        assert table.row_count == 12 and screen.sweep.epochs == 200
        assert "lr 5: " in sweep_summary(screen.rows)
        for r, row in enumerate(screen.rows):  # each line shows its own run
            assert tuple(map(str, table.get_row_at(r))) == sweep_cells(row)
        app.action_play()
        assert app.playing                   # opening a run stops the play worker first
        table.move_cursor(row=5)
        table.action_select_cursor()
        row = screen.rows[5]
        opened = (f"opened seed {row['seed']}, lr {row['lr']:g} at epoch 0"
                  " (branch B was closed: a new run starts alone)")
        await await_until(lambda: any(str(n.message) == opened for n in app._notifications),
                          what="the run opened")
        assert app.screen is not screen and len(app.session.branches) == 1
        assert not app.playing and app.session.stepper.epoch == 0
        assert (app.session.config.seed, app.session.config.lr) == (row["seed"], row["lr"])


def test_sweep_cells_say_what_each_run_did():
    from tui.app.widgets.compare import sweep_cells

    row = dict(lr=0.5, seed=7, diverged=False, success=True, epochs_to_success=1200,
               final_loss=0.0012345678)
    assert sweep_cells(row) == ("0.5", "7", "✓", "1200", "0.001235")
    assert sweep_cells({**row, "success": False, "epochs_to_success": None})[2:4] == \
        ("✗ stuck", "—")
    assert sweep_cells({**row, "success": False, "diverged": True,
                        "epochs_to_success": None, "final_loss": float("nan")})[2] == "diverged"

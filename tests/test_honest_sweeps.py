"""Honest sweeps: "stuck" only on a plateau above the target, "not yet" for runs still
falling, commands that carry the epoch budget, and a table no 80-column terminal cuts."""
from dataclasses import replace

import numpy as np
from rich.console import Console

from tui.core.config import RunConfig, build
from tui.core.sweep import app_grid, run_grid, run_states
from tui.cli.sweep import main, table_lines


def test_xor_lr_half_separates_stuck_from_not_yet():
    sweep = run_grid(RunConfig(task="xor"), list(range(20)), [0.5], epochs=5000)
    states = run_states(sweep.fit)
    # seeds 0, 5, 7, 9 sit at loss 0.25 (a saddle: it ends after 13 000–25 000 epochs);
    # seeds 2, 11, 15 are still falling when 5 000 epochs run out
    assert [s for s, st in zip(sweep.seeds, states) if st == "stuck"] == [0, 5, 7, 9]
    assert [s for s, st in zip(sweep.seeds, states) if st == "not yet"] == [2, 11, 15]
    assert states.count("success") == 13
    losses = sweep.fit.losses
    for r, st in enumerate(states):
        a, b = losses[r, 3750], losses[r, -1]
        if st == "stuck":
            assert a - b < 1e-3 * a and b > 0.2        # flat, far above the target
        if st == "not yet":
            assert a - b > 0.05 * a                    # clearly falling


def test_the_cli_counts_them_apart_and_every_command_carries_its_budget():
    from tui.cli import main as cli
    from tui.cli.options import config_from_args

    console = Console(record=True, width=80)
    assert main(["--task", "xor", "--seeds", "0-19", "--lr", "0.5", "--quiet"],
                console=console) == 0
    text = console.export_text()
    assert "not yet: 3 run(s) still falling at 5,000 epochs" in text
    assert "stuck: 4 run(s)" in text
    commands = [line.split(": ", 1)[1] for line in text.splitlines()
                if line.startswith("lr ") and "seed" in line]
    assert len(commands) == 3 and all(c.endswith("--epochs 5000") for c in commands)
    sweep = run_grid(RunConfig(task="xor"), list(range(20)), [0.5], epochs=5000)
    for command in commands:       # each reruns the very run, with its budget
        args = cli.make_parser().parse_args(command.split()[1:])
        assert args.command == "train" and args.epochs == 5000
        problem = build(config_from_args(args))
        result = problem.net.fit(problem.X, problem.y, args.epochs, problem.config.lr)
        r = sweep.seeds.index(args.seed)
        np.testing.assert_allclose(sweep.fit.losses[r], result.losses, rtol=1e-12)


def test_the_table_never_cuts_a_number_at_80_columns():
    console = Console(record=True, width=80)
    assert main(["--task", "regression", "--seeds", "0-2", "--lr", "0.0001,0.3,300",
                 "--init", "glorot,small,he", "--epochs", "60", "--quiet"],
                console=console) == 0
    lines = console.export_text().splitlines()
    table = lines[lines.index(next(l for l in lines if l.startswith("─"))) + 1:][:9]
    assert all(len(l) <= 80 for l in table)
    for l in table:   # every loss cell is a whole number as Python writes it
        for cell in l.split()[-3:]:
            assert "…" not in cell and (cell == "nan" or float(cell) >= 0)
    widest = table_lines([("", "a"), ("", "b")], [["0.000723456", "x" * 14]])
    assert widest[-1] == "0.000723456 " + "x" * 14


def test_the_apps_sweep_says_not_yet_apart_from_stuck():
    from tui.app.widgets.compare import sweep_cells, sweep_summary

    _, rows = app_grid(replace(RunConfig(task="xor"), lr=0.5).resolved(),
                       seeds=list(range(10)), lrs=[0.5], epochs=5000)
    assert {r["seed"]: r["state"] for r in rows if r["state"] != "success"} == {
        0: "stuck", 2: "not yet", 5: "stuck", 7: "stuck", 9: "stuck"}
    assert sweep_cells(rows[2])[2] == "… not yet"
    assert sweep_summary(rows) == "lr 0.5: 5/10 succeed, 1 not yet, 4 stuck"

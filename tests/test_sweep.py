"""`tinynet-tui sweep` (tui/sweep.py): results equal separate `train` runs; bad input."""
import numpy as np
import pytest
from rich.console import Console

from tui.config import RunConfig, build
from tui.sweep import main, number_list, run_grid, seed_list


def test_sweep_runs_equal_individual_runs_built_like_the_app():
    sweep = run_grid(RunConfig(task="xor"), [0, 1, 2, 3], [1.0, 5.0], epochs=200)
    for setting, lr in enumerate(sweep.lrs):
        for i, seed in enumerate(sweep.seeds):
            if (setting + i) % 2:  # a sample of the settings
                continue
            problem = build(RunConfig(task="xor", seed=seed, lr=lr, epochs=200))
            result = problem.net.fit(problem.X, problem.y, 200, lr)
            r = sweep.runs(setting).start + i
            np.testing.assert_allclose(sweep.fit.losses[r], result.losses, rtol=1e-12)
            metric, value = problem.score()
            assert sweep.fit.success[r] == (value == 1.0)


def test_sweep_prints_table_and_reproducible_commands(tmp_path):
    console = Console(record=True, width=200)
    rc = main(["--task", "xor", "--seeds", "0-7", "--lr", "0.5,5", "--epochs", "600",
               "--quiet", "--export", str(tmp_path)], console=console)
    text = console.export_text()
    assert rc == 0
    assert "success" in text and "median epochs to success" in text
    assert "tinynet-tui --task xor --seed 0 --lr 5.0" in text   # succeeds
    assert "fails: tinynet-tui --task xor --seed" in text        # lr 0.5 is too slow
    for name in ("sweep.csv", "heatmap.png", "losses.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "sweep.csv").read_text().count("\n") == 3


def test_regression_target_loss_criterion():
    sweep = run_grid(RunConfig(task="regression"), [0, 1], [0.3], epochs=50, target_loss=1e9)
    assert sweep.fit.success.all() and (sweep.fit.first_success == 0).all()


@pytest.mark.parametrize("argv, words", [
    (["--seeds", "5-2"], "5-2: a range must go up"),
    (["--seeds", ""], "give seeds like"),
    (["--seeds", "0,,3"], "give seeds like"),
    (["--seeds", "x"], "not a whole number"),
    (["--lr", ""], "give values like"),
    (["--lr", "1,-2"], "must be a positive number"),
    (["--seeds", "0-999999", "--lr", "1,2"], "GiB"),
    (["--task", "nope"], "invalid choice"),
])
def test_bad_arguments_give_one_line_and_status_2(argv, words, capsys):
    assert main(argv + ["--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tinynet-tui sweep: error:") and words in err


def test_list_readers():
    assert seed_list("0-3,7,2") == [0, 1, 2, 3, 7]
    assert number_list("0.5,1,1") == [0.5, 1.0]


def test_app_grid_rows_open_as_the_very_run_they_trained():
    from tui.sweep import app_grid, run_config

    sweep, rows = app_grid(RunConfig(task="xor"), seeds=[3, 4], lrs=[0.5, 5.0], epochs=300)
    assert [(r["seed"], r["lr"]) for r in rows] == [(3, 0.5), (4, 0.5), (3, 5.0), (4, 5.0)]
    for row in rows[1:3]:
        problem = build(run_config(sweep, row))
        result = problem.net.fit(problem.X, problem.y, 300, problem.config.lr)
        np.testing.assert_allclose(result.losses[-1], row["final_loss"], rtol=1e-9)
        assert row["success"] == (problem.score()[1] == 1.0)
    default, _ = app_grid(RunConfig(task="xor", lr=2.0, seed=7), epochs=10)
    assert default.seeds == list(range(7, 17)) and default.lrs == [0.2, 1.0, 2.0, 4.0]

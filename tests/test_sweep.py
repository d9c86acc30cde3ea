"""`tinynet-tui sweep` (tui/core/sweep.py): results equal separate `train` runs; bad input."""
from dataclasses import replace

import numpy as np
import pytest
from rich.console import Console

from tui.core.config import RunConfig, build
from tui.core.sweep import init_list, number_list, resolve_inits, run_grid, seed_list
from tui.cli.sweep import main, make_parser


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
    assert "ok: success" in text and "median epochs to success" in text
    assert "succeeds: tinynet-tui train --task xor --seed 1 --lr 5.0 --epochs 600" in text
    assert "is not there yet: tinynet-tui train --task xor --seed" in text  # lr 0.5: slow
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
    (["--seeds", "0-99999", "--lr", "1,2,3,4"], "GiB"),
    (["--task", "nope"], "invalid choice"),
    (["--init", "foo"], "'foo': unknown init (choose from default, glorot-uniform"),
    (["--init", ""], "give schemes like glorot,small"),
    (["--init", "glorot,,small"], "give schemes like glorot,small"),
    (["--init", "glorot", "--sigma", "2"], "--sigma: only with normal in --init"),
    (["--sigma", "-1", "--init", "normal"], "must be a positive number"),
    (["--momentum", "0.5"], "--momentum: only with --optimizer momentum or nesterov"),
    (["--activation", "softmax"], "invalid choice: 'softmax'"),
])
def test_bad_arguments_give_one_line_and_status_2(argv, words, capsys):
    assert main(argv + ["--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tinynet-tui sweep: error:") and words in err


def test_list_readers():
    assert seed_list("0-3,7,2") == [0, 1, 2, 3, 7]
    assert number_list("0.5,1,1") == [0.5, 1.0]


def test_app_grid_rows_open_as_the_very_run_they_trained():
    from tui.core.sweep import app_grid, run_config

    sweep, rows = app_grid(RunConfig(task="xor"), seeds=[3, 4], lrs=[0.5, 5.0], epochs=300)
    assert [(r["seed"], r["lr"]) for r in rows] == [(3, 0.5), (4, 0.5), (3, 5.0), (4, 5.0)]
    for row in rows[1:3]:
        problem = build(run_config(sweep, row))
        result = problem.net.fit(problem.X, problem.y, 300, problem.config.lr)
        np.testing.assert_allclose(result.losses[-1], row["final_loss"], rtol=1e-9)
        assert row["success"] == (problem.score()[1] == 1.0)
    default, _ = app_grid(RunConfig(task="xor", lr=2.0, seed=7), epochs=10)
    assert default.seeds == list(range(7, 17)) and default.lrs == [0.2, 1.0, 2.0, 4.0]


INITS = [("glorot-uniform", None), ("normal", 0.1)]


def test_sweep_over_inits_equals_individual_runs_with_that_init():
    sweep = run_grid(RunConfig(task="xor"), [0, 1], [1.0, 5.0], epochs=100, inits=INITS)
    assert sweep.settings == [(lr, i) for lr in (1.0, 5.0) for i in INITS]
    for setting, (lr, (init, sigma)) in enumerate(sweep.settings):
        for i, seed in enumerate(sweep.seeds):
            problem = build(RunConfig(task="xor", seed=seed, lr=lr, epochs=100,
                                      init=init, sigma=sigma))
            result = problem.net.fit(problem.X, problem.y, 100, lr)
            r = sweep.runs(setting).start + i
            np.testing.assert_allclose(sweep.fit.losses[r], result.losses, rtol=1e-12)


def test_init_lists_aliases_and_sigma():
    assert init_list("Glorot, small,he,glorot") == ["glorot", "small", "he"]
    assert resolve_inits(["glorot", "small", "normal", "zeros"], 0.1) == [
        ("glorot-uniform", None), ("normal", 0.1), ("zeros", None)]
    assert resolve_inits(["normal"]) == [("normal", 1.0)]
    assert resolve_inits(None) == [("default", None)]
    help_text = " ".join(make_parser().format_help().split())
    assert "glorot means glorot-uniform, small means normal with σ 0.1" in help_text


def test_sweep_over_inits_prints_table_csv_heatmap_and_commands_that_reopen_the_run(tmp_path):
    import csv

    console = Console(record=True, width=100)
    rc = main(["--task", "xor", "--seeds", "0-3", "--lr", "1,5", "--init", "glorot,small",
               "--epochs", "300", "--quiet", "--export", str(tmp_path)], console=console)
    text = console.export_text()
    assert rc == 0 and "4 seeds × 2 lr × 2 init" in text
    assert "glorot-uniform" in text and "normal σ 0.1" in text
    rows = list(csv.DictReader(open(tmp_path / "sweep.csv")))
    assert [(r["lr"], r["init"], r["sigma"]) for r in rows] == [
        ("1.0", "glorot-uniform", ""), ("1.0", "normal", "0.1"),
        ("5.0", "glorot-uniform", ""), ("5.0", "normal", "0.1")]
    for name in ("heatmap.png", "seeds.png", "losses.png"):
        assert (tmp_path / name).stat().st_size > 0
    commands = [line.split(": ", 1)[1] for line in text.splitlines()
                if line.startswith("lr ") and "seed" in line]
    assert any("--init normal --sigma 0.1" in c for c in commands)
    assert any("--init glorot-uniform" in c for c in commands)
    sweep = run_grid(RunConfig(task="xor"), [0, 1, 2, 3], [1.0, 5.0], epochs=300,
                     inits=[("glorot-uniform", None), ("normal", 0.1)])
    assert_commands_reopen_their_runs(sweep, commands[:3] + commands[-1:], 300)


def assert_commands_reopen_their_runs(sweep, commands, epochs):
    """Each printed ``tinynet-tui …`` command builds the very run the sweep trained."""
    from tui.cli import main as cli
    from tui.cli.options import config_from_args

    for command in commands:
        args = cli.make_parser().parse_args(command.split()[1:])
        problem = build(replace(config_from_args(args), epochs=epochs))
        result = problem.net.fit(problem.X, problem.y, epochs, problem.config.lr)
        setting = sweep.settings.index((problem.config.lr, (args.init, args.sigma)))
        r = sweep.runs(setting).start + sweep.seeds.index(args.seed)
        np.testing.assert_allclose(sweep.fit.losses[r], result.losses, rtol=1e-12)


@pytest.mark.parametrize("optimizer", [["--optimizer", "nesterov", "--momentum", "0.8"],
                                       ["--optimizer", "adam"]])
def test_sweep_with_an_optimizer_reopens_each_run_exactly(optimizer):
    from tui.cli import main as cli
    from tui.cli.options import config_from_args

    console = Console(record=True, width=200)
    assert main(["--task", "xor", "--seeds", "0-2", "--lr", "0.1,1", "--init", "he,default",
                 "--epochs", "150", "--quiet"] + optimizer, console=console) == 0
    text = console.export_text()
    assert f"{optimizer[1]}{' β 0.8' if len(optimizer) > 2 else ''}, 3 seeds" in text  # title
    commands = [line.split(": ", 1)[1] for line in text.splitlines()
                if line.startswith("lr ") and "seed" in line]
    assert commands and all(" ".join(optimizer) in c for c in commands)
    config = config_from_args(cli.make_parser().parse_args(["--task", "xor"] + optimizer))
    sweep = run_grid(config, [0, 1, 2], [0.1, 1.0], epochs=150,
                     inits=[("he", None), ("default", None)])
    assert_commands_reopen_their_runs(sweep, commands, 150)


def test_three_class_sweep_counts_success_by_the_largest_output():
    """spiral3 has one-hot targets (N, 3): success is every sample's largest output being
    its class (the app's `W` used to judge it by R² of the one-hot columns)."""
    sweep = run_grid(RunConfig(task="spiral3"), [0, 1], [1.0], epochs=600)
    assert sweep.criterion == "accuracy = 100 %"
    for i, seed in enumerate(sweep.seeds):
        problem = build(RunConfig(task="spiral3", seed=seed, lr=1.0, epochs=600))
        problem.net.fit(problem.X, problem.y, 600, 1.0)
        metric, value = problem.score()
        assert metric == "accuracy" and sweep.fit.success[i] == (value == 1.0)
    assert sweep.fit.success.any()


def test_a_sweep_nobody_passes_on_overlapping_classes_says_how_to_set_a_bar():
    console = Console(record=True, width=200)
    assert main(["--task", "blobs", "--seeds", "0-1", "--epochs", "50", "--quiet"],
                console=console) == 0
    text = console.export_text()
    assert "0%" in text and "--target-loss" in text


def test_an_optimizer_hyper_parameter_is_an_axis_with_a_grid_and_a_folder_each(tmp_path):
    """``--momentum 0.5,0.9``: a grid per β, each reported with its β, its runs' commands
    carrying it, exported into DIR/momentum-0.5/ and DIR/momentum-0.9/; bounds as everywhere."""
    console = Console(record=True, width=200)
    assert main(["--task", "xor", "--optimizer", "momentum", "--momentum", "0.5,0.9", "--seeds",
                 "0-1", "--lr", "2", "--epochs", "30", "--quiet", "--export",
                 str(tmp_path)], console=console) == 0
    text = console.export_text()
    assert "momentum β 0.5, 2 seeds" in text and "momentum β 0.9, 2 seeds" in text
    assert "--optimizer momentum --momentum 0.5 --epochs 30" in text
    assert "--optimizer momentum --momentum 0.9 --epochs 30" in text
    for beta in ("0.5", "0.9"):
        assert (tmp_path / f"momentum-{beta}" / "sweep.csv").is_file()
    assert make_parser().parse_args(["--momentum", "0.9,0.5,0.9"]).momentum == [0.9, 0.5]
    with pytest.raises(Exception, match="momentum must be a number from 0 to 1"):
        make_parser().parse_args(["--momentum", "0.5,1"])

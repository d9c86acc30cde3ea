import subprocess
import sys

import numpy as np
import pytest

from nn import load
from tui.cli.main import main


@pytest.mark.parametrize("argv,message", [
    (["train", "--lr", "0"], "--lr: lr must be a number above 0, got 0"),
    (["train", "--lr", "abc"], "'abc' is not a number"),
    (["train", "--task", "nand"], "invalid choice: 'nand'"),
    (["train", "--hidden", "-2"], "layer sizes must be at least 1"),
    (["train", "--hidden", "2,x"], "give layer sizes like 2 or 16,8"),
    (["train", "--epochs", "-1"], "--epochs: epochs must be a whole number from 1 to 20000000, got -1"),
    (["sweep", "--epochs", "0"], "--epochs: epochs must be a whole number from 1 to 20000000, got 0"),
    (["train", "--seed", "-1"], "--seed: seed must be a whole number from 0 to 4294967295, got -1"),
    (["train", "--data", "missing.csv"], "missing.csv: no such file"),
    (["train", "--activation", "swish"], "invalid choice: 'swish'"),
    (["--lr", "nan"], "must be a finite number, got nan"),
    (["--lr", "inf"], "must be a finite number, got inf"),
    (["--lr", "-inf"], "expected one argument (write --lr=-inf for a value that starts with"),
    (["--momentum", "0.5"], "argument --momentum: only with --optimizer momentum or nesterov"),
    (["train", "--momentum", "0.5"], "argument --momentum: only with --optimizer momentum"),
    (["--epochs", "5"], "--epochs is an option of tinynet-tui train and tinynet-tui sweep, not of"),
    (["--task", "and", "--until-loss", "0.1"], "--until-loss is an option of tinynet-tui train,"),
])
def test_bad_values_exit_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("tinynet-tui: error:")


def test_bad_csv_content_is_one_line_naming_file_and_line(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("0,0,0\n1,oops,1\n")
    assert main(["train", "--data", str(f)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, line 2: 'oops' is not a number" in err and err.count("\n") == 1


def test_directory_as_data_file(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_corrupt_model_file(tmp_path, capsys):
    f = tmp_path / "m.npz"
    f.write_bytes(b"junk")
    assert main(["train", "--load", str(f)]) == 2
    assert "m.npz: not a readable model file" in capsys.readouterr().err


def test_train_xor_prints_summary_and_saves(tmp_path, capsys):
    model = tmp_path / "xor.npz"
    assert main(["train", "--task", "xor", "--quiet", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert "100.0%" in out and "5000" in out
    net, meta = load(model)
    assert net.sizes == [2, 2, 1] and meta["task"] == "xor"
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
    np.testing.assert_array_equal(net.predict(X).ravel() > 0.5, [False, True, True, False])


def test_train_until_loss_stops_early(capsys):
    assert main(["train", "--quiet", "--until-loss", "0.1"]) == 0
    assert "until_loss" in capsys.readouterr().out


def test_train_from_csv_and_loaded_model(tmp_path, capsys):
    f = tmp_path / "and.csv"
    f.write_text("x1,x2,y\n0,0,0\n0,1,0\n1,0,0\n1,1,1\n")
    assert main(["train", "--data", str(f), "--quiet", "--epochs", "3000", "--lr", "1",
                 "--save", str(tmp_path / "m.npz")]) == 0
    assert "accuracy" in capsys.readouterr().out
    assert main(["train", "--data", str(f), "--quiet", "--epochs", "1",
                 "--load", str(tmp_path / "m.npz")]) == 0
    assert "100.0%" in capsys.readouterr().out


def test_export_writes_pngs(tmp_path, capsys):
    assert main(["train", "--task", "regression", "--epochs", "300", "--quiet",
                 "--export", str(tmp_path / "out")]) == 0
    for name in ("loss.png", "surface.png"):
        data = (tmp_path / "out" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_diverging_run_says_so_without_numpy_warnings():
    out = subprocess.run([sys.executable, "-m", "tui.cli.main", "train", "--task", "regression",
                          "--hidden", "8", "--activation", "relu", "--lr", "1000",
                          "--epochs", "500", "--quiet"], capture_output=True, text=True)
    assert out.returncode == 1
    assert "diverged" in out.stdout
    assert "Warning" not in out.stdout + out.stderr


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "tui.cli.main", "train", "--lr", "-3"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_wheel_ships_the_stylesheet_and_console_script(tmp_path):
    """setuptools drops .tcss files unless declared; check a real wheel: the stylesheet,
    the digits data, the built-in lessons, the console script, and no 'package absent
    from the packages configuration' warning (the data folders are listed packages)."""
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(root), "--no-deps",
                          "--no-build-isolation", "-v", "-w", str(tmp_path)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {out.stderr.strip()[-200:]}")
    wheel = zipfile.ZipFile(next(tmp_path.glob("*.whl")))
    names = wheel.namelist()
    assert "tui/app/app.tcss" in names
    assert {"nn/data/digits.csv.gz", "nn/data/README.md",
            "tui/lessons/builtin/backprop.md", "tui/lessons/builtin/hidden-pictures.md"} <= set(names)
    assert "absent from the `packages` configuration" not in out.stdout + out.stderr
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tinynet-tui = tui.cli.main:main" in wheel.read(entry).decode()


# ---- issue 13: train/test split, noise, input features, target formula, 3-class tasks

@pytest.mark.parametrize("argv,message", [
    (["train", "--task", "regression", "--target", "sin(3*x1"],
     "argument --target: at column 9: expected ')'"),
    (["train", "--task", "regression", "--target", "x1 + y"],
     "argument --target: at column 6: unknown name 'y'"),
    (["train", "--task", "circle", "--target", "x1"], "--target: only for --task regression"),
    (["train", "--target", "x1"], "--target: only for --task regression, not xor"),
    (["train", "--task", "regression", "--target", "log(x1)"],
     "--target: log(x1) is nan at x₁ = "),
    (["train", "--task", "regression", "--target", "1/x1"], "is inf at x₁ = 0, x₂ = -1"),
    (["train", "--features", "x1,x3"], "argument --features: unknown feature 'x3'"),
    (["train", "--features", "x1,x1"], "feature x1 is given twice"),
    (["train", "--task", "circle", "--test-fraction", "0.95"],
     "argument --test-fraction: test_fraction must be a number from 0 to 0.9, got 0.95"),
    (["train", "--task", "circle", "--test-fraction", "nan"], "must be a finite number"),
    (["train", "--test-fraction", "0.2"], "xor has only 4 samples"),
    (["train", "--task", "circle", "--noise", "-0.1"], "argument --noise: noise must be a number from 0 to 10"),
    (["train", "--task", "and", "--noise", "0.1"], "--noise: only for the generated tasks"),
    (["--task", "spiral3", "--noise", "x"], "argument --noise: 'x' is not a number"),
])
def test_bad_data_options_exit_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("tinynet-tui: error:")


def test_bad_target_in_csv_run_is_one_line(tmp_path, capsys):
    f = tmp_path / "d.csv"
    f.write_text("0,0,0\n1,1,2\n0.5,0.5,1\n")
    assert main(["train", "--data", str(f), "--target", "x1"]) == 2
    assert "--target: only for --task regression, not --data" in capsys.readouterr().err


def test_split_is_seeded_disjoint_and_reported(capsys):
    from tui.core.config import RunConfig, build

    a = build(RunConfig(task="spiral", test_fraction=0.25, seed=3))
    b = build(RunConfig(task="spiral", test_fraction=0.25, seed=3))
    c = build(RunConfig(task="spiral", test_fraction=0.25, seed=4))
    assert a.X.shape == (150, 2) and a.X_test.shape == (50, 2) and a.y_test.shape == (50, 1)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_test, c.X_test)
    rows = {tuple(r) for r in a.X}
    assert not any(tuple(r) in rows for r in a.X_test)
    whole = build(RunConfig(task="spiral"))
    assert whole.X_test is None and whole.test_score() is None and whole.test_loss() is None
    assert len(rows | {tuple(r) for r in a.X_test}) == len(whole.X)
    assert main(["train", "--task", "circle", "--test-fraction", "0.2", "--epochs", "300",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test loss" in out and "test" in out and out.count("%") == 2


def test_target_formula_trains_and_the_model_remembers_it(tmp_path, capsys):
    from nn.formula import parse
    from tui.core.config import RunConfig, build

    p = build(RunConfig(task="regression", target="sin(3*x1)*x2", noise=0.0))
    np.testing.assert_allclose(p.y[:, 0], np.sin(3 * p.X[:, 0]) * p.X[:, 1])
    model = tmp_path / "m.npz"
    assert main(["train", "--task", "regression", "--target", "sin(3*x1)*x2", "--epochs",
                 "3000", "--quiet", "--save", str(model)]) == 0
    assert "R²" in capsys.readouterr().out
    net, meta = load(model)
    assert meta["target"] == "sin(3*x1)*x2" and "features" not in meta
    again = build(RunConfig(task="regression", load=model))
    assert again.config.target == "sin(3*x1)*x2"
    np.testing.assert_array_equal(again.y, p.y)
    metric, r2 = again.score()          # R² on the formula's grid, not on x1^2 + x2^2
    grid = np.array([[0.3, -0.2]])
    np.testing.assert_allclose(again.config.target_function(grid), parse("sin(3*x1)*x2")(grid))
    assert metric == "R²" and r2 > 0.8


def test_features_round_trip_through_a_saved_model(tmp_path, capsys):
    model = tmp_path / "c.npz"
    assert main(["train", "--task", "circle", "--features", "x1^2,x2^2", "--hidden", "0",
                 "--quiet", "--save", str(model)]) == 0
    assert "circle: 2–1" in capsys.readouterr().out
    net, meta = load(model)
    assert meta["features"] == ["x1^2", "x2^2"] and net.sizes == [2, 1]
    from tui.core.config import RunConfig, build

    p = build(RunConfig(task="circle", load=model))
    assert p.config.features == ("x1^2", "x2^2")
    np.testing.assert_array_equal(p.X, p.points ** 2)
    assert p.score()[1] >= 0.93
    assert main(["train", "--load", str(model), "--features", "x1,x2", "--quiet"]) == 2
    assert "takes the features x1^2,x2^2, not --features x1,x2" in capsys.readouterr().err


@pytest.mark.parametrize("task", ["blobs", "spiral3"])
def test_three_class_tasks_train_to_high_argmax_accuracy(task, capsys):
    from tui.core.config import RunConfig, build

    p = build(RunConfig(task=task))
    assert p.kind == "multiclass" and p.y.shape[1] == 3 and p.net.sizes[-1] == 3
    epochs = p.config.epochs if task == "blobs" else 3000
    p.net.fit(p.X, p.y, epochs=epochs, lr=p.config.lr)
    metric, value = p.score()
    assert metric == "accuracy" and value >= (0.97 if task == "blobs" else 0.9)


def test_app_command_keeps_the_data_options():
    from tui.cli.main import make_parser
    from tui.cli.options import app_command

    args = make_parser().parse_args(["--task", "regression", "--target", "x1*x2",
                                     "--features", "x1,x2,x1x2", "--test-fraction", "0.3",
                                     "--noise", "0.1"])
    argv = app_command(args)
    for pair in (["--target", "x1*x2"], ["--features", "x1,x2,x1x2"],
                 ["--test-fraction", "0.3"], ["--noise", "0.1"]):
        i = argv.index(pair[0])
        assert argv[i:i + 2] == pair


def test_three_class_tasks_are_not_in_the_apps_task_cycle():
    from tui.core.config import ALL_TASKS, TASKS

    assert "spiral3" not in TASKS and "spiral3" in ALL_TASKS   # t cycles the 2-class tasks


def test_switching_task_keeps_options_that_do_not_apply_without_failing():
    """The app's next-task key keeps the rest of the config; build ignores what does not fit."""
    from tui.core.config import RunConfig, build

    cfg = RunConfig(task="regression", target="x1*x2", noise=0.1, test_fraction=0.2)
    for task in ("and", "xor", "circle", "spiral"):
        p = build(RunConfig(**{**cfg.__dict__, "task": task}))
        assert p.config.target_function is None
        assert (p.X_test is None) == (task in ("and", "xor"))
    np.testing.assert_array_equal(build(RunConfig(task="xor", noise=0.3)).X, [[0, 0], [0, 1],
                                                                             [1, 0], [1, 1]])


# ------------------------------------------------------------ issue 11: training knobs
from tui.cli.main import make_parser  # noqa: E402
from tui.cli.options import config_from_args  # noqa: E402
from tui.core.config import build  # noqa: E402


def _problem(*argv):
    args = make_parser().parse_args(list(argv))
    return build(config_from_args(args))


def test_the_issue_11_command_lines_build_what_they_say():
    p = _problem("--task", "xor", "--init", "zeros")
    assert all((layer.W == 0).all() for layer in p.net.layers)
    p = _problem("--task", "regression", "--optimizer", "momentum", "--momentum", "0.8")
    assert p.net.optimizer.name == "momentum" and p.net.optimizer.hyper == {"beta": 0.8,
                                                                            "nesterov": False}
    p = _problem("--task", "spiral", "--optimizer", "adam", "--lr", "0.01", "--batch", "16")
    assert p.net.optimizer.name == "adam" and p.config.batch == 16 and p.config.lr == 0.01
    p = _problem("--task", "spiral3", "--loss", "cross-entropy")
    assert p.net.loss.name == "softmax-ce" and p.net.sizes[-1] == 3
    p = _problem("--task", "circle", "--loss", "cross-entropy", "--weight-decay", "1e-3")
    assert p.net.loss.name == "bce" and p.net.weight_decay == 1e-3
    p = _problem("--task", "xor", "--init", "normal", "--sigma", "3")
    assert p.net.init == "normal(sigma=3)"
    p = _problem("--task", "xor", "--optimizer", "nesterov")
    assert p.net.optimizer.hyper["nesterov"] is True
    # defaults: plain gradient descent on the task's own loss, full batch
    p = _problem("--task", "xor")
    assert (p.net.loss.name, p.net.optimizer.name, p.net.weight_decay, p.config.batch) == \
        ("mse", "gd", 0.0, None)


@pytest.mark.parametrize("argv, message", [
    (["--momentum", "1"], "argument --momentum: momentum must be a number from 0 to 1 (not included), got 1"),
    (["--weight-decay", "-1"], "argument --weight-decay: weight_decay must be a number from 0 to 1e+06, got -1"),
    (["--batch", "0"], "argument --batch: batch must be a whole number from 1 to 1000000000, got 0"),
    (["--batch", "5"], "--batch 5: the data has only 4 training rows"),
    (["--sigma", "2"], "argument --sigma: only with --init normal"),
    (["--task", "regression", "--loss", "bce"],
     "--loss bce: loss bce needs a sigmoid output layer, not identity"),
    (["--task", "regression", "--loss", "cross-entropy"], "cross-entropy needs a sigmoid or "
                                                          "softmax output, not identity"),
    (["--optimizer", "sgd"], "argument --optimizer: invalid choice: 'sgd'"),
    (["--activation", "softmax"], "argument --activation: invalid choice: 'softmax'"),
])
def test_bad_training_options_are_one_line(capsys, argv, message):
    assert main(["train", *argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_a_loaded_model_keeps_its_loss_and_optimizer(tmp_path, capsys):
    path = tmp_path / "c.npz"
    assert main(["train", "--task", "circle", "--loss", "cross-entropy", "--optimizer",
                 "nesterov", "--momentum", "0.5", "--epochs", "20", "--quiet",
                 "--save", str(path)]) == 0
    p = _problem("--load", str(path), "--task", "circle")
    assert (p.config.loss, p.config.optimizer, p.config.hyper_value("momentum")) == (
        "bce", "nesterov", 0.5)
    assert p.net.optimizer.t == 20
    assert main(["train", "--load", str(path), "--optimizer", "adam", "--quiet"]) == 2
    assert "trained with optimizer nesterov, not --optimizer adam" in capsys.readouterr().err


def test_activation_takes_one_name_for_all_or_one_per_hidden_layer():
    from tui.cli.main import make_parser
    from tui.cli.options import app_command

    p = _problem("--task", "xor", "--hidden", "4,4", "--activation", "tanh,relu")
    assert p.net.activations == ["tanh", "relu", "sigmoid"]
    assert p.config.activation == ("tanh", "relu")
    p = _problem("--task", "xor", "--hidden", "4,4", "--activation", "tanh")  # one: every layer
    assert p.net.activations == ["tanh", "tanh", "sigmoid"] and p.config.activation == "tanh"
    args = make_parser().parse_args(["--hidden", "4,4", "--activation", "tanh,relu"])
    argv = app_command(args)
    assert argv[argv.index("--activation") + 1] == "tanh,relu"


@pytest.mark.parametrize("argv, message", [
    (["--hidden", "4,4", "--activation", "tanh,relu,relu"],
     "--activation tanh,relu,relu: 3 names for 2 hidden layers (--hidden 4,4); give one for "
     "all, or one per hidden layer"),
    (["--activation", "tanh,relu"], "2 names for 1 hidden layer (--hidden 2)"),   # xor 2–2–1
    (["--hidden", "0", "--activation", "tanh,relu"], "2 names for 0 hidden layers"),
    (["--hidden", "4,4", "--activation", "tanh,swish"],
     "argument --activation: invalid choice: 'swish' (choose from identity, sigmoid, tanh, "
     "relu: one for every hidden layer, or one per layer like tanh,relu)"),
    (["--hidden", "4,4", "--activation", "tanh,"], "invalid choice: ''"),
    (["--hidden", "4,4", "--activation", "relu,softmax"], "invalid choice: 'softmax'"),
])
def test_a_wrong_activation_list_is_one_line(capsys, argv, message):
    assert main(["train", *argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_load_checks_each_layers_activation(tmp_path, capsys):
    path = tmp_path / "tr.npz"
    assert main(["train", "--hidden", "4,4", "--activation", "tanh,relu", "--epochs", "3",
                 "--quiet", "--save", str(path)]) == 0
    capsys.readouterr()
    p = _problem("--task", "xor", "--load", str(path))
    assert p.net.activations == ["tanh", "relu", "sigmoid"]
    assert p.config.activation == ("tanh", "relu") and p.config.hidden == (4, 4)
    given = _problem("--task", "xor", "--load", str(path), "--activation", "tanh,relu")
    assert given.net.sizes == [2, 4, 4, 1]
    for given in ("relu,tanh", "tanh", "tanh,relu,relu"):
        assert main(["train", "--load", str(path), "--activation", given, "--quiet"]) == 2
        err = capsys.readouterr().err
        assert (f"tr.npz: the model's hidden activations are tanh,relu, not --activation "
                f"{given} (leave --activation out)") in err and err.count("\n") == 1
    same = tmp_path / "tt.npz"
    assert main(["train", "--hidden", "4,4", "--activation", "tanh", "--epochs", "1",
                 "--quiet", "--save", str(same)]) == 0
    p = _problem("--task", "xor", "--load", str(same), "--activation", "tanh,tanh")
    assert p.config.activation == "tanh"
    assert main(["train", "--load", str(same), "--activation", "relu", "--quiet"]) == 2
    assert "hidden activation is tanh, not --activation relu" in capsys.readouterr().err


def test_the_app_command_of_every_optimizer_is_one_the_app_accepts():
    """``serve`` runs app_command's line for each browser: it carries the optimizer's own
    hyper-parameter options, never another's (``--optimizer adam --momentum 0.9`` was refused)."""
    from tui.cli.options import app_command, check_data_options
    from tui.core.config import OPTIMIZER_CHOICES

    for word in OPTIMIZER_CHOICES:
        args = make_parser().parse_args(["serve", "--task", "xor", "--optimizer", word])
        argv = app_command(args)[3:]
        again = make_parser().parse_args(argv)
        check_data_options(again)                   # raises for a stray hyper-parameter option
        assert (again.optimizer or "gd") == word      # gd: left out, the default
        assert ("--momentum" in argv) == (word in ("momentum", "nesterov"))
        assert ("--rho" in argv) == (word == "rmsprop")


def test_train_summary_numbers_are_all_of_the_final_weights():
    """The row's train loss, accuracy, test loss and test accuracy all come from the weights
    after the last epoch (not fit()'s last recorded loss, which is of the weights before
    that epoch's update), with the same 4 significant digits; the caption says so."""
    import io
    import re

    from rich.console import Console

    from tui.cli.train import run_training
    problem = _problem("train", "--task", "digits", "--epochs", "5")
    out = io.StringIO()
    assert run_training(problem, quiet=True, console=Console(file=out, width=300)) == 0
    text = out.getvalue()
    row = next(line for line in text.splitlines() if "epochs  │" in line or "│ epochs" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    net = problem.net  # the final weights: compute each number again, directly
    train = float(net.loss(net.predict(problem.X), problem.y))
    test = float(net.loss(net.predict(problem.X_test), problem.y_test))
    right = np.mean(net.predict(problem.X).argmax(1) == problem.y.argmax(1))
    right_test = np.mean(net.predict(problem.X_test).argmax(1) == problem.y_test.argmax(1))
    assert cells[:5] == [f"{train:.4g}", f"{right:.1%}", f"{test:.4g}", f"{right_test:.1%}", "5"]
    assert "all four with the weights after epoch 5" in " ".join(text.split())
    penalty = net.penalty()
    assert penalty > 0 and (f"is {train:.4g} + {penalty:.4g} = {train + penalty:.4g}"
                            in " ".join(text.split()))

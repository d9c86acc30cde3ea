"""One set of bounds (tui.core.settings): whatever the command line accepts, the app saves
as a session that ``--replay`` reads back; values past a bound are refused up front, by
the command line, the session reader and the model reader alike."""
from __future__ import annotations

import re

import numpy as np
import pytest

from nn import NeuralNetwork, save
from nn.io import ModelFileError, load
from tui.app.app import TinyNetApp
from tui.cli.main import main, make_parser
from tui.cli.options import config_from_args
from tui.core.config import build
from tui.core.settings import SETTINGS

BOUNDS = {"seed": (0, SETTINGS["seed"].high), "hidden_size": (1, SETTINGS["hidden"].high),
          "hidden_layers": (0, 16), "sigma": (0, SETTINGS["sigma"].high),
          "weight_decay": (0, SETTINGS["weight_decay"].high), "noise": (0, SETTINGS["noise"].high),
          "test_fraction": (0, SETTINGS["test_fraction"].high)}
from tui.core.recording import load_session

#: each setting at its extreme, as a command line takes it (small networks: the point is
#: the bound, not the memory)
EXTREMES = [
    ["--seed", str(BOUNDS["seed"][1])],
    ["--seed", "0"],
    ["--hidden", str(BOUNDS["hidden_size"][1])],
    ["--hidden", ",".join(["1"] * BOUNDS["hidden_layers"][1])],
    ["--hidden", "0"],
    ["--init", "normal", "--sigma", f"{BOUNDS['sigma'][1]:g}"],
    ["--weight-decay", f"{BOUNDS['weight_decay'][1]:g}"],
    ["--task", "circle", "--noise", f"{BOUNDS['noise'][1]:g}"],
    ["--task", "circle", "--test-fraction", f"{BOUNDS['test_fraction'][1]:g}"],
    ["--task", "regression", "--target", "x1+" * 66 + "x2"],  # 200 characters
]


def config_of(argv):
    args = make_parser().parse_args(argv)
    args.task = args.task or "xor"
    return config_from_args(args)


@pytest.mark.parametrize("argv", EXTREMES, ids=lambda a: " ".join(a)[:40])
async def test_a_session_saved_at_a_bound_replays(tmp_path, argv):
    from tui.core.session import Session

    app = TinyNetApp(build(config_of(argv)), save_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "n", "S")  # two steps, then save the session
        await pilot.pause()
    (saved,) = tmp_path.glob("*.json")
    config, actions = load_session(saved)  # refused before: seed, hidden, σ, λ past a bound
    replay = Session(build(config))
    for action in actions:
        replay.apply(action)
    for mine, theirs in zip(app.session.net.layers, replay.net.layers):
        assert np.array_equal(mine.W, theirs.W) and np.array_equal(mine.b, theirs.b)


def test_a_new_seed_after_the_largest_wraps_and_still_replays(tmp_path):
    from tui.core.session import Session

    session = Session(build(config_of(["--seed", str(BOUNDS["seed"][1])])))
    assert session.new_seed() == 0
    path = session.save_session(tmp_path / "s.json")
    config, actions = load_session(path)
    assert config.seed == BOUNDS["seed"][1] and [a.name for a in actions] == ["seed"]


@pytest.mark.parametrize("argv, words", [
    (["--seed", "4294967296"], "--seed: seed must be a whole number from 0 to 4294967295"),
    (["--hidden", "5000"], "hidden layer size must be a whole number from 1 to 4096"),
    (["--hidden", ",".join(["2"] * 17)], "at most 16 layer sizes"),
    (["--init", "normal", "--sigma", "1e7"], "--sigma: sigma must be a number from 0 to 1e+06"),
    (["--weight-decay", "1e7"], "--weight-decay: weight_decay must be a number from 0 to 1e+06"),
    (["--batch", str(10**10)], "--batch: batch must be a whole number from 1 to 1000000000"),
    (["--task", "regression", "--target", "x1+" * 67 + "x2"], "longer than 200 characters"),
    (["share", "--hidden", "5000"], "hidden layer size must be a whole number from 1 to 4096"),
    (["train", "--seed", str(10**40)], "--seed: seed must be a whole number from 0 to 4294967295"),
])
def test_values_past_a_bound_are_refused_up_front(argv, words):
    from tui.cli.options import UsageError

    with pytest.raises(UsageError, match=re.escape(words)):  # by the parser: nothing runs
        make_parser().parse_args(argv)


def test_a_refusal_is_one_line_exit_2(capsys):
    assert main(["train", "--seed", "4294967296"]) == 2
    err = capsys.readouterr().err
    assert "--seed: seed must be a whole number from 0 to 4294967295" in err and err.count("\n") == 1


def _model(tmp_path, **meta_changes):
    import json
    import zipfile

    path = save(NeuralNetwork.from_sizes([2, 3, 1], "tanh", "sigmoid", seed=1),
                tmp_path / "m.npz", task="xor")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"][()]))
    meta.update(meta_changes)
    arrays["meta"] = np.array(json.dumps(meta))
    out = tmp_path / "changed.npz"
    np.savez(out, **arrays)
    assert zipfile.is_zipfile(out)
    return out


def test_a_model_seed_of_ten_to_the_forty_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match=r"bad seed 1000.*from 0 to 4294967295"):
        load(_model(tmp_path, seed=10**40))
    assert load(_model(tmp_path, seed=BOUNDS["seed"][1]))[0].seed == BOUNDS["seed"][1]


def test_a_model_with_softmax_in_a_hidden_layer_is_refused_as_the_cli_refuses_it(
        tmp_path, capsys):
    path = _model(tmp_path, activations=["softmax", "sigmoid"])
    assert main(["train", "--load", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "hidden layer 1 has a softmax activation" in err and err.count("\n") == 1
    assert main(["train", "--activation", "softmax"]) == 2  # the command line's own refusal
    assert "invalid choice: 'softmax'" in capsys.readouterr().err


def test_a_model_wider_than_a_layers_bound_is_refused_from_its_header(tmp_path):
    with pytest.raises(ModelFileError, match="from 1 to 4096"):
        load(_model(tmp_path, sizes=[2, 4_999_999, 1]))

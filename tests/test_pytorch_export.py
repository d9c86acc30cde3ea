"""``train --export-pytorch``: the script's text without PyTorch (it compiles, every weight
is there, the settings are mapped) and, with PyTorch installed, the exported scripts run
and reproduce the engine's losses to 1e-9."""
from __future__ import annotations

import ast
import contextlib
import io
import re
import runpy
import subprocess
import sys

import numpy as np
import pytest

from nn import safetensors
from nn.state_dict import state_dict
from tui.cli.main import main
from tui.core.config import RunConfig, build, with_settings
from tui.core import pytorch_export as pe


def run_of(**options) -> pe.Run:
    problem = build(with_settings(RunConfig(), **options))
    cfg = problem.config
    return pe.Run(problem.net, problem.X, problem.y, cfg.lr, cfg.epochs, cfg.batch,
                  label=cfg.label)


def assignments(text: str) -> dict:
    """Every top-level ``NAME = literal`` of the script, evaluated without running it."""
    out = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


CASES = {  # name: RunConfig options (few epochs: quick)
    "xor-gd": dict(task="xor", epochs=40),
    "regression-momentum-batch": dict(task="regression", optimizer="momentum", batch=64,
                                      epochs=8, hidden=(6,)),
    "spiral3-ce-nesterov": dict(task="spiral3", loss="cross-entropy", optimizer="nesterov",
                                lr=0.1, epochs=15, hidden=(8,)),
    "circle-bce-adam-batch-decay": dict(task="circle", loss="cross-entropy", optimizer="adam",
                                        lr=0.01, batch=32, weight_decay=0.01, epochs=10,
                                        activation="relu"),
    "blobs-adam-decay": dict(task="blobs", optimizer="adam", lr=0.05, weight_decay=0.001,
                             epochs=20),
    "circle-bce-rmsprop-batch-decay": dict(task="circle", loss="cross-entropy",
                                           optimizer="rmsprop", rho=0.8, lr=0.01, batch=32,
                                           weight_decay=0.01, epochs=10),
    # chaotic (Adam at lr 1): each compared epoch restarts from the engine's state
    "spiral3-ce-adam-batch-chaotic": dict(task="spiral3", loss="cross-entropy",
                                          optimizer="adam", batch=16, epochs=30, hidden=(8,)),
    "spiral3-ce-rmsprop-batch-chaotic": dict(task="spiral3", loss="cross-entropy",
                                             optimizer="rmsprop", lr=0.3, batch=16, epochs=30,
                                             hidden=(8,)),
}


# ------------------------------------------------------------- without torch
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_script_compiles_and_holds_every_weight_and_the_engines_losses(case):
    run = run_of(**CASES[case])
    plan = pe.prepare(run)
    text = pe.script(plan, "run.safetensors" if plan.restarts else None)
    compile(text, "run.py", "exec")
    assert bool(plan.chaos) == case.endswith("chaotic")
    values = assignments(text)
    assert set(values["INITIAL"]) == set(state_dict(run.net))
    for name, array in state_dict(run.net).items():  # weights as torch's (out, in)
        np.testing.assert_array_equal(np.array(values["INITIAL"][name]), array)
    np.testing.assert_array_equal(np.array(values["X_DATA"]), run.X)
    np.testing.assert_array_equal(np.array(values["Y_DATA"]), run.y)
    losses = pe.engine_losses(run.net, run.X, run.y, run.lr, run.epochs, run.batch)
    assert values["ENGINE_LOSS"] == {e: losses[e] for e in pe.checkpoints(run.epochs)}
    assert values["EPOCHS"] == run.epochs and values["LR"] == run.lr


def test_the_settings_are_mapped_to_torch():
    text = pe.script(pe.prepare(run_of(**CASES["circle-bce-adam-batch-decay"])))
    assert "torch.optim.Adam(groups, lr=LR, betas=(0.9, 0.999), eps=1e-08)" in text
    assert '{"params": biases, "weight_decay": 0.0}' in text  # biases never decayed
    assert "torch.nn.BCEWithLogitsLoss()" in text and "torch.nn.Sigmoid()" not in text
    assert "torch.nn.ReLU()" in text
    values = assignments(text)
    assert (values["BATCH"], values["SEED"], values["WEIGHT_DECAY"]) == (32, 0, 0.01)
    assert "default_rng([SEED, epoch]).permutation(n)" in text
    nesterov = pe.script(pe.prepare(run_of(**CASES["spiral3-ce-nesterov"])))
    assert "torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True)" in nesterov
    assert "torch.nn.CrossEntropyLoss()" in nesterov and "import numpy" not in nesterov
    xor = pe.script(pe.prepare(run_of(**CASES["xor-gd"])))
    assert "torch.optim.SGD(model.parameters(), lr=LR)" in xor
    assert "torch.nn.MSELoss()" in xor and "torch.nn.Sigmoid(),  # the output" in xor
    regression = pe.script(pe.prepare(run_of(**CASES["regression-momentum-batch"])))
    assert "torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)\n" in regression
    rmsprop = pe.script(pe.prepare(run_of(**CASES["circle-bce-rmsprop-batch-decay"])))
    assert "torch.optim.RMSprop(groups, lr=LR, alpha=0.8, eps=1e-08)" in rmsprop


def test_large_data_goes_to_a_safetensors_file_beside_the_script(tmp_path):
    run = run_of(**CASES["regression-momentum-batch"])
    written = pe.write(tmp_path / "run.py", run, embed_limit=100)
    assert written == [tmp_path / "run.py", tmp_path / "run.safetensors"]
    tensors, _ = safetensors.read(written[1])
    np.testing.assert_array_equal(tensors["X"], run.X)
    np.testing.assert_array_equal(tensors["0.weight"], run.net.layers[0].W.T)
    text = written[0].read_text()
    compile(text, "run.py", "exec")
    assert "X_DATA" not in text and "SIDECAR = 'run.safetensors'" in text


def test_a_chaotic_run_restarts_each_compared_epoch_from_the_engine():
    chaotic = pe.prepare(run_of(task="spiral3", loss="cross-entropy", optimizer="adam",
                                batch=16, epochs=60))
    assert chaotic.chaos and "changes the engine's own loss" in chaotic.chaos
    assert set(chaotic.restarts) == set(chaotic.compare) - {0}
    params, slots, t = chaotic.restarts[6]
    assert t == 6 * 19 and set(slots["0.weight"]) == {"exp_avg", "exp_avg_sq"}
    assert pe.prepare(run_of(**CASES["xor-gd"])).chaos is None


def test_a_run_continued_from_a_saved_optimizer_state_carries_it(tmp_path):
    run = run_of(**CASES["blobs-adam-decay"])
    run.net.fit(run.X, run.y, epochs=3, lr=run.lr)
    text = pe.script(pe.prepare(run))
    state = assignments(text)["STATE"]
    m, _ = run.net.split(run.net.optimizer.state["m"])[0]
    np.testing.assert_array_equal(np.array(state["0.weight"]["exp_avg"]), m.T)
    assert 'optimizer.state[p]["step"] = torch.tensor(3.0)' in text


def test_a_run_continued_with_rmsprop_carries_its_square_avg_and_step():
    run = run_of(**CASES["circle-bce-rmsprop-batch-decay"])
    run.net.fit(run.X, run.y, epochs=2, lr=run.lr)
    text = pe.script(pe.prepare(run))
    state = assignments(text)["STATE"]
    s, _ = run.net.split(run.net.optimizer.state["s"])[0]
    np.testing.assert_array_equal(np.array(state["0.weight"]["square_avg"]), s.T)
    assert 'optimizer.state[p]["step"] = torch.tensor(2.0)' in text
    chaotic = pe.script(pe.prepare(run_of(**CASES["spiral3-ce-rmsprop-batch-chaotic"])), "r.st")
    assert 'state["step"] = torch.tensor(float(STEPS[epoch]))' in chaotic
    momentum = pe.script(pe.prepare(run_of(task="spiral3", loss="cross-entropy", lr=3,
                                           optimizer="momentum", batch=16, epochs=30)), "r.st")
    assert "STEPS[epoch]" not in momentum.split("def restart_from_engine")[1].split("def ")[0]


def test_a_diverged_run_is_compared_up_to_its_last_finite_loss():
    run = run_of(task="regression", lr=1e6, epochs=50)
    plan = pe.prepare(run)
    assert 1 <= plan.epochs < 50 and max(plan.compare) == plan.epochs - 1
    assert all(np.isfinite(v) for v in plan.compare.values())


def test_cli_refuses_an_existing_script_before_training(tmp_path, capsys):
    target = tmp_path / "run.py"
    target.write_text("keep")
    assert main(["train", "--task", "xor", "--epochs", "5", "--quiet",
                 "--export-pytorch", str(target)]) == 2
    assert "exists" in capsys.readouterr().err and target.read_text() == "keep"
    assert main(["train", "--task", "xor", "--epochs", "5", "--quiet",
                 "--export-pytorch", str(tmp_path / "run.safetensors")]) == 2
    assert "must end in .py" in capsys.readouterr().err


# ----------------------------------------------------------------- with torch
def run_script(path) -> tuple[int, str]:
    """Run an exported script in this process (torch imported once): (status, output)."""
    torch = pytest.importorskip("torch")
    out = io.StringIO()
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    try:
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
            runpy.run_path(str(path), run_name="__main__")
    finally:  # the script sets float64 and one thread
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
    return exit_.value.code, out.getvalue()


def largest(output: str) -> float:
    return float(re.search(r"largest relative difference: (\S+)", output)[1])


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_exported_script_reproduces_the_run_in_pytorch(case, tmp_path):
    pytest.importorskip("torch")
    path = pe.write(tmp_path / "run.py", run_of(**CASES[case]))[0]
    status, output = run_script(path)
    assert status == 0 and largest(output) <= 1e-9, output
    assert output.count("\n") >= 5  # a row per compared epoch
    assert ("This run is chaotic" in output) == case.endswith("chaotic")


def test_the_script_fails_when_the_losses_differ(tmp_path):
    """A wrong recorded loss (here one changed by 1e-6) makes the script exit 1."""
    pytest.importorskip("torch")
    path = pe.write(tmp_path / "run.py", run_of(**CASES["xor-gd"]))[0]
    text = path.read_text()
    values = assignments(text)["ENGINE_LOSS"]
    epoch = sorted(values)[3]
    path.write_text(text.replace(f"    {epoch}: {values[epoch]!r},",
                                 f"    {epoch}: {values[epoch] * (1 + 1e-6)!r},"))
    status, output = run_script(path)
    assert status == 1 and 9e-7 < largest(output) < 2e-6 and "NOT" in output


@pytest.mark.slow
def test_done_when_command_spiral3_adam_batch16_200_epochs(tmp_path):
    """The issue's command, then ``python run.py`` in its own process."""
    pytest.importorskip("torch")
    script = tmp_path / "run.py"
    assert main(["train", "--task", "spiral3", "--loss", "cross-entropy", "--optimizer",
                 "adam", "--batch", "16", "--epochs", "200", "--quiet",
                 "--export-pytorch", str(script)]) == 0
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and largest(done.stdout) <= 1e-9, done.stdout + done.stderr


async def test_the_app_key_exports_the_run_from_its_starting_weights(tmp_path):
    from tui.app.app import TinyNetApp

    problem = build(RunConfig(task="xor"))
    start = state_dict(problem.net)
    app = TinyNetApp(problem, export_dir=tmp_path, save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await pilot.press("g")  # … to epoch granularity
        for _ in range(5):
            await pilot.press("n")
        await pilot.pause()
        epochs = app.session.stepper.epoch
        await pilot.press("P")
        await app.workers.wait_for_complete()
        await pilot.pause()
    text = (tmp_path / "xor-pytorch.py").read_text()
    values = assignments(text)
    assert values["EPOCHS"] == epochs >= 1
    for name, array in start.items():  # the starting weights, not the trained ones
        np.testing.assert_array_equal(np.array(values["INITIAL"][name]), array)

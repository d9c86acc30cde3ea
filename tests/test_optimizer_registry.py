"""A new optimizer is its class and its test (issue 20): an optimizer with one
hyper-parameter, declared only as a class registered in nn.optimizers, appears on the
command line (with its bounds), in the settings screen's rows, in sweeps, in session files
(saved and replayed to the same weights), as a lesson key and in the narration; the
PyTorch export refuses it in one line, since it declares no torch.optim equivalent.

The settings table and the command line are made from the registry when ``tui`` is first
imported, as for a class written into nn/optimizers.py, so the fixture is registered in a
fresh interpreter before any ``tui`` import: :data:`SCRIPT` runs there and prints what
each part saw, as JSON, and each test below reads one part of it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: run in a fresh interpreter: register the fixture, then import tui and look everywhere
SCRIPT = r'''
import contextlib, io, json, sys, tempfile
from pathlib import Path

import numpy as np

from nn.optimizers import Hyper, Optimizer, register


@register
class Scaled(Optimizer):
    """A fixture: gradient descent with its step scaled by κ, θ ← θ − lr·κ·g."""

    name = "scaled"
    title = "scaled descent"
    hypers = (Hyper("kappa", "κ", 0.5, 0.0, 2.0, low_open=True, setting="kappa",
                    metavar="K", help="κ of scaled: the step's scale, above 0 up to 2"),)

    def __init__(self, kappa=0.5):
        super().__init__()
        self._check_hypers(kappa=kappa)

    def _update(self, theta, grad, lr, t, state):
        theta -= lr * self.kappa * grad

    def explain(self, w, g, lr, t, state, name="w", grad="dw"):
        return [(f"{name} ← {name} − lr·κ·{grad} = {{}} − {{}}·{{}}·{{}}",
                 [w, lr, self.kappa, g], w - lr * self.kappa * g)]


from nn import Granularity
from tui.cli.main import main, make_parser
from tui.cli.options import config_from_args
from tui.cli.sweep import main as sweep_main
from tui.core.config import build, task_config
from tui.core.recording import load_session
from tui.core.session import Session
from tui.core.settings import SETTINGS, read_changes
from tui.core import pytorch_export
from tui.lessons.format import parse as parse_lesson, LessonErrors
from tui.lessons.live import config_of
from tui.view.frame import PanelSizes, build_frame
from tui.app.screens.settings import draft_of, field_rows
from tui.app.widgets.narration import narrate

out = {}


def run(fn, argv):
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        try:
            status = fn(argv)
        except SystemExit as exc:
            status = exc.code
    return status, std.getvalue(), err.getvalue()


# ---- the command line
args = make_parser().parse_args(["--task", "xor", "--optimizer", "scaled", "--kappa", "1.5"])
config = config_from_args(args)
opt = build(config).net.optimizer
out["cli"] = dict(optimizer=config.optimizer, kappa=config.hyper_value("kappa"),
                  built=[type(opt).__name__, opt.kappa],
                  help="--kappa K" in make_parser().format_help())
out["cli_bounds"] = [run(main, ["train", "--task", "xor", "--optimizer", "scaled", "--kappa", v,
                                "--epochs", "1", "--quiet"])[::2] for v in ("2.5", "0", "1")]
out["cli_other_optimizer"] = run(main, ["train", "--task", "xor", "--optimizer", "adam",
                                        "--kappa", "1", "--epochs", "1", "--quiet"])[::2]

# ---- the settings screen's rows (only while the optimizer is chosen)
draft = draft_of(task_config("xor", optimizer="scaled", kappa=1.5))
rows = {r.label.strip(): r for r in field_rows(draft, "xor")}
out["screen"] = dict(labels=list(rows), shown=rows["kappa κ"].show(draft) if "kappa κ" in rows
                     else None,
                     gd=[r.label.strip() for r in field_rows(draft_of(task_config("xor")), "xor")])
values = []
for delta in (1,) * 30 + (-1,) * 30 if "kappa κ" in rows else ():
    rows["kappa κ"].change(draft, delta)
    read_changes({"kappa": draft["kappa"]})   # every value the row reaches, a file accepts
    values.append(draft["kappa"])
out["screen"]["range"] = [min(values), max(values)] if values else None

# ---- a sweep
status, text, err = run(lambda a: sweep_main(a), ["--task", "xor", "--optimizer", "scaled",
                                                  "--kappa", "1.5,0.25", "--seeds", "0-1",
                                                  "--lr", "2", "--epochs", "20", "--quiet"])
out["sweep"] = dict(status=status, err=err,
                    heads=[line for line in text.splitlines() if line.startswith("xor: ")],
                    commands=[k for k in ("1.5", "0.25")
                              if f"--optimizer scaled --kappa {k} --epochs 20" in text])
out["sweep_bounds"] = run(lambda a: sweep_main(a), ["--task", "xor", "--optimizer", "scaled",
                                                    "--kappa", "9", "--quiet"])[::2]

# ---- a session file: saved, then replayed to the same weights
s = Session(build(task_config("xor", optimizer="scaled", kappa=1.5)))
s.play_chunk(5)
s.configure({"kappa": 0.25})
s.play_chunk(5)
folder = Path(tempfile.mkdtemp())
path = s.save_session(folder / "s.json")
saved = json.loads(path.read_text())
loaded, actions = load_session(path)
again = Session(build(loaded))
again.replay(actions)
out["file"] = dict(config=[saved["config"]["optimizer"], saved["config"]["kappa"]],
                   actions=[a.to_json() for a in actions if a.name == "configure"],
                   same=bool(np.array_equal(again.net.theta, s.net.theta)),
                   kappa=again.net.optimizer.kappa)
bad = dict(saved, config=dict(saved["config"], kappa=3.0))
(folder / "bad.json").write_text(json.dumps(bad))
try:
    load_session(folder / "bad.json")
    out["file_bounds"] = "accepted"
except ValueError as exc:
    out["file_bounds"] = str(exc)

# ---- a lesson key
LESSON = "# Scaled\n\n## One\ntask: xor\noptimizer: scaled\nkappa: {}\n\nText.\n"
chapter = parse_lesson(LESSON.format("1.25")).chapters[0]
lesson_config = config_of(chapter)
out["lesson"] = [lesson_config.optimizer, lesson_config.hyper_value("kappa")]
try:
    parse_lesson(LESSON.format("7"))
    out["lesson_bounds"] = "accepted"
except LessonErrors as exc:
    out["lesson_bounds"] = str(exc)

# ---- the narration of the update
s = Session(build(task_config("xor", optimizer="scaled", kappa=1.5)))
s.granularity = Granularity.PHASE
for _ in range(4):
    s.step()
with s.lock:
    out["narration"] = narrate(build_frame(s, PanelSizes(60, 16, 8)).narration).plain

# ---- the PyTorch export: no torch.optim equivalent declared
try:
    pytorch_export.prepare(pytorch_export.run_of_stepper(s.stepper, "xor", 3))
    out["pytorch"] = "accepted"
except ValueError as exc:
    out["pytorch"] = str(exc)
out["pytorch_cli"] = run(main, ["train", "--task", "xor", "--optimizer", "scaled", "--epochs",
                                "2", "--quiet", "--export-pytorch",
                                str(folder / "s.py")])[::2] + ((folder / "s.py").exists(),)

print("RESULT " + json.dumps(out))
'''


@pytest.fixture(scope="module")
def seen() -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_the_command_line_takes_its_optimizer_and_hyper_parameter(seen):
    assert seen["cli"] == dict(optimizer="scaled", kappa=1.5, built=["Scaled", 1.5], help=True)


def test_the_command_line_refuses_out_of_bounds_in_one_line(seen):
    (above, err_above), (zero, err_zero), (ok, _) = seen["cli_bounds"]
    assert (above, zero, ok) == (2, 2, 0)
    assert err_above == ("tinynet-tui: error: argument --kappa: kappa must be a number above 0 "
                         "to 2, got 2.5\n")
    assert err_zero.count("\n") == 1 and "kappa must be a number above 0 to 2, got 0" in err_zero
    assert seen["cli_other_optimizer"] == [
        2, "tinynet-tui: error: argument --kappa: only with --optimizer scaled\n"]


def test_the_settings_screen_shows_its_row_under_the_optimizer(seen):
    screen = seen["screen"]
    labels = screen["labels"]
    assert labels[labels.index("optimizer") + 1] == "kappa κ" and screen["shown"] == "1.5"
    assert "kappa κ" not in screen["gd"]           # only while scaled is chosen
    low, high = screen["range"]
    assert 0 < low < 0.2 and high == 2.0           # inside (0, 2]: every value a file accepts


def test_a_sweep_trains_with_it(seen):
    sweep = seen["sweep"]
    assert sweep["status"] == 0, sweep["err"]
    heads = sweep["heads"]                         # --kappa 1.5,0.25: an axis, a grid each
    assert len(heads) == 2 and " scaled κ 1.5, 2 seeds × 1 lr × 1 init" in heads[0] \
        and " scaled κ 0.25, 2 seeds × 1 lr × 1 init" in heads[1]
    assert sweep["commands"] == ["1.5", "0.25"]    # each run's command carries its value
    assert seen["sweep_bounds"][0] == 2 and "kappa must be a number above 0 to 2" in \
        seen["sweep_bounds"][1]


def test_a_session_file_holds_it_and_replays_to_the_same_weights(seen):
    f = seen["file"]
    assert f["config"] == ["scaled", 1.5] and f["actions"] == [
        {"do": "configure", "changes": {"kappa": 0.25}}]
    assert f["same"] and f["kappa"] == 0.25
    assert "kappa must be a number above 0 to 2, got 3" in seen["file_bounds"]


def test_a_lesson_sets_it(seen):
    assert seen["lesson"] == ["scaled", 1.25]
    assert "kappa must be a number above 0 to 2, got 7" in seen["lesson_bounds"]


def test_the_narration_names_it_and_its_symbol(seen):
    text = seen["narration"]
    assert "scaled descent, κ = 1.5, lr = " in text
    assert "w₁ ← w₁ − lr·κ·dw₁ = " in text


def test_the_pytorch_export_refuses_it_in_one_line(seen):
    why = ("the PyTorch export has no torch.optim equivalent of the optimizer scaled: choose "
           "another optimizer to export")
    assert seen["pytorch"] == why
    assert seen["pytorch_cli"] == [2, f"tinynet-tui: error: --export-pytorch: {why}\n", False]

"""Budgets checked before the work: memory (the cgroup and address-space limits, not only
RAM), a model file's size from its header, a replay's cost, ``learn --check``'s epochs."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import tui.core.config
from nn import Granularity
from tui.cli.main import main
from tui.core import memory

ROOT = Path(__file__).resolve().parents[1]


def run_cli(argv: list[str], timeout: float = 60, preamble: str = "") -> subprocess.CompletedProcess:
    code = f"{preamble}\nimport sys\nfrom tui.cli.main import main\nsys.exit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={"PYTHONPATH": str(ROOT),
                                                           "PATH": "/usr/bin:/bin"})


# ------------------------------------------------------------------ memory
def test_the_cgroup_limit_is_what_remains_of_it(tmp_path):
    (tmp_path / "memory.max").write_text("1073741824\n")
    (tmp_path / "memory.current").write_text("273741824\n")
    got = memory.available(cgroup_root=tmp_path)
    assert got == memory.Available(800_000_000, "the cgroup memory limit")
    (tmp_path / "memory.max").write_text("max\n")  # no limit: physical memory (or rlimit)
    assert memory.available(cgroup_root=tmp_path).source != "the cgroup memory limit"


def test_a_cgroup_v1_limit_is_read_too(tmp_path):
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("2000000000\n")
    (tmp_path / "memory" / "memory.usage_in_bytes").write_text("1000000000\n")
    assert memory.cgroup_free_bytes(tmp_path) == 1_000_000_000
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text(str(2**63 - 4096))
    assert memory.cgroup_free_bytes(tmp_path) is None  # v1's "no limit"


def test_under_an_address_space_limit_a_big_network_is_one_line_not_a_memory_error():
    limit = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))"
    done = run_cli(["train", "--hidden", "4096,4096,4096", "--epochs", "1", "--quiet"],
                   preamble=limit)
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "would need about" in done.stderr and "address-space limit" in done.stderr


def _zeros_model(path: Path, sizes) -> Path:
    """A model file of zeros, compressed: small on disk, large once read."""
    meta = dict(format="tinynet-1", sizes=list(sizes), activations=["tanh"] * (len(sizes) - 2)
                + ["sigmoid"], seed=0, dtype="float64", loss="mse",
                optimizer=dict(name="gd", hyper={}, t=0), weight_decay=0.0, init="default",
                task="xor")
    arrays = {"meta": np.array(json.dumps(meta))}
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        arrays[f"W{i}"], arrays[f"b{i}"] = np.zeros((a, b)), np.zeros(b)
    np.savez_compressed(path, **arrays)
    return path


def test_a_model_too_large_for_memory_is_refused_from_its_header(tmp_path, monkeypatch, capsys):
    from nn.io import FORMAT

    assert FORMAT == "tinynet-1"
    path = _zeros_model(tmp_path / "big.npz", [2, 2048, 2048, 1])  # 34 MB of zeros
    assert path.stat().st_size < 1_000_000
    monkeypatch.setattr(tui.core.config, "memory_cap", lambda: 100 * 2**20)
    tracemalloc.start()
    try:
        code = main(["train", "--load", str(path), "--quiet"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2 and "would need about" in err and "too large to train here" in err, err
    assert peak < 20 * 2**20, peak  # no parameter array was read


def _sparse_safetensors(path: Path, sizes, metadata: dict | None = None) -> Path:
    """A ``.safetensors`` state dict whose header declares a network of layer widths
    ``sizes``: its values are a hole in a sparse file (zeros, nothing on disk), so the
    file is valid, small to make, and large only once read."""
    import struct

    header, offset = {}, 0
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        for name, shape in ((f"{2 * i}.weight", [n_out, n_in]), (f"{2 * i}.bias", [n_out])):
            size = 8 * int(np.prod(shape))
            header[name] = {"dtype": "F64", "shape": shape, "data_offsets": [offset, offset + size]}
            offset += size
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        f.truncate(8 + len(text) + offset)
    return path


def _tinynet_metadata(sizes) -> dict:
    meta = dict(format="tinynet-1", sizes=list(sizes), activations=["tanh"] * (len(sizes) - 2)
                + ["sigmoid"], seed=0, dtype="float64", loss="mse",
                optimizer=dict(name="gd", hyper={}, t=0), weight_decay=0.0, init="default",
                task="xor")
    return {"format": "pt", "tinynet": json.dumps(meta)}


@pytest.mark.parametrize("saved_by", ["tinynet", "pytorch"])
def test_a_safetensors_model_too_large_for_memory_is_refused_from_its_header(
        saved_by, tmp_path, monkeypatch, capsys):
    """As for .npz: the declared tensor sizes are checked against the memory budget
    before a value is read (a state dict saved here, and a foreign PyTorch one)."""
    sizes = [2, 3000, 3000, 1]  # 9 million float64: 72 MB read, ~600 MB to train
    metadata = _tinynet_metadata(sizes) if saved_by == "tinynet" else None
    path = _sparse_safetensors(tmp_path / "big.safetensors", sizes, metadata)
    monkeypatch.setattr(tui.core.config, "memory_cap", lambda: 100 * 2**20)
    argv = ["train", "--load", str(path), "--quiet"]
    if saved_by == "pytorch":  # a foreign state dict records no activations or task
        argv += ["--task", "xor", "--activation", "tanh"]
    tracemalloc.start()
    try:
        code = main(argv)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"{path}: a 2–3000–3000–1 network" in err, err
    assert "would need about" in err and "too large to train here" in err, err
    assert peak < 20 * 2**20, peak  # no tensor was read


def test_a_safetensors_task_is_read_from_the_header_alone(tmp_path):
    """The app asks a model file for its task before loading it: only the header is read."""
    from tui.core.config import saved_task

    sizes = [2, 3000, 3000, 1]
    path = _sparse_safetensors(tmp_path / "big.safetensors", sizes, _tinynet_metadata(sizes))
    tracemalloc.start()
    try:
        task = saved_task(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert task == "xor" and peak < 2**20, peak


# ------------------------------------------------------------------ replays
def _session(tmp_path: Path, config: dict, actions: list) -> Path:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"format": "tinynet-session-1", "config": config,
                                "actions": actions}))
    return path


def test_a_tiny_session_asking_for_hours_of_replay_is_refused_at_once(tmp_path):
    path = _session(tmp_path, {"task": "spiral"},
                    [{"do": "play", "epochs": 10_000_000}, {"do": "play",
                                                                 "epochs": 10_000_000}])
    assert path.stat().st_size < 300
    start = time.perf_counter()
    done = run_cli(["--replay", str(path)], timeout=30)
    assert done.returncode == 2, done.stderr[-500:]
    assert "would take about" in done.stderr and done.stderr.count("\n") == 1
    assert time.perf_counter() - start < 20


def test_many_small_actions_show_progress_but_few_do_not():
    from tui.core import actions as act
    from tui.cli.main import replay_progress
    from tui.core.replay_cost import replay_estimate
    from tui.core.config import RunConfig, build

    problem = build(RunConfig(task="xor"))
    steps = [act.Step(Granularity.NEURON)] * 200_000
    assert replay_estimate(problem, steps) > 1
    with replay_progress("s.json", steps, replay_estimate(problem, steps)) as step:
        assert step is not None
    seeds = [act.NewSeed()] * 100_000
    assert replay_estimate(problem, seeds) > 1
    few = [act.Step(Granularity.NEURON)] * 100
    with replay_progress("s.json", few, replay_estimate(problem, few)) as step:
        assert step is None


# ------------------------------------------------------------------ learn --check
def _long_lesson(path: Path, chapters: int, epochs: int) -> Path:
    text = ["# Many long waits", ""]
    for i in range(chapters):
        text += [f"## Chapter {i + 1}", "task: spiral", "hidden: 16,16", "granularity: epoch",
                 f"wait: play {epochs} epochs", "", "Press p.", ""]
    path.write_text("\n".join(text))
    return path


def test_learn_check_counts_the_work_first_and_refuses_too_much(tmp_path, capsys):
    from tui.cli.learn import main as learn

    lesson = _long_lesson(tmp_path / "long.md", 30, 20_000)
    start = time.perf_counter()
    assert learn(["learn", "--check", str(lesson)]) == 2
    err = capsys.readouterr().err
    assert "checking would play 600,000 epochs in all; --check plays at most 200,000" in err
    assert time.perf_counter() - start < 2


def test_learn_check_runs_chapter_by_chapter_with_progress(tmp_path, monkeypatch):
    from tui.lessons import checking
    from tui.lessons.format import load

    lesson = load(_long_lesson(tmp_path / "short.md", 3, 5))
    seen = []
    real = checking.check
    monkeypatch.setattr(checking, "check", lambda one: seen.append(len(one.chapters)) or real(one))
    assert checking.check_lesson(lesson) == []
    assert seen == [1, 1, 1]
    assert checking.lesson_epochs(lesson) == 15


def test_a_lesson_of_too_many_chapters_is_refused_before_any_runs(tmp_path, capsys):
    """100 000 empty chapters (700 KB, under the file cap) were set up one by one for
    minutes by learn --check and by learn; the chapter after the last allowed is named."""
    from tui.cli.learn import main as learn
    from tui.lessons.format import MAX_CHAPTERS

    path = tmp_path / "many.md"
    path.write_text("# Many\n\n" + "## C\n\n" * 1_000)  # (the same way as 100 000)
    line = 3 + 2 * MAX_CHAPTERS
    for argv in (["learn", "--check", str(path)], ["learn", str(path)]):
        start = time.perf_counter()
        assert learn(argv) == 2
        assert f"many.md:{line}: more than {MAX_CHAPTERS} chapters" in capsys.readouterr().err
        assert time.perf_counter() - start < 2
    path.write_text("# Many\n\n" + "## C\n\n" * MAX_CHAPTERS)
    assert learn(["learn", "--check", str(path)]) == 0


def test_a_lesson_too_slow_to_check_is_refused_from_its_estimate(tmp_path, monkeypatch):
    """Within the epoch budget a 60-byte lesson asked for ~23 h of --check (and of learn,
    which checks before it opens): 20 000 epochs of a 2–2048–2048–1 network."""
    from tui.lessons import checking
    from tui.lessons.format import load

    monkeypatch.setattr(checking, "check", lambda one: pytest.fail("a chapter ran"))
    path = tmp_path / "big.md"
    path.write_text("# Big\n\n## Small\n\nHi.\n\n## Big\ntask: spiral\nhidden: 2048,2048\n"
                    "position: epoch 20000\n\nHello.\n")
    start = time.perf_counter()
    errors = checking.check_lesson(load(path))
    assert time.perf_counter() - start < 2
    assert [e.line for e in errors] == [7], errors
    assert "checking would take about 2" in str(errors[0]) and "2–2048–2048–1" in str(errors[0])


def test_every_built_in_lesson_is_far_inside_the_time_budget():
    from tui.lessons import checking
    from tui.lessons import catalogue as cli
    from tui.lessons.format import load

    for name, path in cli.builtin_lessons().items():
        seconds = sum(checking.chapter_seconds(ch)[0] for ch in load(path).chapters)
        assert seconds < checking.MAX_CHECK_SECONDS / 20, (name, seconds)


def test_steps_of_whole_epochs_count_in_the_check_budget(tmp_path):
    from tui.lessons import checking
    from tui.lessons.format import load

    path = tmp_path / "steps.md"
    path.write_text("# S\n\n## A\nsteps: 7 epoch\n\nx\n\n## B\ngranularity: epoch\n"
                    "steps: 5\n\nx\n\n## C\nsteps: 9 neuron\n\nx\n")
    assert [checking.chapter_epochs(ch) for ch in load(path).chapters] == [7, 5, 0]


@pytest.mark.parametrize("name", ["backprop", "initialisation", "learning-rate"])
def test_the_built_in_lessons_fit_the_check_budget(name):
    from tui.lessons import checking
    from tui.lessons import catalogue as cli
    from tui.lessons.format import load

    assert checking.lesson_epochs(load(cli.builtin_lessons()[name])) <= checking.MAX_CHECK_EPOCHS

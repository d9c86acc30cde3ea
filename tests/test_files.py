"""Hostile and broken files: model files, CSV files, and writes that must never lose work."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

from nn import ModelFileError, NeuralNetwork, load, save
from nn.io import MAX_ARRAY_ELEMENTS, atomic_write

# --------------------------------------------------------------------------- model files


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


def _npy_header(shape, descr="<f8", data=b"") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False,
                                              "shape": shape})
    return buf.getvalue() + data


def _meta(sizes=(2, 1), acts=("sigmoid",), **extra) -> bytes:
    meta = dict(format="tinynet-1", sizes=list(sizes), activations=list(acts), seed=0, **extra)
    return _npy(np.array(json.dumps(meta)))


def _write_npz(path, members: dict[str, bytes], compress=False):
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", mode) as zf:
        for name, data in members.items():
            zf.writestr(name + ".npy", data)
    return path


def _model(path, W0, b0=None, meta=None):
    b0 = np.zeros(1) if b0 is None else b0
    return _write_npz(path, {"meta": meta or _meta(), "W0": _npy(W0), "b0": _npy(b0)})


def _refused(path, *words):
    with pytest.raises(ModelFileError) as info:
        load(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg, msg
    for w in words:
        assert w in msg, msg
    return msg


@pytest.mark.parametrize("array", [
    np.zeros((2, 1), dtype=np.int64),
    np.zeros((2, 1), dtype=bool),
    np.array([["a"], ["b"]]),
    np.zeros((2, 1), dtype="m8[s]"),
    np.zeros((2, 1), dtype=complex),
    np.zeros((2, 1), dtype=np.float16),
    np.zeros((2, 1), dtype=[("a", "<f8")]),
], ids=["int64", "bool", "str", "timedelta", "complex", "float16", "structured"])
def test_non_float_arrays_are_refused(tmp_path, array):
    _refused(_model(tmp_path / "m.npz", array), "W0", "not allowed")


def test_big_endian_and_float32_load_as_native(tmp_path):
    W = np.array([[0.5], [-1.5]])
    net, _ = load(_model(tmp_path / "be.npz", W.astype(">f8"), np.array([0.25], ">f8")))
    assert net.layers[0].W.dtype == np.dtype("float64") and net.layers[0].W.dtype.isnative
    np.testing.assert_array_equal(net.layers[0].W, W)
    assert net.predict(np.ones((1, 2))).shape == (1, 1)
    meta32 = _meta()
    net, _ = load(_model(tmp_path / "f4.npz", W.astype(np.float32), np.zeros(1, np.float32),
                         meta32))
    assert net.dtype == np.float32


def test_mixed_dtypes_name_the_file(tmp_path):
    f = _write_npz(tmp_path / "mix.npz", {
        "meta": _meta((2, 2, 1), ("tanh", "sigmoid")), "W0": _npy(np.zeros((2, 2))),
        "b0": _npy(np.zeros(2)), "W1": _npy(np.zeros((2, 1), np.float32)),
        "b1": _npy(np.zeros(1, np.float32))})
    _refused(f, "same dtype")


def test_no_layers_names_the_file(tmp_path):
    f = _write_npz(tmp_path / "empty.npz", {"meta": _meta((2,), ())})
    _refused(f, "sizes")


@pytest.mark.parametrize("meta,words", [
    ("[" * 100_000 + "]" * 100_000, ["meta"]),
    ("[" * 40_000 + "]" * 40_000, ["metadata"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=[["x"], ["y"]])),
     ["bad activations"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, "1"], activations=["sigmoid"])), ["sizes"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=["sigmoid"], lr="x")),
     ["learning rate"]),
    (json.dumps([1, 2]), ["metadata"]),
    # whole numbers past a float's range, and a name that is not a string: were
    # OverflowError / TypeError tracebacks
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=["sigmoid"], lr=10**400)),
     ["learning rate"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=["sigmoid"],
                     weight_decay=10**400)), ["weight decay"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=["sigmoid"],
                     optimizer={"name": ["adam"]})), ["bad optimizer"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=["sigmoid"],
                     optimizer={"name": "adam", "t": 10**400})), ["bad optimizer"]),
    (json.dumps(dict(format="tinynet-1", sizes=[2, 1], activations=["sigmoid"],
                     optimizer={"name": "adam", "hyper": {"beta1": 10**400}})), ["beta1"]),
], ids=["deep-200k", "deep-80k", "nested-activations", "str-size", "str-lr", "list",
        "huge-lr", "huge-decay", "list-optimizer", "huge-t", "huge-beta1"])
def test_hostile_metadata(tmp_path, meta, words):
    f = _write_npz(tmp_path / "m.npz", {"meta": _npy(np.array(meta)),
                                        "W0": _npy(np.zeros((2, 1))), "b0": _npy(np.zeros(1))})
    _refused(f, *words)


def test_huge_declared_shape_is_refused_before_reading(tmp_path):
    f = _write_npz(tmp_path / "big.npz", {"meta": _meta(),
                                          "W0": _npy_header((10 ** 12,)), "b0": _npy(np.zeros(1))})
    _refused(f, "W0", "limit")


def test_compressed_zeros_bomb_is_refused_with_little_memory(tmp_path):
    """A few hundred kB on disk declaring 100 MB: refused from the header, nothing inflated."""
    n = MAX_ARRAY_ELEMENTS + 1
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.npy", _meta())
        with zf.open("W0.npy", "w", force_zip64=True) as f:
            f.write(_npy_header((n,)))
            chunk = bytes(1 << 20)
            for _ in range(n * 8 // len(chunk) + 1):
                f.write(chunk)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        _refused(path, "limit")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("members,words", [
    ({"extra": np.zeros(1)}, ["unexpected member"]),
    ({"W7": np.zeros(1)}, ["unexpected arrays W7"]),
], ids=["unknown-name", "extra-layer"])
def test_unknown_members_are_refused(tmp_path, members, words):
    data = {"meta": _meta(), "W0": _npy(np.zeros((2, 1))), "b0": _npy(np.zeros(1))}
    data.update({k: _npy(v) for k, v in members.items()})
    _refused(_write_npz(tmp_path / "m.npz", data), *words)


def test_header_shape_disagreeing_with_data_is_refused(tmp_path):
    f = _write_npz(tmp_path / "short.npz", {"meta": _meta(),
                                            "W0": _npy_header((2, 1), data=b"\0" * 8),
                                            "b0": _npy(np.zeros(1))})
    _refused(f, "truncated")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_model_file_does_not_hang(tmp_path):
    fifo = tmp_path / "m.npz"
    os.mkfifo(fifo)
    _no_hang(lambda: _refused(fifo, "not a regular file"), fifo)


def _no_hang(fn, fifo, seconds=5.0):
    """Run ``fn`` in a thread; fail (and unblock it by opening the FIFO) if it hangs."""
    import threading

    errors = []

    def target():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        t.join(5)
        pytest.fail(f"hung on FIFO {fifo}")
    if errors:
        raise errors[0]


def test_old_valid_files_still_load(tmp_path):
    net = NeuralNetwork.from_sizes([2, 4, 3, 1], "relu", "sigmoid", seed=2)
    path = tmp_path / "old.npz"
    arrays = {"meta": np.array(json.dumps(dict(format="tinynet-1", sizes=net.sizes,
                                               activations=net.activations, seed=2)))}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
    np.savez_compressed(path, **arrays)
    back, meta = load(path)
    assert back.describe() == net.describe() and meta["seed"] == 2


# --------------------------------------------------------------------------- writing files

from nn import datasets  # noqa: E402
from nn.datasets import DataError  # noqa: E402
from tui.core import output  # noqa: E402
from tui.cli.main import main  # noqa: E402
from tui.core.config import RunConfig, build  # noqa: E402


def _one_error_line(err: str, *words):
    assert err.startswith("tinynet-tui: error:") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err


def test_unused_path(tmp_path):
    p = tmp_path / "m.npz"
    assert output.unused_path(p) == p
    p.write_bytes(b"x")
    assert output.unused_path(p) == tmp_path / "m-2.npz"
    (tmp_path / "m-2.npz").write_bytes(b"x")
    assert output.unused_path(p) == tmp_path / "m-3.npz"


def test_atomic_write_keeps_the_old_file_and_no_temp_on_failure(tmp_path):
    p = tmp_path / "a.txt"
    output.atomic_write_text(p, "old")

    def disk_full(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        atomic_write(p, disk_full)
    assert p.read_text() == "old" and os.listdir(tmp_path) == ["a.txt"]
    output.atomic_write_bytes(p, b"new")
    assert p.read_bytes() == b"new" and oct(p.stat().st_mode & 0o777) != "0o600"


def test_nn_save_failure_keeps_the_old_model(tmp_path, monkeypatch):
    p = save(NeuralNetwork.from_sizes([2, 2, 1], seed=1), tmp_path / "m.npz")
    before = p.read_bytes()

    def savez(f, **arrays):
        f.write(b"PK" + bytes(100))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", savez)
    with pytest.raises(ModelFileError, match="m.npz: cannot write"):
        save(NeuralNetwork.from_sizes([2, 2, 1], seed=2), p)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["m.npz"]


def test_save_refuses_to_overwrite_before_training_unless_force(tmp_path, capsys):
    p = tmp_path / "m.npz"
    p.write_bytes(b"precious")
    assert main(["train", "--quiet", "--epochs", "5", "--save", str(p)]) == 2
    out, err = capsys.readouterr()
    _one_error_line(err, "m.npz: already exists", "--force")
    assert out == "" and p.read_bytes() == b"precious"
    assert main(["train", "--quiet", "--epochs", "5", "--save", str(p), "--force"]) == 0
    assert load(p)[0].sizes == [2, 2, 1]


def test_export_refuses_to_overwrite_unless_force(tmp_path, capsys):
    (tmp_path / "loss.png").write_bytes(b"precious")
    assert main(["train", "--quiet", "--epochs", "5", "--export", str(tmp_path)]) == 2
    _one_error_line(capsys.readouterr().err, "loss.png: already exists")
    assert (tmp_path / "loss.png").read_bytes() == b"precious"
    assert main(["train", "--quiet", "--epochs", "5", "--export", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("target,words", [
    (lambda d: d, ["is a directory"]),
    (lambda d: d / "file.txt" / "m.npz", ["is not a folder"]),
    (lambda d: "/dev/null.npz" if os.path.exists("/dev/null.npz") else "/dev/full",
     ["not a regular file"]),
    # a name over the file system's 255-byte limit: once an OSError traceback (an existing
    # folder: Path.exists raises ENAMETOOLONG) or a failure after training (a missing one)
    (lambda d: d / ("a" * 300 + ".npz"), ["File name too long"]),
    (lambda d: d / "new" / ("a" * 300) / "m.npz", ["File name too long"]),
], ids=["directory", "under-a-file", "device", "long-name", "long-missing-folder"])
def test_unwritable_save_target_exits_2_before_training(tmp_path, capsys, target, words):
    (tmp_path / "file.txt").write_text("x")
    assert main(["train", "--quiet", "--force", "--save", str(target(tmp_path))]) == 2
    out, err = capsys.readouterr()
    _one_error_line(err, *words)
    assert "final loss" not in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_exits_2_before_training(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["train", "--quiet", "--save", str(ro / "m.npz")]) == 2
        _one_error_line(capsys.readouterr().err, "not writable")
    finally:
        ro.chmod(0o755)


def test_save_failing_after_training_goes_to_a_fallback(tmp_path, capsys, monkeypatch):
    import tui.cli.train

    real = tui.cli.train.save
    target = tmp_path / "m.npz"

    def flaky(net, path, **extra):
        if str(path) == str(target):
            raise ModelFileError(f"{path}: cannot write (No space left on device)")
        return real(net, path, **extra)

    monkeypatch.setattr(tui.cli.train, "save", flaky)
    monkeypatch.setattr(output.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert main(["train", "--quiet", "--epochs", "5", "--save", str(target)]) == 1
    err = capsys.readouterr().err
    _one_error_line(err, "No space left", "saved the model to")
    backup = tmp_path / "tmp" / "m.npz"
    assert str(backup) in err and load(backup)[0].sizes == [2, 2, 1]


# --------------------------------------------------------------------------- CSV files

@pytest.mark.parametrize("argv", [["--data"], ["--load"], ["--replay"], ["sweep", "--data"],
                                  ["sweep", "--quiet", "--export"], ["train", "--export"],
                                  ["train", "--export-pytorch"], ["learn"], ["learn", "--check"],
                                  ["learn", "backprop", "--worksheet"]])
def test_a_name_over_the_file_systems_limit_is_one_line(tmp_path, capsys, argv):
    """Path.exists()/is_dir() raise ENAMETOOLONG (they swallow only ENOENT, ENOTDIR, …):
    each option that takes a file name said so in a traceback, exit 1."""
    name = str(tmp_path / ("a" * 300)) + (".py" if argv[-1] == "--export-pytorch" else "")
    assert main([*argv, name]) == 2
    err = capsys.readouterr().err  # (learn's lines are FILE: problem, as --check writes them)
    assert err.count("\n") == 1 and "File name too long" in err and "Traceback" not in err, err


def test_csv_device_and_fifo_are_refused(tmp_path):
    with pytest.raises(DataError, match="/dev/zero: is not a regular file"):
        datasets.load_csv("/dev/zero")
    fifo = tmp_path / "d.csv"
    os.mkfifo(fifo)

    def check():
        with pytest.raises(DataError, match="d.csv: is not a regular file"):
            datasets.load_csv(fifo)

    _no_hang(check, fifo)


def test_csv_size_cap(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("0,0,0\n1,1,1\n" * 100)
    assert len(datasets.load_csv(f, max_bytes=10_000)[0]) == 200
    with pytest.raises(DataError, match="d.csv: larger than the limit of 1,000 bytes"):
        datasets.load_csv(f, max_bytes=1000)
    assert datasets.MAX_CSV_BYTES >= 10_000_000


def test_csv_one_row_is_refused(tmp_path, capsys):
    f = tmp_path / "one.csv"
    f.write_text("x1,x2,y\n0.5,0.5,3\n")
    assert main(["train", "--data", str(f), "--quiet"]) == 2
    _one_error_line(capsys.readouterr().err, "one.csv: only 1 data row; at least 2")


def test_constant_targets_say_why_r2_is_missing(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text("0,0,5\n1,1,5\n0,1,5\n")
    assert main(["train", "--data", str(f), "--quiet", "--epochs", "20"]) == 0
    assert "R² needs at least 2 distinct targets" in " ".join(capsys.readouterr().out.split())


def test_huge_values_leak_no_numpy_warning(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text("1e308,0,1\n1,1e308,0\n0,1,1\n-1e308,1,0\n")
    out = subprocess.run([sys.executable, "-m", "tui.cli.main", "train", "--data", str(f),
                          "--quiet"], capture_output=True, text=True)
    assert "Warning" not in out.stdout + out.stderr and "Traceback" not in out.stderr


def test_ctrl_c_is_one_line_and_130(monkeypatch, capsys):
    import tui.cli.train

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(tui.cli.train, "run_training", interrupted)
    assert main(["train", "--quiet"]) == 130
    _one_error_line(capsys.readouterr().err, "interrupted")


def test_markup_in_a_file_name_is_printed_plainly(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "[@click=app.quit]q.csv"
    assert main(["train", "--data", name]) == 2
    _one_error_line(capsys.readouterr().err, f"{name}: no such file")
    (tmp_path / name).write_text("0,0,0\n1,x,1\n")
    assert main(["train", "--data", name]) == 2
    _one_error_line(capsys.readouterr().err, f"{name}, line 2: 'x' is not a number")


# --------------------------------------------------------------------------- command line

def test_huge_hidden_layers_are_refused_with_the_size(capsys, monkeypatch):
    import tui.core.config

    monkeypatch.setattr(tui.core.config, "memory_cap", lambda: 2**30)
    assert main(["train", "--hidden", ",".join(["4096"] * 16)]) == 2
    _one_error_line(capsys.readouterr().err, "would need about", "GiB")
    assert main(["train", "--hidden", "100000,100000"]) == 2  # over the bound of a layer
    _one_error_line(capsys.readouterr().err, "hidden layer size", "from 1 to 4096")


@pytest.fixture
def spiral_model(tmp_path):
    net = NeuralNetwork.from_sizes([2, 16, 16, 1], "tanh", "sigmoid", seed=0)
    return save(net, tmp_path / "spiral.npz", task="spiral", lr=0.5)


def test_loaded_model_wins_over_presets(spiral_model):
    p = build(RunConfig(task="xor", load=spiral_model))
    assert p.config.lr == 0.5 and p.config.hidden == (16, 16) and p.config.activation == "tanh"
    assert build(RunConfig(task="xor", lr=2.0, load=spiral_model)).config.lr == 2.0


@pytest.mark.parametrize("argv,words", [
    (["--hidden", "3"], ["hidden layers 16,16, not --hidden 3"]),
    (["--activation", "relu"], ["activation is tanh, not --activation relu"]),
    (["--task", "regression"], ["sigmoid output", "regression", "identity"]),
], ids=["hidden", "activation", "task-kind"])
def test_load_conflicts_are_one_line(spiral_model, capsys, argv, words):
    assert main(["train", "--quiet", "--epochs", "1", "--load", str(spiral_model), *argv]) == 2
    _one_error_line(capsys.readouterr().err, "spiral.npz", *words)


def test_load_without_task_uses_the_saved_task(spiral_model, capsys):
    assert main(["train", "--quiet", "--epochs", "1", "--load", str(spiral_model)]) == 0
    assert "spiral: 2–16–16–1" in capsys.readouterr().out


def test_app_crash_gives_a_failure_status(monkeypatch):
    from textual.app import App

    from tui.app.app import TinyNetApp

    def boom(self):
        raise RuntimeError("planted crash")

    monkeypatch.setattr(TinyNetApp, "on_mount", boom)
    monkeypatch.setattr(TinyNetApp, "run", lambda self: App.run(self, headless=True))
    assert main([]) == 1


def test_loss_plot_accepts_an_envelope(tmp_path):
    from tui.view.plots import export_all

    e = np.arange(0, 100, 2.0)
    lo = np.exp(-e / 30)
    written = export_all(tmp_path, (e, lo, lo * 1.5))
    assert written[0].read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="same length"):
        export_all(tmp_path, (e, lo, lo[:-1]))


def test_ctrl_c_while_a_csv_is_read_ends_with_one_line(tmp_path, capsys, monkeypatch):
    """A KeyboardInterrupt between two chunk reads ends the load cleanly (exit 130)."""
    f = tmp_path / "big.csv"
    f.write_text("x1,x2,y\n" + "0.1,0.2,0.3\n" * 200_000)
    from nn import datasets as ds

    real_open = ds._open_regular
    reads = {"n": 0}

    class Interrupting:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def read(self, n=-1):
            reads["n"] += 1
            if reads["n"] == 2:
                raise KeyboardInterrupt
            return self.handle.read(n)

    monkeypatch.setattr(ds, "_open_regular", lambda *a: Interrupting(real_open(*a)))
    from tui.cli.main import main

    assert main(["train", "--data", str(f), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "tinynet-tui: error: interrupted" and reads["n"] == 2

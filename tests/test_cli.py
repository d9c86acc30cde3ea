import subprocess
import sys

import numpy as np
import pytest

from nn import load
from tui.cli import main


@pytest.mark.parametrize("argv,message", [
    (["train", "--lr", "0"], "--lr: must be a positive number"),
    (["train", "--lr", "abc"], "'abc' is not a number"),
    (["train", "--task", "nand"], "invalid choice: 'nand'"),
    (["train", "--hidden", "-2"], "layer sizes must be at least 1"),
    (["train", "--hidden", "2,x"], "give layer sizes like 2 or 16,8"),
    (["train", "--epochs", "0"], "--epochs: must be at least 1"),
    (["train", "--seed", "-1"], "--seed: must be at least 0, got -1"),
    (["train", "--data", "missing.csv"], "missing.csv: no such file"),
    (["train", "--activation", "swish"], "invalid choice: 'swish'"),
    (["--lr", "nan"], "must be a positive number"),
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
    out = subprocess.run([sys.executable, "-m", "tui.cli", "train", "--task", "regression",
                          "--hidden", "8", "--activation", "relu", "--lr", "1000",
                          "--epochs", "500", "--quiet"], capture_output=True, text=True)
    assert out.returncode == 1
    assert "diverged" in out.stdout
    assert "Warning" not in out.stdout + out.stderr


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "tui.cli", "train", "--lr", "-3"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_wheel_ships_the_stylesheet_and_console_script(tmp_path):
    """setuptools drops .tcss files unless declared; check a real wheel."""
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(root), "--no-deps",
                          "--no-build-isolation", "-q", "-w", str(tmp_path)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {out.stderr.strip()[-200:]}")
    wheel = zipfile.ZipFile(next(tmp_path.glob("*.whl")))
    names = wheel.namelist()
    assert "tui/app.tcss" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tinynet-tui = tui.cli:main" in wheel.read(entry).decode()

"""The shipped digits data, its loader and split, the image CSV reader, the confusion matrix,
and `train --task digits` / `--data --image`."""
import gzip
import hashlib

import numpy as np
import pytest

from nn import digits as D
from nn.confusion import confusion_matrix, mistakes
from nn.datasets import DataError
from nn.images import load_image_csv, parse_image_size
from nn.split import stratified_split_indices
from tui.cli.main import main
from tui.core.config import RunConfig, build, task_config, task_defaults


def test_the_shipped_file_is_the_one_documented():
    data = D.data_bytes()
    assert len(data) == 57523
    assert hashlib.sha256(data).hexdigest() == D.SHA256
    assert D.SHA256 in (__import__("pathlib").Path(D.__file__).parent / "data" / "README.md"
                        ).read_text()


def test_loader_scales_pixels_and_keeps_rows_in_file_order():
    X, labels = D.load_digits()
    assert X.shape == (1797, 64) and labels.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.bincount(labels), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    first = gzip.decompress(D.data_bytes()).decode().splitlines()[0].split(",")
    assert np.array_equal(X[0] * 16, [float(v) for v in first[:-1]])
    assert labels[0] == int(first[-1]) == 0
    X[0, 0] = 9.0  # a copy: the cache is untouched
    assert D.load_digits()[0][0, 0] == 0.0


def test_task_targets_are_one_hot():
    X, y = D.digits()
    assert y.shape == (1797, 10) and np.array_equal(y.sum(axis=1), np.ones(1797))
    assert np.array_equal(y.argmax(axis=1), D.load_digits()[1])


def test_stratified_split_keeps_each_class_share_and_is_seeded():
    labels = D.load_digits()[1]
    train, test = stratified_split_indices(labels, 0.2, seed=0)
    assert len(np.intersect1d(train, test)) == 0
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(1797))
    counts = np.bincount(labels[test], minlength=10)
    assert np.array_equal(counts, np.round(0.2 * np.bincount(labels)).astype(int))
    again = stratified_split_indices(labels, 0.2, seed=0)[1]
    other = stratified_split_indices(labels, 0.2, seed=1)[1]
    assert np.array_equal(test, again) and not np.array_equal(test, other)


def test_stratified_split_refuses_a_class_of_one():
    with pytest.raises(ValueError, match="class 2 has only 1 sample"):
        stratified_split_indices(np.array([0, 0, 1, 1, 2]), 0.5)


def test_digits_problem_has_the_preset_and_a_stratified_test_set():
    cfg = RunConfig(task="digits", **task_defaults("digits"))
    p = build(cfg)
    assert p.net.sizes == [64, 32, 10] and p.kind == "multiclass"
    assert p.config.optimizer == "adam" and p.config.batch == 32
    assert p.X.shape == (1438, 64) and p.X_test.shape == (359, 64)
    assert p.config.image_shape == (8, 8)


def test_confusion_matrix_against_a_direct_count():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(200, 10))
    true = rng.integers(0, 10, 200)
    counts = confusion_matrix(scores, np.eye(10)[true])
    direct = np.zeros((10, 10), int)
    for t, s in zip(true, scores):
        direct[t, int(np.argmax(s))] += 1
    assert np.array_equal(counts, direct)
    assert np.array_equal(confusion_matrix(scores, true), direct)
    wrong = mistakes(scores, true)
    assert np.array_equal(wrong, [i for i in range(200) if np.argmax(scores[i]) != true[i]])


@pytest.mark.parametrize("text,shape", [("8x8", (8, 8)), ("28X28", (28, 28)), (" 3 × 5 ", (3, 5))])
def test_image_sizes(text, shape):
    assert parse_image_size(text) == shape


@pytest.mark.parametrize("text", ["8", "0x8", "29x2", "1x1", "axb", "8x8x8", "-8x8"])
def test_bad_image_sizes(text):
    with pytest.raises(ValueError):
        parse_image_size(text)


def _write(tmp_path, text, name="img.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_image_csv_reads_pixels_and_labels_and_scales_by_the_largest(tmp_path):
    path = _write(tmp_path, "p1,p2,p3,p4,label\n# a comment\n0,255,0,0,1\n\n51,0,0,102,0\n")
    X, labels = load_image_csv(path, (2, 2))
    assert np.allclose(X, [[0, 1, 0, 0], [0.2, 0, 0, 0.4]])
    assert labels.tolist() == [1, 0]


@pytest.mark.parametrize("text,message", [
    ("0,1,0,1\n1,0,1,0\n", "line 1: expected 5 columns (2x2 = 4 pixels and a label), found 4"),
    ("0,1,0,1,0\n1,0,x,0,1\n", "line 2: 'x' is not a number"),
    ("0,1,0,1,0\n1,0,nan,0,1\n", "line 2: values must be finite"),
    ("0,1,0,1,0\n1,0,-1,0,1\n", "line 2: pixel values must be 0 or more, found -1"),
    ("0,1,0,1,0\n1,0,1,0,1.5\n", "line 2: the label (last column) must be a whole number"),
    ("0,1,0,1,0\n1,0,1,0,100\n", "line 2: the label (last column) must be a whole number"),
    ("0,1,0,1,1\n1,0,1,0,1\n", "every label is 1; at least 2 classes are needed"),
    ("0,0,0,0,0\n0,0,0,0,1\n", "every pixel is 0"),
    ("0,1,0,1,0\n", "only 1 data row"),
    ("# nothing\n", "no data rows"),
])
def test_image_csv_errors_name_the_file_and_line(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as info:
        load_image_csv(path, (2, 2))
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_image_csv_refuses_what_csv_refuses(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        load_image_csv(tmp_path, (2, 2))
    big = _write(tmp_path, "0,1,0,1,0\n" * 50)
    with pytest.raises(DataError, match="larger than the limit"):
        load_image_csv(big, (2, 2), max_bytes=100)


@pytest.mark.parametrize("argv,message", [
    (["train", "--task", "digits", "--image", "8x8"], "--image: only with --data"),
    (["train", "--task", "digits", "--features", "x1"], "the inputs of digits are pixels"),
    (["train", "--image", "30x30"], "height and width must be from 1 to 28"),
])
def test_cli_refuses_image_options_in_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cli_image_file_error_is_one_line(tmp_path, capsys):
    path = _write(tmp_path, "0,1,0,1,0\n1,0,1,0\n")
    assert main(["train", "--data", str(path), "--image", "2x2"]) == 2
    err = capsys.readouterr().err
    assert "line 2: expected 5 columns" in err and err.count("\n") == 1


def test_train_digits_prints_accuracies_and_the_confusion_matrix(capsys):
    assert main(["train", "--task", "digits", "--epochs", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "64–32–10" in out and "adam, batch 32" in out and "test" in out
    assert "confusion on the test set (359 samples)" in out
    assert "rows: true class" in out


def test_train_on_an_image_file(tmp_path, capsys):
    X, labels = D.load_digits()
    rows = [",".join(str(int(v)) for v in x * 16) + f",{k}" for x, k in zip(X[:200], labels[:200])]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    assert main(["train", "--data", str(path), "--image", "8x8", "--epochs", "20",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "64–32–10" in out and "confusion on the test set (40 samples)" in out


def test_train_export_writes_the_digit_pictures(tmp_path, capsys):
    out = tmp_path / "exp"
    assert main(["train", "--task", "digits", "--epochs", "2", "--quiet",
                 "--export", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {"loss.png", "weights.png", "confusion.png",
                                                "mistakes.png", "handout.md"}
    for name in ("loss.png", "weights.png", "handout.md"):  # confusion.png is still there
        (out / name).unlink()
    capsys.readouterr()
    assert main(["train", "--task", "digits", "--epochs", "1", "--quiet",
                 "--export", str(out)]) == 2
    assert "confusion.png: already exists" in capsys.readouterr().err


def test_export_figures_from_arrays(tmp_path):
    from tui.view.plots_digits import export_digits

    X, labels = D.load_digits()
    y = np.eye(10)[labels[:30]]
    probs = np.roll(y, 1, axis=1)  # every answer wrong
    paths = export_digits(tmp_path, np.random.default_rng(0).normal(size=(64, 5)), (8, 8),
                          X[:30], y, probs, "test")
    assert [p.name for p in paths] == ["weights.png", "confusion.png", "mistakes.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_stacked_digits_runs_equal_single_runs():
    """A stack trains digits as the app does: mini-batches in each run's own order, Adam,
    weight decay; every run of the stack ends bit for bit where it ends alone."""
    from nn.stacked import StackedNetwork

    problems = [build(RunConfig(task="digits", seed=s, **task_defaults("digits")))
                for s in (0, 1)]
    cfg = problems[0].config
    stack = StackedNetwork([p.net.copy() for p in problems], [cfg.lr, cfg.lr * 2])
    fit = stack.fit(problems[0].X, problems[0].y, 2, batch=cfg.batch)
    for r, (p, lr) in enumerate(zip(problems, [cfg.lr, cfg.lr * 2])):
        alone = p.net.fit(problems[0].X, problems[0].y, epochs=2, lr=lr, batch=cfg.batch)
        assert np.array_equal(stack.network(r)._flat()[0], p.net._flat()[0])
        np.testing.assert_allclose(fit.losses[r], alone.losses, rtol=1e-12, atol=0)


def test_a_digits_sweep_run_is_the_single_run_of_its_seed():
    """Each seed has its own split: the sweep stacks each seed's runs on that seed's data, so
    run (lr, seed) ends with the losses `tinynet-tui train --seed S --lr LR` gets."""
    from tui.core.sweep import run_grid

    cfg = task_config("digits")
    sweep = run_grid(cfg, [0, 1], [0.005, 0.01], epochs=2)
    for k, lr in enumerate([0.005, 0.01]):
        for i, seed in enumerate([0, 1]):
            p = build(task_config("digits", seed=seed, lr=lr))
            alone = p.net.fit(p.X, p.y, epochs=2, lr=lr, batch=p.config.batch)
            np.testing.assert_allclose(sweep.fit.losses[k * 2 + i], alone.losses, rtol=1e-12,
                                       atol=0)


def test_sweep_on_digits_runs_and_reopens_the_same_runs(capsys):
    from tui.cli.sweep import main as sweep_main

    assert sweep_main(["--task", "digits", "--seeds", "0-1", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "adam" in out and "digits" in out


def test_a_session_file_keeps_the_image_size(tmp_path):
    from tui.core.settings import config_from_json, config_to_json

    path = tmp_path / "img.csv"
    path.write_text("0,1,0,1,0\n1,0,1,0,1\n0,1,1,0,0\n1,1,0,0,1\n")
    cfg = RunConfig(data=path, image=(2, 2), **task_defaults(None, image=True))
    again = config_from_json(config_to_json(cfg))
    assert again.image == (2, 2) and again.data == path and again.optimizer == "adam"
    bad = config_to_json(cfg) | {"image": [2, 99]}
    with pytest.raises(ValueError, match=r"image must be \[height, width\]"):
        config_from_json(bad)


def test_a_digits_session_saves_and_replays(tmp_path):
    from tui.core.recording import load_session
    from tui.core.session import Session

    s = Session(build(task_config("digits")))
    s.play_chunk(1)
    path = s.save_session(tmp_path / "d.json")
    config, actions = load_session(path)
    assert config.task == "digits" and config.optimizer == "adam" and config.batch == 32
    again = Session(build(config))
    again.replay(actions)
    assert np.array_equal(again.net._flat()[0], s.net._flat()[0])

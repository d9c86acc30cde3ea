import numpy as np
import pytest

from nn import ModelFileError, NeuralNetwork, datasets, load, save
from nn.datasets import DataError


@pytest.mark.parametrize("name", list(datasets.TASKS))
def test_every_task_gives_n_by_2_and_n_by_k(name):
    X, y = datasets.load_task(name)
    k = 3 if name in ("spiral3", "blobs") else 1
    assert X.ndim == 2 and X.shape[1] == 2 and y.shape == (len(X), k)
    assert np.isfinite(X).all() and np.isfinite(y).all()


@pytest.mark.parametrize("fn", [datasets.spiral3, datasets.blobs])
def test_three_class_sets_are_one_hot_and_balanced(fn):
    X, y = fn(300, seed=1)
    assert X.shape == (300, 2) and y.shape == (300, 3)
    assert X.min() >= -1 and X.max() <= 1
    np.testing.assert_array_equal(y.sum(axis=1), 1.0)
    assert set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(y.sum(axis=0), [100, 100, 100])
    # the classes sit in different places (their centres are apart)
    centres = np.array([X[y[:, c] == 1].mean(axis=0) for c in range(3)])
    assert min(np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i)) > 0.1


def test_noise_is_seeded_and_the_default_data_is_unchanged():
    X0, y0 = datasets.load_task("circle")
    X1, y1 = datasets.circle()
    np.testing.assert_array_equal(X0, X1)
    np.testing.assert_array_equal(datasets.load_task("circle", noise=0.05)[1], y1)
    Xa, ya = datasets.load_task("spiral", noise=0.2)
    Xb, yb = datasets.load_task("spiral", noise=0.2)
    np.testing.assert_array_equal(Xa, Xb)
    assert not np.array_equal(Xa, datasets.spiral()[0])
    # regression: the same points, noisy targets around x1^2 + x2^2 with about that σ
    Xr, yr = datasets.load_task("regression", noise=0.1)
    np.testing.assert_array_equal(Xr, datasets.regression()[0])
    assert 0.08 < float(np.std(yr - datasets.regression_target(Xr))) < 0.12
    np.testing.assert_array_equal(datasets.load_task("regression", noise=0.0)[1],
                                  datasets.regression()[1])
    with pytest.raises(ValueError, match="noise is for the generated tasks"):
        datasets.load_task("xor", noise=0.1)


def test_split_is_seeded_disjoint_and_complete():
    train, test = datasets.split_indices(200, 0.2, seed=7)
    assert len(test) == 40 and len(train) == 160
    assert not set(train) & set(test)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(200))
    again = datasets.split_indices(200, 0.2, seed=7)
    np.testing.assert_array_equal(again[1], test)
    assert not np.array_equal(datasets.split_indices(200, 0.2, seed=8)[1], test)
    X, y = datasets.circle()
    Xtr, ytr, Xte, yte = datasets.split(X, y, 0.2, seed=7)
    np.testing.assert_array_equal(Xte, X[test])
    np.testing.assert_array_equal(ytr, y[train])
    assert len(datasets.split_indices(10, 0.01)[1]) == 1      # at least one test row
    for bad in (0.0, 1.0, -0.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            datasets.split_indices(10, bad)
    with pytest.raises(ValueError, match="leaves 1 to train on; at least 2"):
        datasets.split_indices(4, 0.75)


def test_accuracy_is_argmax_for_several_classes():
    from nn.metrics import accuracy, class_accuracy

    y = np.eye(3)[[0, 1, 2, 1]]
    y_hat = np.array([[0.9, 0.8, 0.1], [0.4, 0.45, 0.0], [0.3, 0.2, 0.1], [0.6, 0.9, 0.7]])
    assert class_accuracy(y_hat, y) == 0.75 and accuracy(y_hat, y) == 0.75
    assert accuracy(np.array([[0.7], [0.2]]), np.array([[1.0], [1.0]])) == 0.5


def test_gates_and_regression_targets():
    X, y = datasets.xor()
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
    X, y = datasets.and_gate()
    np.testing.assert_array_equal(y[:, 0], np.logical_and(X[:, 0], X[:, 1]))
    X, y = datasets.regression(50, seed=3)
    assert X.min() >= -1 and X.max() <= 1
    np.testing.assert_allclose(y[:, 0], X[:, 0] ** 2 + X[:, 1] ** 2)
    np.testing.assert_array_equal(datasets.regression(50, seed=3)[0], X)
    assert not np.array_equal(datasets.regression(50, seed=4)[0], X)


def test_two_class_sets_are_balanced_enough():
    for fn in (datasets.circle, datasets.spiral):
        _, y = fn(200, seed=1)
        assert set(np.unique(y)) == {0.0, 1.0}
        assert 0.2 < y.mean() < 0.8


def test_unknown_task():
    with pytest.raises(ValueError, match="unknown task 'nand'"):
        datasets.load_task("nand")


def test_load_csv_with_header_and_comments(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("# my data\nx1,x2,y\n0,0,0\n0,1,1\n\n1,0,1\n")
    X, y = datasets.load_csv(f)
    assert X.shape == (3, 2) and y.shape == (3, 1)
    np.testing.assert_array_equal(y[:, 0], [0, 1, 1])


@pytest.mark.parametrize("content,message", [
    ("0,0,0\n1,abc,1\n", r"d.csv, line 2: 'abc' is not a number"),
    ("0,0,0\n1,1\n", r"d.csv, line 2: expected 3 columns"),
    ("x1,x2,y\n", r"d.csv: no data rows"),
    ("", r"d.csv: no data rows"),
    ("0,0,nan\n", r"d.csv, line 1: values must be finite"),
])
def test_load_csv_errors_name_file_and_line(tmp_path, content, message):
    f = tmp_path / "d.csv"
    f.write_text(content)
    with pytest.raises(DataError, match=message):
        datasets.load_csv(f)


def test_load_csv_missing_and_directory(tmp_path):
    with pytest.raises(DataError, match="nope.csv: no such file"):
        datasets.load_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a directory"):
        datasets.load_csv(tmp_path)


def test_save_load_round_trip(tmp_path):
    net = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "identity", seed=5)
    path = save(net, tmp_path / "m", task="regression", lr=0.3)
    assert path.name == "m.npz"
    back, meta = load(path)
    assert back.describe() == net.describe() and back.seed == 5
    assert meta["task"] == "regression" and meta["lr"] == 0.3
    for a, b in zip(net.layers, back.layers):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)


def test_load_refuses_pickles(tmp_path):
    f = tmp_path / "evil.npz"
    np.savez(f, meta=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ModelFileError, match="evil.npz"):
        load(f)


@pytest.mark.parametrize("make", [
    lambda p: p.write_bytes(b""),
    lambda p: p.write_bytes(b"PK\x03\x04 truncated"),
    lambda p: p.write_text("hello"),
    lambda p: np.savez(p, W0=np.zeros((2, 2))),
])
def test_bad_model_files_give_one_line_naming_the_file(tmp_path, make):
    f = tmp_path / "bad.npz"
    make(f)
    with pytest.raises(ModelFileError) as info:
        load(f)
    assert str(info.value).startswith(str(f)) and "\n" not in str(info.value)


def test_truncated_real_file(tmp_path):
    path = save(NeuralNetwork.from_sizes([2, 2, 1]), tmp_path / "m.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="m.npz"):
        load(path)


def test_mismatched_shapes(tmp_path):
    path = save(NeuralNetwork.from_sizes([2, 2, 1]), tmp_path / "m.npz")
    with np.load(path) as d:
        files = dict(d)
    files["W1"] = np.zeros((3, 1))
    np.savez(path, **files)
    with pytest.raises(ModelFileError, match="output layer 2 has shape"):
        load(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load(tmp_path / "none.npz")
    with pytest.raises(ModelFileError, match="is a directory"):
        load(tmp_path)


def test_pixel_grid_is_row_major_from_the_top_left():
    pts = datasets.pixel_grid(3, 2)
    np.testing.assert_array_equal(pts, [[-1, 1], [0, 1], [1, 1], [-1, -1], [0, -1], [1, -1]])

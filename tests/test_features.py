"""Input features (nn/features.py) and how they reach the network (tui/core/config.py)."""
import numpy as np
import pytest

from nn.features import FEATURES, FeatureMap, parse_features
from tui.core.config import RunConfig, build

P = np.array([[0.5, -2.0], [1.5, 0.25]])


def test_every_feature_is_its_formula_and_named_as_the_textbook_writes_it():
    expected = {
        "x1": (P[:, 0], "x₁"), "x2": (P[:, 1], "x₂"),
        "x1^2": (P[:, 0] ** 2, "x₁²"), "x2^2": (P[:, 1] ** 2, "x₂²"),
        "x1x2": (P[:, 0] * P[:, 1], "x₁x₂"),
        "sin(x1)": (np.sin(P[:, 0]), "sin x₁"), "sin(x2)": (np.sin(P[:, 1]), "sin x₂"),
    }
    assert list(FEATURES) == list(expected)
    fmap = FeatureMap(list(expected))
    out = fmap(P)
    assert out.shape == (2, 7) and len(fmap) == 7
    for k, (key, (column, name)) in enumerate(expected.items()):
        np.testing.assert_array_equal(out[:, k], column)
        assert fmap.names[k] == name


@pytest.mark.parametrize("text,keys", [
    ("x1,x2", ("x1", "x2")),
    ("x1^2, x2^2", ("x1^2", "x2^2")),
    ("X1*X2,sin x1,sinx2", ("x1x2", "sin(x1)", "sin(x2)")),
    ("sin(x2),x1", ("sin(x2)", "x1")),        # the order given is the input order
])
def test_parse_features(text, keys):
    assert parse_features(text) == keys


@pytest.mark.parametrize("text,message", [
    ("x1,x3", "unknown feature 'x3'"),
    ("", "unknown feature ''"),
    ("x1,,x2", "unknown feature ''"),
    ("x1,x1", "feature x1 is given twice"),
    ("x1*x2,x1x2", "feature x1x2 is given twice"),
])
def test_bad_feature_lists(text, message):
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        parse_features(text)


def test_features_set_the_input_layer_and_problem_keeps_raw_points():
    plain = build(RunConfig(task="circle"))
    assert plain.features is None and plain.net.sizes[0] == 2
    p = build(RunConfig(task="circle", features=("x1", "x2", "x1^2", "x2^2", "x1x2")))
    assert p.net.sizes[0] == 5 and p.X.shape == (200, 5)
    np.testing.assert_array_equal(p.points, plain.points)          # same raw 2-D points
    np.testing.assert_array_equal(p.X, p.features(p.points))
    grid = np.array([[0.1, 0.2], [-0.3, 0.4]])
    assert p.features(grid).shape == (2, 5)                        # callable (M,2)->(M,F)
    np.testing.assert_array_equal(p.inputs(grid)[:, 4], grid[:, 0] * grid[:, 1])
    # the default features are the raw points themselves
    assert build(RunConfig(task="circle", features=("x1", "x2"))).features is None


def test_circle_needs_no_hidden_layer_with_squares():
    cfg = RunConfig(task="circle", features=("x1^2", "x2^2"), hidden=(), epochs=3000)
    p = build(cfg)
    assert p.net.sizes == [2, 1]
    p.net.fit(p.X, p.y, epochs=3000, lr=p.config.lr)
    metric, value = p.score()
    assert metric == "accuracy" and value >= 0.93
    # x1, x2 alone with no hidden layer is a straight line: it cannot
    q = build(RunConfig(task="circle", hidden=()))
    q.net.fit(q.X, q.y, epochs=3000, lr=q.config.lr)
    assert q.score()[1] < 0.8


@pytest.mark.parametrize("features,name", [("x1^2,x2", "x₁² is inf"), ("x1,x1x2", "x₁x₂ is -inf")])
def test_features_that_overflow_a_finite_csv_are_one_line_without_a_warning(
        tmp_path, capsys, features, name):
    """x₁ = 1e300 is a valid CSV value; its square is inf. That went on as a NumPy
    RuntimeWarning on the terminal and 'training diverged … try a smaller --lr', exit 1."""
    import warnings

    from tui.cli.main import main

    f = tmp_path / "far.csv"
    f.write_text("0,0,0\n1,1,1\n1e300,-1e300,1\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["train", "--quiet", "--epochs", "1", "--data", str(f),
                     "--features", features]) == 2
        np.testing.assert_array_equal(FeatureMap(["x1^2"])(np.array([[1e300, 0.0]])),
                                      [[np.inf]])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"far.csv: feature {name} at the point " \
        "x₁ = 1e+300, x₂ = -1e+300" in err, err
    assert main(["train", "--quiet", "--epochs", "1", "--data", str(f)]) == 0

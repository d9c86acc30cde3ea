"""Losses (nn/losses.py), softmax, weight decay: values, gradients, stability, events."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nn import (LossEvent, BCE, LOSSES, MSE, NeuralNetwork, SoftmaxCE, Softmax, Stepper, cross_entropy_for,
                get_loss, gradcheck, load, save)

#: (loss, output activation) pairs a net can be built with
PAIRS = [("mse", "identity"), ("mse", "sigmoid"), ("mse", "softmax"), ("bce", "sigmoid"),
         ("softmax-ce", "softmax")]


def three_class(n=12, n_in=2, seed=0):
    """A small 3-class data set with one-hot targets (N, 3)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    labels = rng.integers(0, 3, size=n)
    return X, np.eye(3)[labels]


def data_for(loss, n_in, k, n=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    if loss == "softmax-ce":
        y = np.eye(k)[rng.integers(0, k, size=n)]
    elif loss == "bce":
        y = rng.integers(0, 2, size=(n, k)).astype(float)
    else:
        y = rng.uniform(size=(n, k))
    return X, y


def test_registry_and_errors():
    assert list(LOSSES) == ["mse", "bce", "softmax-ce"]
    assert isinstance(get_loss(None), MSE) and isinstance(get_loss("BCE"), BCE)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        get_loss("hinge")
    assert cross_entropy_for("sigmoid") == "bce" and cross_entropy_for("softmax") == "softmax-ce"
    with pytest.raises(ValueError, match="needs a softmax output"):
        NeuralNetwork.from_sizes([2, 3, 3], "tanh", "identity", loss="softmax-ce")


def test_values_match_the_textbook_formulas():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 3))
    y = np.eye(3)[[0, 2, 1, 1, 0]]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(Softmax()(z), p, rtol=1e-14)
    want = -np.mean(np.sum(y * np.log(p), axis=1))
    assert SoftmaxCE()(p, y, z) == pytest.approx(want, rel=1e-13)
    assert SoftmaxCE()(p, y) == pytest.approx(want, rel=1e-13)  # from ŷ alone
    s = 1 / (1 + np.exp(-z))
    yb = (z > 0.3).astype(float)
    want = -np.mean(yb * np.log(s) + (1 - yb) * np.log(1 - s))
    assert BCE()(s, yb, z) == pytest.approx(want, rel=1e-13)
    assert BCE()(s, yb) == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("name", ["bce", "softmax-ce"])
def test_cross_entropy_is_stable_for_huge_logits(name):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0], [-1e4, -1e4, -1e4]])
    y = np.eye(3)[[0, 2, 1]] if name == "softmax-ce" else np.array([[1.0, 0, 1], [0, 1, 1], [1, 0, 0]])
    act = Softmax() if name == "softmax-ce" else NeuralNetwork.from_sizes([1, 3], "sigmoid").layers[0].activation
    loss = get_loss(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act(z)
        value, delta = loss.value_and_gradient(a, y, z)
        from_probs = loss(a, y)
    assert np.isfinite(a).all() and np.isfinite(delta).all()
    assert np.isfinite(value) and np.isfinite(from_probs) and value > 1e3  # wrong by 1e4: big, finite
    np.testing.assert_allclose(delta, (a - y) * loss.scale(y), rtol=0, atol=0)


@settings(max_examples=25, deadline=None)
@given(pair=st.sampled_from(PAIRS), hidden=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
       widths=st.lists(st.integers(1, 3), min_size=0, max_size=2), k=st.integers(1, 3),
       decay=st.sampled_from([0.0, 0.05]), seed=st.integers(0, 1000))
def test_gradients_match_finite_differences(pair, hidden, widths, k, decay, seed):
    loss, output = pair
    if output == "softmax" and k == 1:
        k = 2
    sizes = [2] + widths + [k]
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=seed, loss=loss, weight_decay=decay)
    rng = np.random.default_rng(seed)
    for layer in net.layers:
        layer.b[...] = rng.normal(0, 0.3, layer.b.shape)
    X, y = data_for(loss, 2, k, seed=seed)
    if hidden == "relu":  # keep samples whose z are away from the kink (the stencil moves z)
        net.forward(X)
        keep = np.ones(len(X), dtype=bool)
        for hidden_layer in net.layers[:-1]:
            keep &= (np.abs(hidden_layer.z) > 0.05).all(axis=1)
        X, y = X[keep], y[keep]
        if len(X) == 0:
            return
    result = gradcheck(net, X, y)
    assert result.ok, (result.worst, sizes, hidden, output, loss)


def test_weight_decay_adds_to_loss_and_gradient_but_not_to_biases():
    X, y = data_for("mse", 2, 1)
    plain = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "identity", seed=1)
    decayed = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "identity", seed=1, weight_decay=0.1)
    lp, ld = plain.train_step(X, y, 0.0), decayed.train_step(X, y, 0.0)
    w2 = sum(float((l.W ** 2).sum()) for l in plain.layers)
    assert ld == pytest.approx(lp + 0.05 * w2, abs=1e-14)
    for a, b in zip(plain.layers, decayed.layers):
        np.testing.assert_allclose(b.dW, a.dW + 0.1 * a.W, atol=1e-15)
        np.testing.assert_array_equal(b.db, a.db)
    with pytest.raises(ValueError, match="weight decay"):
        NeuralNetwork.from_sizes([2, 1], weight_decay=-1)


@pytest.mark.parametrize("loss,output", PAIRS)
def test_loss_event_carries_the_narration(loss, output):
    k = 1 if output != "softmax" else 3
    X, y = data_for(loss, 2, k)
    net = NeuralNetwork.from_sizes([2, 3, k], "tanh", output, seed=0, loss=loss, weight_decay=0.01)
    stepper = Stepper(net, X, y, 0.1)
    stepper.step("phase")
    (ev,) = stepper.step("neuron")
    v = ev
    assert isinstance(v, LossEvent) and v.equations == tuple(net.loss.equations)
    assert v.loss_name == loss and v.loss == pytest.approx(v.data_loss + v.penalty)
    assert v.scale == pytest.approx({"mse": 2 / y.size, "bce": 1 / y.size,
                                        "softmax-ce": 1 / len(y)}[loss])
    if v.fused:  # the textbook simplification δ = (ŷ − y)·scale
        np.testing.assert_allclose(v.dL_dyhat, (v.y_hat - y) * v.scale, atol=1e-16)
        (bev,) = stepper.step("neuron")
        assert bev.fused and (bev.fprime == 1).all()


def test_softmax_forward_one_neuron_at_a_time_is_exact():
    X, y = three_class()
    net = NeuralNetwork.from_sizes([2, 4, 3], "tanh", "softmax", seed=3, loss="softmax-ce")
    fast = net.copy()
    stepper = Stepper(net, X, y, 0.5)
    events = [stepper.step("neuron")[0] for _ in range(7)]  # 4 hidden + 3 output neurons
    out = [e for e in events if e.layer == 1]
    assert [(e.a is not None, e.a_pending) for e in out] == \
        [(False, True), (False, True), (True, False)]
    np.testing.assert_allclose(net.layers[1].a, fast.predict(X), rtol=0, atol=1e-15)
    np.testing.assert_allclose(net.layers[1].a.sum(axis=1), 1.0, atol=1e-15)


@pytest.mark.parametrize("loss,output", PAIRS)
def test_model_file_records_the_loss(tmp_path, loss, output):
    k = 3 if output == "softmax" else 1
    net = NeuralNetwork.from_sizes([2, k], "tanh", output, seed=0, loss=loss, weight_decay=0.25)
    back, meta = load(save(net, tmp_path / "m.npz"))
    assert back.loss.name == loss and back.weight_decay == 0.25 and meta["loss"] == loss


def test_old_model_files_load_as_mse(tmp_path):
    import json
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    meta = dict(format="tinynet-1", sizes=[2, 2, 1], activations=["sigmoid", "sigmoid"], seed=0)
    arrays = {"meta": np.array(json.dumps(meta))}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
    np.savez(tmp_path / "old.npz", **arrays)
    back, _ = load(tmp_path / "old.npz")
    assert back.loss.name == "mse" and back.optimizer.name == "gd" and back.weight_decay == 0.0


def test_bad_loss_in_a_file_is_one_line(tmp_path):
    import json
    from nn import ModelFileError
    net = NeuralNetwork.from_sizes([2, 1], seed=0)
    path = save(net, tmp_path / "m.npz")
    with np.load(path) as f:
        arrays = dict(f)
    meta = json.loads(str(arrays["meta"][()]))
    meta["loss"] = "hinge"
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match=r"m\.npz: bad loss hinge"):
        load(path)

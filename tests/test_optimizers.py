"""Optimizers (nn/optimizers.py): formulas, step path = fast path, rewind, files, torch."""
import numpy as np
import pytest

from nn import (OPTIMIZERS, Adam, GD, Granularity, ModelFileError, Momentum, NeuralNetwork,
                Stepper, get_optimizer, load, save)
from nn.optimizers import RMSProp

from helpers import step_epoch

G = Granularity

OPTS = [("gd", {}), ("momentum", {"beta": 0.9}), ("momentum", {"beta": 0.8, "nesterov": True}),
        ("adam", {}), ("adam", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-6}),
        ("rmsprop", {}), ("rmsprop", {"rho": 0.5, "eps": 1e-6})]
LOSS_NETS = [("mse", [2, 3, 1], "tanh", "identity"), ("bce", [2, 3, 2], "relu", "sigmoid"),
             ("softmax-ce", [2, 4, 3], "tanh", "softmax")]
PLANS = [[G.NEURON] * 200, [G.LAYER, G.NEURON, G.PHASE, G.NEURON, G.NEURON, G.LAYER, G.EPOCH]]


def make(loss="mse", sizes=(2, 3, 1), hidden="tanh", output="identity", opt=("gd", {}), decay=0.0,
         seed=2):
    net = NeuralNetwork.from_sizes(list(sizes), hidden, output, seed=seed, loss=loss,
                                   optimizer=get_optimizer(opt[0], **opt[1]), weight_decay=decay)
    rng = np.random.default_rng(seed + 100)
    for layer in net.layers:
        layer.b[...] = rng.normal(0, 0.5, layer.b.shape)
    return net


def data(loss, sizes, n=7, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    if loss == "softmax-ce":
        return X, np.eye(k)[rng.integers(0, k, size=n)]
    if loss == "bce":
        return X, rng.integers(0, 2, size=(n, k)).astype(float)
    return X, rng.uniform(size=(n, k))


def test_registry_and_errors():
    assert list(OPTIMIZERS) == ["gd", "momentum", "adam", "rmsprop"]
    assert isinstance(get_optimizer(None), GD)
    assert get_optimizer("momentum", beta=0.5).beta == 0.5
    with pytest.raises(ValueError, match="unknown optimizer 'sgd'"):
        get_optimizer("sgd")
    with pytest.raises(ValueError, match="takes beta, nesterov"):
        get_optimizer("momentum", beta1=0.5)
    with pytest.raises(ValueError, match="β must be in"):
        Momentum(beta=1.0)


def test_formulas_by_hand():
    g = np.array([0.5, -2.0])
    theta = np.zeros(2)
    m = Momentum(0.9).bind(2, np.float64)
    m.step(theta, g, 0.1)
    m.step(theta, g, 0.1)  # v = g, then 1.9 g
    np.testing.assert_allclose(theta, -0.1 * 2.9 * g, rtol=1e-15)
    theta = np.zeros(2)
    a = Adam().bind(2, np.float64)
    a.step(theta, g, 0.1)  # first Adam step is lr·sign(g) (to ε)
    np.testing.assert_allclose(theta, -0.1 * np.sign(g), rtol=1e-7)
    assert a.t == 1


def test_rmsprop_by_hand():
    """Two steps of s ← ρ·s + (1−ρ)·g²; θ ← θ − lr·g/(√s + ε), worked out on paper:
    g = (0.5, −2), ρ = 0.75, lr 0.1 (s is exact in binary; ε = 1e-300 vanishes beside √s)."""
    g = np.array([0.5, -2.0])
    theta = np.zeros(2)
    r = RMSProp(rho=0.75, eps=1e-300).bind(2, np.float64)
    r.step(theta, g, 0.1)            # s = 0.25·g² = (1/16, 1);  θ = −0.1·g/√s = −0.1·(2, −2)
    np.testing.assert_array_equal(r.state["s"], [1 / 16, 1.0])
    np.testing.assert_allclose(theta, [-0.2, 0.2], rtol=1e-15)
    r.step(theta, g, 0.1)            # s = 0.75·s + 0.25·g² = (7/64, 7/4)
    np.testing.assert_array_equal(r.state["s"], [7 / 64, 7 / 4])
    # θ −= 0.1·g/√s = 0.1·(0.5·8/√7, −2·2/√7) = (0.4/√7, −0.4/√7)
    np.testing.assert_allclose(theta, [-0.2 - 0.4 / np.sqrt(7), 0.2 + 0.4 / np.sqrt(7)],
                               rtol=1e-15)
    assert r.t == 2 and r.describe() == "rmsprop(rho=0.75, eps=1e-300)"
    with pytest.raises(ValueError, match=r"RMSProp ρ must be in \[0, 1\), got 1.0"):
        RMSProp(rho=1.0)
    with pytest.raises(ValueError, match=r"RMSProp ε must be in \(0, ∞\)"):
        RMSProp(eps=-1.0)


def test_rmsprop_explain_gives_the_update_exactly():
    """The narration's lines compute, from scalars, exactly what ``_update`` did."""
    r = RMSProp(rho=0.9).bind(3, np.float64)
    theta, g = np.array([0.3, -1.2, 2.0]), np.array([0.7, 0.01, -3.0])
    r.step(theta, g, 0.05)
    before_s = r.state["s"].copy()
    lines = [r.explain(float(w), float(d), 0.05, 2, {"s": float(s)})
             for w, d, s in zip(theta, g, before_s)]
    r.step(theta, g, 0.05)
    for k, line in enumerate(lines):
        assert line[0][2] == r.state["s"][k] and line[-1][2] == theta[k]


@pytest.mark.parametrize("opt", OPTS, ids=lambda o: o if isinstance(o, str) else str(o[1]))
@pytest.mark.parametrize("loss,sizes,hidden,output", LOSS_NETS)
@pytest.mark.parametrize("plan", PLANS, ids=["neurons", "mixed"])
def test_any_steps_equal_train_step(opt, loss, sizes, hidden, output, plan):
    X, y = data(loss, sizes)
    fast = make(loss, sizes, hidden, output, opt, decay=0.01)
    slow = make(loss, sizes, hidden, output, opt, decay=0.01)
    stepper = Stepper(slow, X, y, lr=0.05)
    for epoch in range(3):
        fast_loss = fast.train_step(X, y, 0.05)
        step_epoch(stepper, plan)
        assert stepper.at_epoch_start and stepper.epoch == epoch + 1
        assert stepper.losses[-1] == pytest.approx(fast_loss, abs=1e-12)
        np.testing.assert_allclose(slow.theta, fast.theta, rtol=0, atol=1e-12)
        for k, vec in fast.optimizer.state.items():
            np.testing.assert_allclose(slow.optimizer.state[k], vec, rtol=0, atol=1e-12)
        assert slow.optimizer.t == fast.optimizer.t == epoch + 1
    stepper.run_epochs(3)  # playing continues from the same state
    for _ in range(3):
        fast.train_step(X, y, 0.05)
    np.testing.assert_allclose(slow.theta, fast.theta, rtol=0, atol=1e-12)


def test_update_events_carry_the_optimizer_state():
    X, y = data("mse", [2, 3, 1])
    net = make(opt=("momentum", {"beta": 0.9}))
    stepper = Stepper(net, X, y, 0.1)
    stepper.run_epochs(1)
    for _ in range(3):
        stepper.step("phase")  # forward, loss, backward
    (ev,) = stepper.step("neuron")  # update of h₁
    v = ev.slots["v"]
    assert ev.optimizer == "momentum" and ev.hyper == {"beta": 0.9, "nesterov": False}
    assert ev.t == 2
    np.testing.assert_allclose(v.w_after, 0.9 * v.w_before + ev.dw, atol=1e-15)
    np.testing.assert_allclose(ev.w_after, ev.w_before - 0.1 * v.w_after, atol=1e-15)
    np.testing.assert_allclose(v.b_after, 0.9 * v.b_before + ev.db, atol=1e-15)


@pytest.mark.parametrize("opt", [("momentum", {"beta": 0.9}), ("adam", {})])
def test_back_and_go_to_restore_the_optimizer_state(opt):
    X, y = data("mse", [2, 3, 1])
    net = make(opt=opt)
    stepper = Stepper(net, X, y, 0.05)
    seen = []
    for _ in range(60):  # two epochs, one neuron at a time
        seen.append((net.theta.copy(), net.optimizer.get_state()))
        stepper.step("neuron")
    for theta, state in reversed(seen):
        assert stepper.back("neuron")
        np.testing.assert_array_equal(net.theta, theta)
        assert net.optimizer.t == state["t"]
        for k in net.optimizer.state:
            np.testing.assert_array_equal(net.optimizer.state[k], state[k])
    # per-epoch snapshots: play, then go back whole epochs, then forward again
    states = {}
    for e in range(6):
        states[e] = (net.theta.copy(), net.optimizer.get_state(), stepper._change_flat.copy())
        stepper.run_epochs(1)
    stepper.go_to(2)
    np.testing.assert_array_equal(net.theta, states[2][0])
    # the last update's changes come from replaying epoch 1 with its optimizer state
    np.testing.assert_allclose(stepper._change_flat, states[2][2], rtol=0, atol=1e-15)
    for k in net.optimizer.state:
        np.testing.assert_array_equal(net.optimizer.state[k], states[2][1][k])
    assert net.optimizer.t == 2
    stepper.run_epochs(1)
    np.testing.assert_array_equal(net.theta, states[3][0])
    stepper.reset()
    assert net.optimizer.t == 0 and all((v == 0).all() for v in net.optimizer.state.values())


@pytest.mark.parametrize("opt", OPTS[1:4])
def test_save_load_and_copy_keep_the_state(tmp_path, opt):
    X, y = data("mse", [2, 3, 1])
    net = make(opt=opt, decay=1e-3)
    for _ in range(5):
        net.train_step(X, y, 0.05)
    for other in (load(save(net, tmp_path / "m.npz"))[0], net.copy()):
        assert other.optimizer.hyper == net.optimizer.hyper and other.optimizer.t == 5
        for k, vec in net.optimizer.state.items():
            np.testing.assert_array_equal(other.optimizer.state[k], vec)
            assert not np.shares_memory(other.optimizer.state[k], vec)
        other.train_step(X, y, 0.05)
    net.train_step(X, y, 0.05)
    np.testing.assert_array_equal(other.theta, net.theta)


def test_bad_optimizer_state_in_a_file_is_one_line(tmp_path):
    X, y = data("mse", [2, 3, 1])
    net = make(opt=("adam", {}))
    net.train_step(X, y, 0.05)
    path = save(net, tmp_path / "m.npz")
    with np.load(path) as f:
        arrays = dict(f)
    arrays["opt_m"] = arrays["opt_m"][:-1]
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match=r"m\.npz: optimizer state m has shape"):
        load(path)
    arrays["opt_m"] = np.full(net.n_params, np.nan)
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match="optimizer state m holds NaN"):
        load(path)
    del arrays["opt_m"]
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match="state m is missing"):
        load(path)


#: RMSProp at lr 0.02: near the minimum g/√s stays ±1, the steps oscillate and this net is
#: chaotic after ~40 steps (float rounding, equal to 1e-15 until then, grows to 1e-2 by step
#: 55, in the engine and in torch alike); at lr 0.002 the two agree to 2e-16 for 100 steps
@pytest.mark.parametrize("name,hyper,torch_hyper,lr", [
    ("momentum", {"beta": 0.9}, {"momentum": 0.9}, 0.02),
    ("momentum", {"beta": 0.9, "nesterov": True}, {"momentum": 0.9, "nesterov": True}, 0.02),
    ("adam", {"beta1": 0.9, "beta2": 0.99, "eps": 1e-8}, {"betas": (0.9, 0.99), "eps": 1e-8},
     0.02),
    ("rmsprop", {"rho": 0.9, "eps": 1e-8}, {"alpha": 0.9, "eps": 1e-8}, 0.002),
])
def test_matches_torch_optim_for_100_steps(name, hyper, torch_hyper, lr):
    torch = pytest.importorskip("torch")
    X, y = data("mse", [2, 4, 1], n=16)
    net = make(opt=(name, hyper), sizes=(2, 4, 1))
    params = [torch.tensor(a.copy(), requires_grad=True)
              for layer in net.layers for a in (layer.W, layer.b)]
    cls = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}.get(name, torch.optim.SGD)
    opt = cls(params, lr=lr, **torch_hyper)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for _ in range(100):
        net.train_step(X, y, lr)
        opt.zero_grad()
        a = torch.tanh(Xt @ params[0] + params[1]) @ params[2] + params[3]
        ((a - yt) ** 2).mean().backward()
        opt.step()
    theirs = np.concatenate([p.detach().numpy().ravel() for p in params])
    np.testing.assert_allclose(net.theta, theirs, rtol=0, atol=1e-10)

"""Stacked training (nn/stacked.py): R runs at once equal R separate runs."""
import numpy as np
import pytest

from nn import NeuralNetwork, datasets
from nn.activations import ACTIVATIONS
from nn.losses import MSE
from nn.stacked import StackedNetwork, estimate_bytes

CASES = [  # task, sizes, hidden, output, lrs, epochs
    ("xor", [2, 2, 1], "sigmoid", "sigmoid", [0.5, 5.0], 300),
    ("regression", [2, 16, 1], "sigmoid", "identity", [0.1, 0.3], 60),
    ("spiral", [2, 6, 5, 1], "tanh", "sigmoid", [0.5, 1.0], 60),
    ("circle", [2, 8, 1], "relu", "sigmoid", [1.0], 60),
]


def separate(task, sizes, hidden, output, runs, epochs):
    X, y = datasets.load_task(task)
    out = []
    for seed, lr in runs:
        net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=seed)
        out.append((net, net.fit(X, y, epochs, lr)))
    return out


@pytest.mark.parametrize("block", [None, 1, 2])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_stacked_equals_separate_runs(case, block):
    task, sizes, hidden, output, lrs, epochs = case
    runs = [(s, lr) for lr in lrs for s in (0, 1, 2)]
    X, y = datasets.load_task(task)
    stack = StackedNetwork.from_seeds(sizes, hidden, output, [s for s, _ in runs],
                                      [lr for _, lr in runs])
    fit = stack.fit(X, y, epochs, block=block)
    for r, (net, result) in enumerate(separate(task, sizes, hidden, output, runs, epochs)):
        mine = stack.network(r)
        assert mine.sizes == net.sizes and mine.activations == net.activations
        np.testing.assert_allclose(mine.theta, net.theta, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fit.losses[r], result.losses, rtol=1e-12, atol=0)
        assert fit.final_loss[r] == pytest.approx(result.final_loss, rel=1e-12)


def test_diverging_run_is_frozen_and_does_not_poison_the_others():
    X, y = datasets.load_task("regression")
    runs = [(0, 0.3), (0, 300.0), (1, 0.3)]
    stack = StackedNetwork.from_seeds([2, 16, 1], "sigmoid", "identity",
                                      [s for s, _ in runs], [lr for _, lr in runs])
    fit = stack.fit(X, y, 80)
    assert fit.diverged.tolist() == [False, True, False]
    for r, (net, result) in enumerate(separate("regression", [2, 16, 1], "sigmoid",
                                               "identity", runs, 80)):
        assert fit.epochs[r] == result.epochs
        np.testing.assert_allclose(stack.network(r).theta, net.theta, rtol=1e-12, atol=1e-12)
    assert result.stopped == "epochs" and np.isfinite(fit.losses[[0, 2]]).all()
    assert not np.isfinite(fit.final_loss[1]) and fit.diverged_at[1] == fit.epochs[1] - 1
    assert np.isfinite(stack.theta[1]).all() == stack.network(1).params_finite()


def test_the_losses_per_run_are_the_loss_of_each_run():
    rng = np.random.default_rng(0)
    y_hat, y = rng.normal(size=(3, 5, 2)), rng.normal(size=(5, 2))
    values, grad = MSE().per_run(y_hat.copy(), y)
    for r in range(3):
        value, g = MSE().value_and_gradient(y_hat[r], y)
        assert values[r] == pytest.approx(value, rel=1e-14)
        np.testing.assert_array_equal(grad[r], g)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_work_on_stacks(name):
    f = ACTIVATIONS[name]()
    z = np.random.default_rng(1).normal(size=(3, 4, 5)) * 3
    a, dA = f(z), np.ones_like(z) * 0.7
    assert a.shape == z.shape and f.delta(dA, z, a).shape == z.shape
    for r in range(3):
        np.testing.assert_array_equal(a[r], f(z[r]))
        np.testing.assert_array_equal(f.delta(dA, z, a)[r], f.delta(dA[r], z[r], a[r]))


def test_first_success_matches_a_single_run_checked_every_k_epochs():
    X, y = datasets.load_task("xor")
    k, epochs = 10, 1500
    stack = StackedNetwork.from_seeds([2, 2, 1], "sigmoid", "sigmoid", [0, 1, 2, 3], [5.0] * 4)
    fit = stack.fit(X, y, epochs, check_every=k,
                    check=lambda st, y_hat: ((y_hat > 0.5) == (y > 0.5)).all(axis=(1, 2)))
    for r, seed in enumerate([0, 1, 2, 3]):
        net = NeuralNetwork.from_sizes([2, 2, 1], "sigmoid", "sigmoid", seed=seed)
        first = -1
        for epoch in range(epochs + 1):
            if (epoch % k == 0 or epoch == epochs) and \
                    ((net.predict(X) > 0.5) == (y > 0.5)).all():
                first = epoch
                break
            if epoch < epochs:
                net.train_step(X, y, 5.0)
        assert fit.first_success[r] == first
    assert (fit.first_success >= 0).any()


def test_memory_estimate_grows_with_the_grid():
    small = estimate_bytes([2, 2, 1], 100, 4, 5000)
    assert small < 50e6 and estimate_bytes([2, 2, 1], 10 ** 7, 4, 5000) > 100 * small


@pytest.mark.parametrize("loss,sizes,output", [("mse", [2, 3, 2], "identity"),
                                               ("bce", [2, 3, 2], "sigmoid"),
                                               ("softmax-ce", [2, 4, 3], "softmax")])
def test_stacked_shares_the_losses_and_weight_decay(loss, sizes, output):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 2))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=9)]
    nets = [NeuralNetwork.from_sizes(sizes, "tanh", output, seed=s, loss=loss, weight_decay=0.05)
            for s in (0, 1)]
    stack = StackedNetwork([n.copy() for n in nets], [0.5, 0.2])
    fit = stack.fit(X, y, 20)
    for r, (net, lr) in enumerate(zip(nets, [0.5, 0.2])):
        result = net.fit(X, y, 20, lr)
        np.testing.assert_allclose(stack.network(r).theta, net.theta, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fit.losses[r], result.losses, rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="one optimizer and step count: gd and adam"):
        StackedNetwork([NeuralNetwork.from_sizes([2, 1]),
                        NeuralNetwork.from_sizes([2, 1], optimizer="adam")], 0.1)


OPTIMIZER_CASES = [("momentum", dict(beta=0.9)), ("momentum", dict(beta=0.8, nesterov=True)),
                   ("adam", dict()), ("adam", dict(beta1=0.8, beta2=0.99)),
                   ("rmsprop", dict()), ("rmsprop", dict(rho=0.5))]


@pytest.mark.parametrize("name,hyper", OPTIMIZER_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("block", [None, 2])
def test_stacked_momentum_and_adam_equal_separate_runs(name, hyper, block):
    from nn.optimizers import get_optimizer

    X, y = datasets.load_task("regression")
    lrs = [0.3, 0.05, 1e8, 0.01]               # lr 1e8 diverges (not Adam): its run freezes
    nets = [NeuralNetwork.from_sizes([2, 6, 1], "sigmoid", "identity", seed=s,
                                     optimizer=get_optimizer(name, **hyper), weight_decay=0.01)
            for s in range(4)]
    stack = StackedNetwork([n.copy() for n in nets], lrs)
    fit = stack.fit(X, y, 40, block=block)
    for r, (net, lr) in enumerate(zip(nets, lrs)):
        result = net.fit(X, y, 40, lr)
        mine = stack.network(r)
        np.testing.assert_allclose(mine.theta, net.theta, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fit.losses[r, :result.epochs], result.losses, rtol=1e-12)
        assert mine.optimizer.t == net.optimizer.t and fit.epochs[r] == result.epochs
        for slot, v in net.optimizer.state.items():
            np.testing.assert_allclose(mine.optimizer.state[slot], v, rtol=0, atol=1e-12)
    # (Adam's and RMSProp's steps are about lr·sign(g) whatever g is: lr 1e8 stays finite)
    assert fit.diverged.tolist() == [False, False, True, False] or name in ("adam", "rmsprop")


INIT_CASES = [("glorot-uniform", None), ("normal", 0.1), ("he", None), ("zeros", None),
              ("normal", None), ("default", None)]


def test_stacked_runs_draw_their_initial_weights_as_from_sizes_does():
    X, y = datasets.load_task("regression")
    seeds = [s for s in (0, 3) for _ in INIT_CASES]
    inits = [i for _ in (0, 3) for i, _ in INIT_CASES]
    sigmas = [sg for _ in (0, 3) for _, sg in INIT_CASES]
    stack = StackedNetwork.from_seeds([2, 5, 1], "tanh", "identity", seeds, 0.1, inits, sigmas)
    nets = [NeuralNetwork.from_sizes([2, 5, 1], "tanh", "identity", seed=s, init=i, sigma=sg)
            for s, i, sg in zip(seeds, inits, sigmas)]
    for r, net in enumerate(nets):
        np.testing.assert_allclose(stack.network(r).theta, net.theta, rtol=0, atol=1e-12)
    assert not np.allclose(nets[0].theta, nets[-1].theta)    # the schemes do differ
    fit = stack.fit(X, y, 15)
    for r, net in enumerate(nets):
        result = net.fit(X, y, 15, 0.1)
        np.testing.assert_allclose(stack.network(r).theta, net.theta, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fit.losses[r], result.losses, rtol=1e-12, atol=0)
    one = StackedNetwork.from_seeds([2, 2, 1], "sigmoid", "sigmoid", [0, 1], [1.0, 2.0], "he")
    np.testing.assert_array_equal(
        one.theta[1], NeuralNetwork.from_sizes([2, 2, 1], seed=1, init="he").theta)
    with pytest.raises(ValueError, match="2 seeds need 2 inits"):
        StackedNetwork.from_seeds([2, 1], "sigmoid", "sigmoid", [0, 1], 1.0, ["he"])


@pytest.mark.parametrize("task,sizes,output,lr", [("xor", [2, 2, 1], "sigmoid", 10.0),
                                                  ("regression", [2, 16, 1], "identity", 0.3)])
def test_stacked_runs_are_the_single_runs_bit_for_bit(task, sizes, output, lr):
    """A sweep promises that opening one of its runs in the debugger reproduces it.  XOR at
    lr 10 is chaotic enough that a product rounded another way (e.g. the bias folded into
    the first layer's product) ends some runs 0.2 apart in a weight after 5000 epochs, so
    the stack must give the very same bits as ``train_step``, not merely close numbers."""
    X, y = datasets.load_task(task)
    seeds = [0, 13, 29, 54]
    stack = StackedNetwork.from_seeds(sizes, "sigmoid", output, seeds, lr)
    fit = stack.fit(X, y, 30, block=3)
    for r, seed in enumerate(seeds):
        net = NeuralNetwork.from_sizes(sizes, "sigmoid", output, seed=seed)
        result = net.fit(X, y, 30, lr)
        np.testing.assert_array_equal(stack.network(r).theta, net.theta)
        # the loss is only reported (a mean over (N, K) per run, summed in another order)
        np.testing.assert_allclose(fit.losses[r], result.losses, rtol=1e-14, atol=0)


@pytest.mark.parametrize("name,hyper", [("momentum", dict(nesterov=True)), ("adam", dict()),
                                        ("rmsprop", dict())])
def test_stacked_optimizers_are_the_single_runs_bit_for_bit(name, hyper):
    from nn.optimizers import get_optimizer

    X, y = datasets.load_task("regression")
    lrs = [0.3, 0.05, 0.01]
    nets = [NeuralNetwork.from_sizes([2, 6, 1], "sigmoid", "identity", seed=s,
                                     optimizer=get_optimizer(name, **hyper), weight_decay=0.01)
            for s in range(3)]
    stack = StackedNetwork([n.copy() for n in nets], lrs)
    stack.fit(X, y, 40)
    for r, (net, lr) in enumerate(zip(nets, lrs)):
        net.fit(X, y, 40, lr)
        np.testing.assert_array_equal(stack.network(r).theta, net.theta)
        for slot, v in net.optimizer.state.items():
            np.testing.assert_array_equal(stack.network(r).optimizer.state[slot], v)

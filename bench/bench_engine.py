"""Time one full-batch training step of the engine (and PyTorch eager, if installed).

    python bench/bench_engine.py [--repeats 9]
    python bench/bench_engine.py --play     # the cost of playing's checks, per epoch
    python bench/bench_engine.py --batches  # spiral epochs/s, full batch and B = 16
    python bench/bench_engine.py --optimizers [--baseline DIR]
        # each optimizer's step vs the same step as bare NumPy calls; with
        # --baseline, also the default step of an older copy of the engine
        # (DIR holds a package folder nn_base/: a copy of nn/ taken before a change)

For each case: median µs per step over ``repeats`` runs of many steps, for the
engine's ``train_step``, for the same step hand-written as bare NumPy calls
(the floor: what the engine's classes cost on top), and for PyTorch.
PyTorch (optional, never a dependency) runs the same sizes with autograd and a
manual SGD update under ``torch.no_grad()``, with its default threads (as
NumPy's BLAS uses its own).  The three take turns, one run each, so a change in
the machine's speed (common on shared VMs) hits both alike; the ratio is the
median over runs of PyTorch time / engine time (higher is better for the engine).
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from nn import NeuralNetwork, Stepper
from nn.network import FiniteGuard

CASES = [
    # name, sizes, hidden, output, batch, dtype
    ("XOR 2–2–1", [2, 2, 1], "sigmoid", "sigmoid", 4, np.float64),
    ("regression 2–16–1", [2, 16, 1], "sigmoid", "identity", 400, np.float64),
    ("deep-narrow 2–32×6–1", [2] + [32] * 6 + [1], "tanh", "identity", 256, np.float64),
    # the same net with ReLU: no exp, so the gap to PyTorch's SIMD exp drops out
    ("deep-narrow, ReLU", [2] + [32] * 6 + [1], "relu", "identity", 256, np.float64),
    ("784–256–10 float32", [784, 256, 10], "relu", "identity", 256, np.float32),
]


#: Pause before each timed run: PyTorch's OpenMP threads keep spinning for up to
#: 200 ms after its work (KMP_BLOCKTIME) and would take the second core from
#: NumPy's BLAS threads running right after them.
IDLE_S = 0.25


def data(sizes, batch, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, sizes[0])).astype(dtype)
    y = rng.uniform(size=(batch, sizes[-1])).astype(dtype)
    return X, y


def steps_for(sizes, batch):
    work = sum(a * b for a, b in zip(sizes, sizes[1:])) * batch
    return max(20, min(5000, int(2e8 / max(work, 1) / 50)))


def time_turns(steps, n, repeats):
    """Time each step function ``n`` times per run, the functions taking turns;
    returns, per function, the list of µs per step of each run."""
    for step in steps:
        step()  # warm up
    runs = [[] for _ in steps]
    for _ in range(repeats):
        for step, times in zip(steps, runs):
            time.sleep(IDLE_S)
            for _ in range(max(1, n // 10)):  # wake the (virtual) CPU up again
                step()
            t = time.perf_counter()
            for _ in range(n):
                step()
            times.append((time.perf_counter() - t) / n * 1e6)
    return runs


def numpy_step(sizes, hidden, output, batch, dtype):
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype)
    X, y = data(sizes, batch, dtype)
    return lambda: net.train_step(X, y, 1e-3)


def handwritten_step(sizes, hidden, output, batch, dtype):
    """The same step as plain NumPy calls on bare arrays — no classes, no
    overflow guards: the floor against which the engine's overhead is measured."""
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype)
    Ws = [layer.W.copy() for layer in net.layers]
    bs = [layer.b.copy() for layer in net.layers]
    kinds = [hidden] * (len(Ws) - 1) + [output]
    X, y = data(sizes, batch, dtype)
    ones = np.ones(batch, dtype=dtype)

    def f(kind, z):
        if kind == "sigmoid":
            t = np.exp(np.negative(z))
            t += 1.0
            return np.reciprocal(t, out=t)
        if kind == "tanh":
            t = np.exp(np.multiply(z, -2.0))
            t += 1.0
            np.divide(2.0, t, out=t)
            t -= 1.0
            return t
        return np.maximum(z, 0) if kind == "relu" else z

    def delta(kind, dA, z, a):
        if kind == "sigmoid":
            d = np.subtract(1.0, a)
            d *= a
        elif kind == "tanh":
            d = np.multiply(a, a)
            np.subtract(1.0, d, out=d)
        elif kind == "relu":
            d = (z > 0).astype(dtype)
        else:
            return dA
        d *= dA
        return d

    def step():
        xs, zs, as_ = [], [], []
        a = X
        for W, b, kind in zip(Ws, bs, kinds):
            z = np.dot(a, W)
            z += b
            xs.append(a)
            zs.append(z)
            a = f(kind, z)
            as_.append(a)
        diff = a - y
        loss = float(np.vdot(diff, diff)) / diff.size
        dA = diff * (2.0 / diff.size)
        for i in range(len(Ws) - 1, -1, -1):
            d = delta(kinds[i], dA, zs[i], as_[i])
            dW, db = np.dot(xs[i].T, d), np.dot(ones, d)
            if i:
                dA = np.dot(d, Ws[i].T)
            Ws[i] -= 1e-3 * dW
            bs[i] -= 1e-3 * db
        return loss

    return step


def torch_step(sizes, hidden, output, batch, dtype):
    import torch

    torch.manual_seed(0)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "identity": lambda z: z}
    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        params.append(torch.randn(n_in, n_out, dtype=tdtype, requires_grad=True))
        params.append(torch.zeros(n_out, dtype=tdtype, requires_grad=True))
    X, y = (torch.from_numpy(a) for a in data(sizes, batch, dtype))
    n_layers = len(sizes) - 1

    def step():
        a = X
        for i in range(n_layers):
            f = acts[output] if i == n_layers - 1 else acts[hidden]
            a = f(a @ params[2 * i] + params[2 * i + 1])
        loss = ((a - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 1e-3 * p.grad
                p.grad = None
        return loss

    return step


#: optimizers timed by ``--optimizers``: name, hyper-parameters
OPTIMIZER_CASES = [("gd", {}), ("momentum", {"beta": 0.9}),
                   ("momentum", {"beta": 0.9, "nesterov": True}), ("adam", {})]


def optimizer_step(sizes, hidden, output, batch, dtype, name, hyper, engine=None):
    """The engine's ``train_step`` with optimizer ``name`` (``engine``: another copy
    of the nn package, for the baseline; it must take the default optimizer)."""
    if engine is not None:
        net = engine.NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype)
    else:
        from nn import get_optimizer
        net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype,
                                       optimizer=get_optimizer(name, **hyper))
    X, y = data(sizes, batch, dtype)
    return lambda: net.train_step(X, y, 1e-3)


def handwritten_optimizer_step(sizes, hidden, output, batch, dtype, name, hyper):
    """The same step as bare NumPy calls: ``handwritten_step``'s forward/backward
    writing into one flat gradient vector, then the optimizer's update written
    out on flat vectors (θ, v; m, v for Adam)."""
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype)
    theta = net.theta.copy()
    grad = np.zeros_like(theta)
    Ws, bs = zip(*net.layout.split(theta))    # views, laid out as θ
    dWs, dbs = zip(*net.layout.split(grad))
    kinds = [hidden] * (len(Ws) - 1) + [output]
    X, y = data(sizes, batch, dtype)
    ones = np.ones(batch, dtype=dtype)
    v, m = np.zeros_like(theta), np.zeros_like(theta)
    beta = hyper.get("beta", 0.9)
    b1, b2, eps = 0.9, 0.999, 1e-8
    t = [0]
    lr = 1e-3
    kept = []

    def f(kind, z):  # with the engine's cap on the exponent (nn/activations.py)
        if kind == "sigmoid":
            t_ = np.minimum(np.negative(z), 500.0)
            t_ = np.exp(t_, out=t_)
            t_ += 1.0
            return np.reciprocal(t_, out=t_)
        if kind == "tanh":
            t_ = np.minimum(np.multiply(z, -2.0), 500.0)
            t_ = np.exp(t_, out=t_)
            t_ += 1.0
            np.divide(2.0, t_, out=t_)
            t_ -= 1.0
            return t_
        return np.maximum(z, 0) if kind == "relu" else z

    def delta(kind, dA, z, a):
        if kind == "sigmoid":
            d = np.subtract(1.0, a)
            d *= a
        elif kind == "tanh":
            d = np.multiply(a, a)
            np.subtract(1.0, d, out=d)
        elif kind == "relu":
            d = (z > 0).astype(dtype)
        else:
            return dA.copy()
        d *= dA
        return d

    def step():
        nonlocal theta, v, m
        xs, zs, as_ = [], [], []
        a = X
        for W, b, kind in zip(Ws, bs, kinds):
            z = np.dot(a, W)
            z += b
            xs.append(a)
            zs.append(z)
            a = f(kind, z)
            as_.append(a)
        diff = a - y
        loss = float(np.vdot(diff, diff)) / diff.size
        diff *= 2.0 / diff.size
        dA = diff
        for i in range(len(Ws) - 1, -1, -1):
            d = delta(kinds[i], dA, zs[i], as_[i])
            np.dot(xs[i].T, d, out=dWs[i])
            np.dot(ones, d, out=dbs[i])
            if i:
                dA = np.dot(d, Ws[i].T)
        if name == "gd":
            theta -= lr * grad
        elif name == "momentum":
            v *= beta
            v += grad
            if hyper.get("nesterov"):
                theta -= lr * (grad + beta * v)
            else:
                theta -= lr * v
        else:
            t[0] += 1
            m *= b1
            m += (1.0 - b1) * grad
            v *= b2
            v += (1.0 - b2) * grad * grad
            denom = np.sqrt(v)
            denom /= (1.0 - b2 ** t[0]) ** 0.5
            denom += eps
            theta -= (lr / (1.0 - b1 ** t[0])) * m / denom
        kept[:] = zs, as_  # hold this step's arrays until the next, as the engine's layers do
        return loss

    return step


def main_optimizers(repeats: int, baseline: str | None) -> None:
    engine = None
    if baseline:
        import importlib
        import sys

        sys.path.insert(0, baseline)
        engine = importlib.import_module("nn_base")
    # µs: medians over runs; ratios: of the fastest runs (least disturbed by other
    # work on a shared machine), then the median over runs of the per-run ratio
    head = ("| case | optimizer | engine µs/step | bare NumPy µs/step "
            "| engine ÷ bare (fastest; median) |")
    if engine is not None:
        head += " baseline engine µs/step | engine ÷ baseline (fastest; median) |"
    print(head)
    print("|---|---|---:|---:|---:|" + ("---:|---:|" if engine is not None else ""))
    for case_name, sizes, hidden, output, batch, dtype in CASES:
        if case_name not in ("regression 2–16–1", "deep-narrow 2–32×6–1"):
            continue
        case = (sizes, hidden, output, batch, dtype)
        for name, hyper in OPTIMIZER_CASES:
            steps = [optimizer_step(*case, name, hyper),
                     handwritten_optimizer_step(*case, name, hyper)]
            with_base = engine is not None and name == "gd"
            if with_base:
                steps.append(optimizer_step(*case, name, hyper, engine=engine))
            runs = time_turns(steps, steps_for(sizes, batch), repeats)
            ours, floor = (statistics.median(r) for r in runs[:2])
            ratio = statistics.median(o / f for o, f in zip(runs[0], runs[1]))
            best = min(runs[0]) / min(runs[1])
            label = name + (" (nesterov)" if hyper.get("nesterov") else "")
            row = (f"| {case_name} (N={batch}) | {label} | {ours:.1f} | {floor:.1f} "
                   f"| {best:.3f}; {ratio:.3f} |")
            if with_base:
                base = statistics.median(runs[2])
                base_ratio = statistics.median(o / b for o, b in zip(runs[0], runs[2]))
                row += f" {base:.1f} | {min(runs[0]) / min(runs[2]):.3f}; {base_ratio:.3f} |"
            elif engine is not None:
                row += " – | – |"
            print(row)


def main_batches(repeats: int) -> None:
    """Epochs per second of playing (``Stepper.run_epochs``) on spiral (N = 400),
    full batch and mini-batches of 16 (25 steps an epoch), per optimizer."""
    from nn import datasets, get_optimizer

    X, y = datasets.load_task("spiral")
    print("| spiral 2–16–16–1 tanh/sigmoid (N=400) | optimizer | full batch epochs/s "
          "| B=16 epochs/s | B=16 steps/s |")
    print("|---|---|---:|---:|---:|")
    for name, hyper in OPTIMIZER_CASES:
        rates = []
        for batch, epochs in ((None, 200), (16, 20)):
            net = NeuralNetwork.from_sizes([2, 16, 16, 1], "tanh", "sigmoid", seed=0,
                                           optimizer=get_optimizer(name, **hyper))
            stepper = Stepper(net, X, y, 0.5, batch=batch, history_bytes=2**20)
            stepper.run_epochs(2)
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                stepper.run_epochs(epochs)
                times.append((time.perf_counter() - t) / epochs)
            rates.append(1 / statistics.median(times))
        label = name + (" (nesterov)" if hyper.get("nesterov") else "")
        print(f"| | {label} | {rates[0]:.0f} | {rates[1]:.0f} | {rates[1] * 25:.0f} |")


#: epochs per timed call of ``Stepper.run_epochs`` in ``--play``
PLAY_CHUNK = 50


def play_steps(sizes, hidden, output, batch, dtype):
    """Three ways to run one epoch: ``train_step`` + the θ-only NaN check playing
    used before (``params_finite``), ``train_step`` + :class:`FiniteGuard` (which
    also covers every layer's z and a), and ``Stepper.run_epochs`` (guard, θ
    snapshot, changes, loss history), ``PLAY_CHUNK`` epochs per call."""
    X, y = data(sizes, batch, dtype)
    nets = [NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype) for _ in range(3)]
    guard = FiniteGuard(nets[1], X)
    stepper = Stepper(nets[2], X, y, 1e-3, history_bytes=2**20)

    def old():
        loss = nets[0].train_step(X, y, 1e-3)
        return nets[0].params_finite() and loss

    def new():
        loss = nets[1].train_step(X, y, 1e-3)
        return guard.after_step(loss, 0) is None and loss

    def play():
        stepper.run_epochs(PLAY_CHUNK)

    return [old, new, play]


def main_play(repeats: int) -> None:
    print("| case | train_step + params_finite µs | + FiniteGuard µs | guard cost "
          "| run_epochs µs/epoch |")
    print("|---|---:|---:|---:|---:|")
    for name, sizes, hidden, output, batch, dtype in CASES:
        case = (sizes, hidden, output, batch, dtype)
        n = steps_for(sizes, batch)
        runs = time_turns(play_steps(*case), n, repeats)
        old, new = statistics.median(runs[0]), statistics.median(runs[1])
        ratio = statistics.median(b / a for a, b in zip(runs[0], runs[1]))
        play = statistics.median(runs[2]) / PLAY_CHUNK
        print(f"| {name} (N={batch}) | {old:.1f} | {new:.1f} | {100 * (ratio - 1):+.1f} % "
              f"| {play:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--play", action="store_true",
                        help="time playing's per-epoch checks instead of the engine vs PyTorch")
    parser.add_argument("--optimizers", action="store_true",
                        help="time each optimizer's step against the same step in bare NumPy")
    parser.add_argument("--batches", action="store_true",
                        help="epochs/s of playing spiral with mini-batches of 16, per optimizer")
    parser.add_argument("--baseline", metavar="DIR",
                        help="with --optimizers: a folder holding nn_base/, an older engine copy")
    args = parser.parse_args()
    if args.play:
        main_play(args.repeats)
        return
    if args.optimizers:
        main_optimizers(args.repeats, args.baseline)
        return
    if args.batches:
        main_batches(args.repeats)
        return
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = "not installed"
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}, "
                         f"{i['num_threads']} threads)" for i in threadpool_info())
    except ImportError:
        blas = "threadpoolctl not installed"
    print(f"machine: {platform.machine()} {platform.processor() or ''}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch_version}")
    print(f"BLAS: {blas}")
    print()
    print("| case | engine µs/step | hand-written NumPy µs/step | PyTorch µs/step "
          "| PyTorch ÷ engine |")
    print("|---|---:|---:|---:|---:|")
    for name, sizes, hidden, output, batch, dtype in CASES:
        case = (sizes, hidden, output, batch, dtype)
        steps = [numpy_step(*case), handwritten_step(*case)]
        if torch is not None:
            steps.append(torch_step(*case))
        runs = time_turns(steps, steps_for(sizes, batch), args.repeats)
        ours, floor = (statistics.median(r) for r in runs[:2])
        row = f"| {name} (N={batch}) | {ours:.1f} | {floor:.1f} |"
        if torch is None:
            print(f"{row} – | – |")
            continue
        theirs = statistics.median(runs[2])
        ratio = statistics.median(t / o for o, t in zip(runs[0], runs[2]))
        print(f"{row} {theirs:.1f} | {ratio:.2f}× |")

if __name__ == "__main__":
    main()

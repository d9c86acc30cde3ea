"""Time one full-batch training step of the engine (and PyTorch eager, if installed).

    python bench/bench_engine.py [--repeats 9]
    python bench/bench_engine.py --play     # the cost of playing's checks, per epoch

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
    args = parser.parse_args()
    if args.play:
        main_play(args.repeats)
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

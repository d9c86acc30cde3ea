"""Time one full-batch training step of the engine (and PyTorch eager, if installed).

    python bench/bench_engine.py [--repeats 7]

For each case: median µs per step over ``repeats`` runs of many steps.
PyTorch (optional, never a dependency) runs the same sizes with autograd and a
manual SGD update under ``torch.no_grad()``, with its default threads (as
NumPy's BLAS uses its own).  Ratio = PyTorch time / engine time (higher is better for the engine).
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from nn import NeuralNetwork

CASES = [
    # name, sizes, hidden, output, batch, dtype
    ("XOR 2–2–1", [2, 2, 1], "sigmoid", "sigmoid", 4, np.float64),
    ("regression 2–16–1", [2, 16, 1], "sigmoid", "identity", 400, np.float64),
    ("deep-narrow 2–32×6–1", [2] + [32] * 6 + [1], "tanh", "identity", 256, np.float64),
    ("784–256–10 float32", [784, 256, 10], "relu", "identity", 256, np.float32),
]


def data(sizes, batch, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, sizes[0])).astype(dtype)
    y = rng.uniform(size=(batch, sizes[-1])).astype(dtype)
    return X, y


def steps_for(sizes, batch):
    work = sum(a * b for a, b in zip(sizes, sizes[1:])) * batch
    return max(20, min(5000, int(2e8 / max(work, 1) / 50)))


def time_it(step, n, repeats):
    step()  # warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            step()
        times.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(times)


def bench_numpy(sizes, hidden, output, batch, dtype, repeats):
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=0, dtype=dtype)
    X, y = data(sizes, batch, dtype)
    return time_it(lambda: net.train_step(X, y, 1e-3), steps_for(sizes, batch), repeats)


def bench_torch(sizes, hidden, output, batch, dtype, repeats):
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

    return time_it(step, steps_for(sizes, batch), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
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
    print("| case | engine µs/step | PyTorch µs/step | PyTorch ÷ engine |")
    print("|---|---:|---:|---:|")
    for name, sizes, hidden, output, batch, dtype in CASES:
        ours = bench_numpy(sizes, hidden, output, batch, dtype, args.repeats)
        if torch is not None:
            theirs = bench_torch(sizes, hidden, output, batch, dtype, args.repeats)
            print(f"| {name} (N={batch}) | {ours:.1f} | {theirs:.1f} | {theirs / ours:.2f}× |")
        else:
            print(f"| {name} (N={batch}) | {ours:.1f} | – | – |")


if __name__ == "__main__":
    main()

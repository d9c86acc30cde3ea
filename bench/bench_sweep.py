"""Sweeps: R networks trained stacked vs one after another.

    python bench/bench_sweep.py [--runs 100] [--repeats 3]

Cases: 100 XOR 2–2–1 nets × 5000 epochs (seeds 0–99, lr 5; and with Adam, lr 0.05,
and with --init glorot-uniform) and 100 regression 2–16–1 nets × 500 epochs (lr 0.3).
For each: the single-run engine
(``NeuralNetwork.fit``, one run after another), ``StackedNetwork.fit`` (nn/stacked.py),
and, when PyTorch is installed (optional, never a dependency), the same stacked step
with ``torch.bmm`` and a manual update.  Takes turns per repeat; reports the
median seconds and the ratio single ÷ stacked.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from nn import NeuralNetwork, datasets  # noqa: E402
from nn.stacked import StackedNetwork  # noqa: E402

CASES = [  # name, task, sizes, output, lr, epochs, target ratio, optimizer, init
    ("XOR 2–2–1", "xor", [2, 2, 1], "sigmoid", 5.0, 5000, 20, "gd", "default"),
    ("XOR 2–2–1, Adam", "xor", [2, 2, 1], "sigmoid", 0.05, 5000, 20, "adam", "default"),
    ("XOR 2–2–1, glorot-uniform", "xor", [2, 2, 1], "sigmoid", 5.0, 5000, 20, "gd",
     "glorot-uniform"),
    ("regression 2–16–1", "regression", [2, 16, 1], "identity", 0.3, 500, 2, "gd", "default"),
]


def nets(sizes, output, runs, optimizer, init):
    return [NeuralNetwork.from_sizes(sizes, "sigmoid", output, seed=s, optimizer=optimizer,
                                     init=init) for s in range(runs)]


def single(task, sizes, output, lr, epochs, runs, optimizer, init):
    X, y = datasets.load_task(task)
    for net in nets(sizes, output, runs, optimizer, init):
        net.fit(X, y, epochs, lr)


def stacked(task, sizes, output, lr, epochs, runs, optimizer, init):
    X, y = datasets.load_task(task)
    StackedNetwork(nets(sizes, output, runs, optimizer, init), lr).fit(X, y, epochs)


def torch_stacked(task, sizes, output, lr, epochs, runs, optimizer, init):
    import torch

    if optimizer != "gd" or init != "default":
        return False   # (the manual torch step below is plain gradient descent)

    X, y = datasets.load_task(task)
    nets = [NeuralNetwork.from_sizes(sizes, "sigmoid", output, seed=s) for s in range(runs)]
    Ws = [torch.tensor(np.stack([n.layers[l].W for n in nets])) for l in range(len(sizes) - 1)]
    bs = [torch.tensor(np.stack([n.layers[l].b[None] for n in nets])) for l in range(len(sizes) - 1)]
    Xt = torch.tensor(X).expand(runs, *X.shape)
    yt = torch.tensor(y)
    with torch.no_grad():
        for _ in range(epochs):
            acts, a = [Xt], Xt
            for l, (W, b) in enumerate(zip(Ws, bs)):
                z = torch.baddbmm(b, a, W)
                a = torch.sigmoid(z) if l < len(Ws) - 1 or output == "sigmoid" else z
                acts.append(a)
            dA = (a - yt) * (2.0 / y.size)
            for l in range(len(Ws) - 1, -1, -1):
                out = acts[l + 1]
                delta = dA * out * (1 - out) if l < len(Ws) - 1 or output == "sigmoid" else dA
                if l:
                    dA = torch.bmm(delta, Ws[l].transpose(1, 2))
                Ws[l] -= lr * torch.bmm(acts[l].transpose(1, 2), delta)
                bs[l] -= lr * delta.sum(dim=1, keepdim=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401

        kinds = {"single": single, "stacked": stacked, "torch": torch_stacked}
    except ImportError:
        kinds = {"single": single, "stacked": stacked}
    print(f"NumPy {np.__version__}; {args.runs} runs per case; median of {args.repeats}")
    print("| case | epochs | one after another s | stacked s | ratio | target | PyTorch bmm s |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for name, task, sizes, output, lr, epochs, target, optimizer, init in CASES:
        times = {k: [] for k in kinds}
        for _ in range(args.repeats):
            for kind, fn in kinds.items():
                start = time.perf_counter()
                if fn(task, sizes, output, lr, epochs, args.runs, optimizer, init) is False:
                    continue
                times[kind].append(time.perf_counter() - start)
                time.sleep(0.25)
        med = {k: statistics.median(v) for k, v in times.items() if v}
        ratio = med["single"] / med["stacked"]
        torch_s = f"{med['torch']:.3f}" if "torch" in med else "—"
        print(f"| {name} | {epochs} | {med['single']:.3f} | {med['stacked']:.3f} | "
              f"{ratio:.1f}× | ≥ {target}× {'✓' if ratio >= target else '✗'} | {torch_s} |",
              flush=True)


if __name__ == "__main__":
    main()

"""Sweeps: R networks trained stacked vs one after another.

    python bench/bench_sweep.py [--runs 100] [--repeats 3]

Cases: 100 XOR 2–2–1 nets × 5000 epochs (seeds 0–99, lr 5; and with Adam, lr 0.05,
and with --init glorot-uniform) and 100 regression 2–16–1 nets × 500 epochs (lr 0.3).
For each: the single-run engine
(``NeuralNetwork.fit``, one run after another), ``StackedNetwork.fit`` (nn/stacked.py),
and, when PyTorch is installed (optional, never a dependency), the same stacked step
with ``torch.bmm`` and a manual update.  Takes turns per repeat; reports the
median seconds and the ratio single ÷ stacked.

"bare floor" is the same stacked training hand-written as the fewest NumPy calls
this pure-NumPy engine could make for one hidden sigmoid layer, plain gradient
descent and MSE (buffers reused, bias folded into the products, nothing checked or
recorded): no engine built from NumPy calls can be faster than it, so
single ÷ floor is the most stacking can give for that case.
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


def bare_floor(task, sizes, output, lr, epochs, runs, optimizer, init):
    """Stacked gradient descent for [n_in, H, K] sigmoid/``output`` nets on MSE, as the
    fewest NumPy passes: z = [X | 1]·[W¹; b¹]; a = σ(z) in place; ŷ; δ; the products."""
    if optimizer != "gd" or init != "default" or len(sizes) != 3:
        return False
    X, y = datasets.load_task(task)
    layers = [n.layers for n in nets(sizes, output, runs, optimizer, init)]
    Wb1 = np.stack([np.vstack([l[0].W, l[0].b]) for l in layers])       # (R, n_in + 1, H)
    W2 = np.stack([l[1].W for l in layers])                              # (R, H, K)
    b2 = np.stack([l[1].b[None] for l in layers])                        # (R, 1, K)
    R, N, K = runs, len(X), sizes[2]
    X1 = np.hstack([X, np.ones((N, 1))])
    X1T = np.ascontiguousarray(X1.T)
    z, s = np.empty((R, N, sizes[1])), np.empty((R, N, sizes[1]))
    out, d1 = np.empty((R, N, K)), np.empty((R, N, sizes[1]))
    dWb1, dW2 = np.empty_like(Wb1), np.empty_like(W2)
    for _ in range(epochs):
        np.matmul(X1, Wb1, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1.0
        a = np.reciprocal(z, out=z)
        np.matmul(a, W2, out=out)
        out += b2
        if output == "sigmoid":
            np.negative(out, out=out)
            np.exp(out, out=out)
            out += 1.0
            np.reciprocal(out, out=out)
        r = out - y
        r *= 2.0 / (N * K)
        if output == "sigmoid":
            r *= out * (1.0 - out)
        np.matmul(np.swapaxes(a, 1, 2), r, out=dW2)
        db2 = r.sum(axis=1, keepdims=True)
        np.matmul(r, np.swapaxes(W2, 1, 2), out=d1)
        np.subtract(1.0, a, out=s)
        s *= a
        d1 *= s
        np.matmul(X1T, d1, out=dWb1)
        Wb1 -= lr * dWb1
        W2 -= lr * dW2
        b2 -= lr * db2
    return Wb1, W2, b2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401

        kinds = {"single": single, "stacked": stacked, "floor": bare_floor,
                 "torch": torch_stacked}
    except ImportError:
        kinds = {"single": single, "stacked": stacked, "floor": bare_floor}
    print(f"NumPy {np.__version__}; {args.runs} runs per case; median of {args.repeats}")
    print("| case | epochs | one after another s | stacked s | ratio | target | bare floor s "
          "(ratio) | PyTorch bmm s |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
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
        floor = (f"{med['floor']:.3f} ({med['single'] / med['floor']:.1f}×)"
                 if "floor" in med else "—")
        print(f"| {name} | {epochs} | {med['single']:.3f} | {med['stacked']:.3f} | "
              f"{ratio:.1f}× | ≥ {target}× {'✓' if ratio >= target else '✗'} | {floor} | "
              f"{torch_s} |", flush=True)


if __name__ == "__main__":
    main()

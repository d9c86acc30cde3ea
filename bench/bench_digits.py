"""Digits: the engine's headless training against a bare-NumPy floor, per seed, same run.

    python bench/bench_digits.py [--seeds 0-9] [--epochs N] [--activation relu|tanh] [--lr LR]

For each seed: the bare-NumPy 64–32–10 loop (the floor: the same Adam, mini-batch 32,
softmax + cross-entropy, written as plain array calls) and then ``NeuralNetwork.fit`` on
the same split, one after the other, so a busy shared machine slows both alike.  Prints
epochs, seconds and test accuracy of each, and the ratio engine time / floor time.
The engine runs exactly what ``tinynet-tui train --task digits`` runs (the preset).
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from tui.core.config import build, task_config


def floor(X, y, Xt, yt, hidden, epochs, lr, seed, activation, decay=0.0):
    """Bare NumPy: He/Xavier-like init, Adam (β 0.9/0.999), batch 32, weight decay λ on the
    weights (as the engine: λ·W added to dW); test accuracy."""
    rng = np.random.default_rng(seed)
    n_in, n_out = X.shape[1], y.shape[1]
    W1 = rng.normal(0, np.sqrt(2 / n_in), (n_in, hidden)); b1 = np.zeros(hidden)
    W2 = rng.normal(0, np.sqrt(1 / hidden), (hidden, n_out)); b2 = np.zeros(n_out)
    params = [W1, b1, W2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0
    for epoch in range(epochs):
        order = np.random.default_rng([seed, epoch]).permutation(len(X))
        for i in range(0, len(X), 32):
            idx = order[i:i + 32]
            xb, yb = X[idx], y[idx]
            z1 = xb @ W1 + b1
            a1 = np.maximum(z1, 0) if activation == "relu" else np.tanh(z1)
            z2 = a1 @ W2 + b2
            e = np.exp(z2 - z2.max(1, keepdims=True))
            p = e / e.sum(1, keepdims=True)
            d2 = (p - yb) / len(xb)
            d1 = (d2 @ W2.T) * ((z1 > 0) if activation == "relu" else 1 - a1 ** 2)
            grads = [xb.T @ d1 + decay * W1, d1.sum(0), a1.T @ d2 + decay * W2, d2.sum(0)]
            t += 1
            for k, (prm, g) in enumerate(zip(params, grads)):
                m[k] = 0.9 * m[k] + 0.1 * g
                v[k] = 0.999 * v[k] + 0.001 * g * g
                prm -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    z1 = Xt @ W1 + b1
    a1 = np.maximum(z1, 0) if activation == "relu" else np.tanh(z1)
    return float(np.mean((a1 @ W2 + b2).argmax(1) == yt.argmax(1)))


def seeds_of(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0-9")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--activation")
    ap.add_argument("--lr", type=float)
    ap.add_argument("--hidden", type=int)
    ap.add_argument("--weight-decay", type=float)
    ap.add_argument("--no-floor", action="store_true", help="the engine only (quicker)")
    args = ap.parse_args()
    rows = []
    for seed in seeds_of(args.seeds):
        changes = dict(seed=seed, epochs=args.epochs, lr=args.lr, activation=args.activation,
                       hidden=None if args.hidden is None else (args.hidden,))
        if args.weight_decay is not None:
            changes["weight_decay"] = args.weight_decay
        cfg = task_config("digits", **changes)
        problem = build(cfg)
        c = problem.config
        t0 = time.perf_counter()
        acc_floor = math.nan if args.no_floor else floor(
            problem.X, problem.y, problem.X_test, problem.y_test, c.hidden[0], c.epochs, c.lr,
            seed, c.activation, c.weight_decay)
        t_floor = time.perf_counter() - t0 or math.nan
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            problem.net.fit(problem.X, problem.y, epochs=c.epochs, lr=c.lr, batch=c.batch)
        t_engine = time.perf_counter() - t0
        acc = problem.test_score()[1]
        rows.append((seed, c.epochs, t_floor, acc_floor, t_engine, acc))
        print(f"seed {seed}: {c.epochs} epochs  floor {t_floor:5.2f} s {acc_floor:6.1%}   "
              f"engine {t_engine:5.2f} s {acc:6.1%}   engine/floor {t_engine / t_floor:4.2f}",
              flush=True)
    accs = [r[5] for r in rows]
    print(f"{c.describe() if hasattr(c, 'describe') else ''}engine: median test accuracy "
          f"{statistics.median(accs):.1%}, worst {min(accs):.1%}, max time "
          f"{max(r[4] for r in rows):.2f} s; floor: median {statistics.median(r[3] for r in rows):.1%}"
          f", max time {max(r[2] for r in rows):.2f} s; median ratio "
          f"{statistics.median(r[4] / r[2] for r in rows):.2f}")


if __name__ == "__main__":
    main()

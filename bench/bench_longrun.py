"""Play XOR headless for a million epochs, the way the app does, and watch memory and speed.

    python bench/bench_longrun.py [--epochs 1000000] [--window 60]

The app's play worker runs ``Stepper.run_epochs`` in chunks of about 6 ms and
then rests 6 ms; its 24 Hz redraw timer (at most ~20 redraws/s) reads the loss
chart's data.  This does the same in one thread: chunks sized to take
``CHUNK_S``, a ``LossHistory.envelope(240)`` call whenever 1/20 s has passed,
and the rest (``--rest``, 6 ms by default; the rest is not counted as work).

Reported: RSS (``/proc/self/status`` VmRSS; VmHWM for the peak) at the start
and every ``--window`` seconds, and epochs/s over the first and the last
window (wall-clock, rests included, as a user sees the counter move).  Targets:
RSS < 250 MB, last-window epochs/s ≥ 80 % of the first.
"""
from __future__ import annotations

import argparse
import io
import re
import time
from contextlib import redirect_stdout

import numpy as np

from nn import NeuralNetwork, Stepper, datasets

CHUNK_S = 0.006
REDRAW_S = 1 / 20


def rss_mb(field: str = "VmRSS") -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # fallback: peak only (kB on Linux)

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def simd_line() -> str:
    """The SIMD part of ``numpy.show_runtime()`` (baseline and found extensions)."""
    buf = io.StringIO()
    try:
        with redirect_stdout(buf):
            np.show_runtime()
    except Exception as exc:  # (needs threadpoolctl for the BLAS part only)
        return f"numpy.show_runtime() failed: {exc}"
    text = buf.getvalue()
    found = re.search(r"'found':\s*\[([^\]]*)\]", text, re.S)
    base = re.search(r"'baseline':\s*\[([^\]]*)\]", text, re.S)
    names = {"X86_V3": "X86_V3 = AVX2", "X86_V4": "X86_V4 = AVX512"}

    def items(m):
        return [names.get(s.strip(" '\n"), s.strip(" '\n")) for s in m.group(1).split(",")] \
            if m else []
    return f"SIMD baseline {', '.join(items(base))}; found {', '.join(items(found))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1_000_000)
    parser.add_argument("--window", type=float, default=60.0,
                        help="seconds per measuring window (first vs last)")
    parser.add_argument("--rest", type=float, default=0.006, help="seconds of rest after a chunk")
    args = parser.parse_args()

    X, y = datasets.xor()
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    stepper = Stepper(net, X, y, lr=5.0)
    print(simd_line())
    print(f"start: RSS {rss_mb():.1f} MB")

    samples = []  # (time, epochs done)
    t0 = last_redraw = time.perf_counter()
    next_report = t0 + args.window
    per_epoch, envelopes, envelope_s = 2e-5, 0, 0.0
    while stepper.epoch < args.epochs and stepper.halted is None:
        n = max(1, min(args.epochs - stepper.epoch, int(CHUNK_S / per_epoch)))
        t = time.perf_counter()
        ran = stepper.run_epochs(n)
        per_epoch = max(1e-7, (time.perf_counter() - t) / max(ran, 1))
        now = time.perf_counter()
        samples.append((now - t0, stepper.epoch))
        if now - last_redraw >= REDRAW_S:
            t = time.perf_counter()
            stepper.losses.envelope(240)
            envelope_s += time.perf_counter() - t
            envelopes += 1
            last_redraw = now
        if now >= next_report:
            print(f"{now - t0:6.0f} s: epoch {stepper.epoch:>8,}  RSS {rss_mb():.1f} MB")
            next_report += args.window
        if args.rest:
            time.sleep(args.rest)
    total = time.perf_counter() - t0
    samples.append((total, stepper.epoch))

    window = min(args.window, total / 4)

    def rate(a: float, b: float) -> float:
        ts = np.array([s[0] for s in samples])
        es = np.array([s[1] for s in samples])
        i, j = np.searchsorted(ts, a), np.searchsorted(ts, b, side="right") - 1
        return (es[j] - es[i]) / max(ts[j] - ts[i], 1e-9)

    first, last = rate(0.0, window), rate(total - window, total)
    print(f"end: {stepper.epoch:,} epochs in {total:.1f} s; RSS {rss_mb():.1f} MB, "
          f"peak {rss_mb('VmHWM'):.1f} MB; loss history {stepper.losses.nbytes / 1024:.0f} KiB, "
          f"epoch snapshots {stepper.history.nbytes / 2**20:.1f} MiB")
    print(f"epochs/s: first {window:.0f} s {first:,.0f}, last {window:.0f} s {last:,.0f} "
          f"({100 * last / first:.0f} %)")
    print(f"envelope(240): {envelopes} calls, {1e6 * envelope_s / max(envelopes, 1):.0f} µs each")


if __name__ == "__main__":
    main()

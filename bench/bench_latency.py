"""Key-to-screen latency in a real terminal (a pty), deep network beside a small one.

    python bench/bench_latency.py                  # 1 000-layer and 2–2–1 xor models, 120×40
    python bench/bench_latency.py --rounds 7 --size 120x40 --layers 1000

Each model is saved with :func:`nn.io.save` (task ``xor``) and opened the way a user opens it,
``tinynet-tui --load FILE``, in a pseudo-terminal through :mod:`bench.bench_pty`'s launcher.
After the first screen, each key is written to the pty and timed until the last byte of its
answer arrived: output read until it has been quiet for ``--quiet`` seconds (default 0.15),
the latency being the time of the last byte read (the quiet wait itself is not counted).
Keys are sent in rounds, the two apps alternately (one key each, in turn), so the machine's
load hits both alike; the medians per key are printed side by side.

Keys: n (step), b (step back), g (granularity), ↓ ↑ → ← (select), ] [ (select layer),
m (large map on / off), f (fork; up to 4 branches, then a message): the first ``m`` and ``f``
of a run are timed apart as ``m first`` and ``f first``.

``--before DIR``: also run the apps of another checkout (e.g. ``git archive`` of the commit
before a change), interleaved with this one's in the same rounds: before and after side by side.

``--pilot``: the same keys under Textual's Pilot (no terminal; key to the frame drawn), in
this process, for the same two networks (the in-process side of ``tests/test_long_work.py``).

``--frames``: no terminal, no keys: :func:`tui.view.frame.build_frame`'s CPU time per frame
for the same two networks at the panel sizes of a 120×40 screen, "redraw" (the weights
unchanged: a selection, ``g``, a redraw; with the neuron view) and "playing" (the weights
changed before each frame; no neuron view, as while playing).  Each tree (this one and
``--before``'s) runs in its own process, in turns, ``--rounds`` times; each figure is the best
of 7 runs of 40 frames (``thread_time``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pty import LAUNCHER, Screen, _wait_ready, spawn, stop  # noqa: E402

#: (name, bytes) in the order of one round
KEYS = (("n", b"n"), ("b", b"b"), ("g", b"g"), ("down", b"\x1b[B"), ("up", b"\x1b[A"),
        ("right", b"\x1b[C"), ("left", b"\x1b[D"), ("]", b"]"), ("[", b"["),
        ("m", b"m"), ("f", b"f"))


def answer(fd: int, screen: Screen, data: bytes, quiet: float = 0.15, limit: float = 10.0
           ) -> tuple[float, int]:
    """Write ``data``; (seconds until the last byte of the answer, bytes read)."""
    start = time.perf_counter()
    os.write(fd, data)
    last, total = None, 0
    while True:
        now = time.perf_counter()
        wait = quiet if last is not None else limit
        since = now - (last if last is not None else start)
        if since >= wait:
            break
        r, _, _ = select.select([fd], [], [], wait - since)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            total += len(chunk)
            last = time.perf_counter()
            screen.feed(chunk.decode("utf-8", "replace"))
    return ((last if last is not None else time.perf_counter()) - start), total


def model_file(layers: int, folder: Path) -> Path:
    """A saved xor model with ``layers`` layers of 2 neurons (the last: 1 sigmoid output)."""
    from nn import NeuralNetwork
    from nn.io import save
    sizes = [2] + [2] * (layers - 1) + [1]
    net = NeuralNetwork.from_sizes(sizes, "tanh", "sigmoid", seed=0)
    return save(net, folder / f"xor{layers}", task="xor")


def pilot_medians(layers: int, rounds: int, cols: int, rows: int) -> dict[str, float]:
    """Median seconds per key under Pilot, key pressed to its frame drawn."""
    import asyncio

    from nn import NeuralNetwork
    from tui.app.app import TinyNetApp
    from tui.core.config import RunConfig, build

    names = {"down": "down", "up": "up", "right": "right", "left": "left",
             "]": "right_square_bracket", "[": "left_square_bracket"}
    times: dict[str, list[float]] = {}

    async def run() -> None:
        problem = build(RunConfig(task="xor"))
        problem.net = NeuralNetwork.from_sizes([2] + [2] * (layers - 1) + [1], "tanh",
                                               "sigmoid", seed=0)
        with tempfile.TemporaryDirectory() as tmp:
            app = TinyNetApp(problem, save_dir=Path(tmp))
            async with app.run_test(size=(cols, rows)) as pilot:
                async def drawn() -> None:
                    end = time.monotonic() + 10
                    while time.monotonic() < end and not app.is_drawn():
                        await pilot.pause(0.001)
                    await pilot.pause()
                await drawn()
                for r in range(rounds):
                    for key, _ in KEYS:
                        start = time.perf_counter()
                        await pilot.press(names.get(key, key))
                        await drawn()
                        label = f"{key} first" if key in "mf" and r == 0 else key
                        times.setdefault(label, []).append(time.perf_counter() - start)
    asyncio.run(run())
    return {k: statistics.median(v) for k, v in times.items()}


def frame_ms(layers: int, frames: int = 40, repeat: int = 7) -> dict[str, float]:
    """build_frame's CPU ms per frame on the xor model of ``layers`` layers, at the panel
    sizes of a 120×40 screen (the best of ``repeat`` runs of ``frames``): "redraw" with
    the weights unchanged and the neuron view, "playing" with the weights changed before
    each frame and no neuron view.  Imports the app from the first entry of sys.path."""
    from nn import NeuralNetwork
    from tui.core.config import RunConfig, build
    from tui.core.session import Session
    from tui.view.frame import PanelSizes, build_frame

    problem = build(RunConfig(task="xor"))
    problem.net = NeuralNetwork.from_sizes([2] + [2] * (layers - 1) + [1], "tanh", "sigmoid",
                                           seed=0)
    s = Session(problem)
    s.play_chunk(2)
    sizes = PanelSizes(loss_width=58, map_cols=27, map_rows=14, diagram_width=56,
                       diagram_height=24)  # (the app's at 120×40)

    def best(changing: bool) -> float:
        runs = []
        for _ in range(repeat):
            start = time.thread_time()
            for k in range(frames):
                if changing:  # a new weight each frame (back and forth: stays bounded)
                    s.net.theta[0] += 1e-12 if k % 2 else -1e-12
                build_frame(s, sizes, neuron=not changing)
            runs.append((time.thread_time() - start) / frames)
        return 1e3 * min(runs)
    import tui.view.frame as built_by
    with s.lock:
        return {"redraw": best(False), "playing": best(True), "from": built_by.__file__}


def frames_side_by_side(layers: int, rounds: int, before: str | None) -> None:
    """--frames: each tree in its own process, in turns, ``rounds`` times."""
    roots = [("after", str(Path(__file__).resolve().parent.parent))] + \
        ([("before", str(Path(before).resolve()))] if before else [])
    got: dict[tuple[str, str], list[float]] = {}
    for r in range(rounds):
        for tag, root in roots if r % 2 else roots[::-1]:
            for n in (layers, 2):
                # (importing this module puts its own tree first on sys.path: root goes
                # before it again, and the engine and the app are imported only after)
                code = (f"import sys, json; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                        f"from bench_latency import frame_ms; sys.path.insert(0, {root!r}); "
                        f"assert 'tui' not in sys.modules and 'nn' not in sys.modules; "
                        f"print(json.dumps(frame_ms({n})))")
                out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True, cwd=root)
                result = json.loads(out.stdout)
                assert Path(result.pop("from")).is_relative_to(root), (root, result)
                for case, ms in result.items():
                    got.setdefault((tag, f"{n} layers, {case}"), []).append(ms)
    print(f"build_frame CPU ms per frame (best of 7 × 40 frames), {rounds} rounds in turns")
    cases = list(dict.fromkeys(case for _, case in got))
    for case in cases:
        line = f"{case:<24}"
        for tag, _ in roots:
            ms = got[(tag, case)]
            line += f"  {tag} {statistics.median(ms):6.3f} ({' '.join(f'{m:.3f}' for m in ms)})"
        if before:
            ratios = [a / b for a, b in zip(got[("after", case)], got[("before", case)])]
            line += f"  after ÷ before {statistics.median(ratios):.2f}"
        print(line, flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--layers", type=int, default=1000, help="the deep model's layers")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--size", default="120x40")
    p.add_argument("--quiet", type=float, default=0.15)
    p.add_argument("--pilot", action="store_true", help="under Pilot instead of a pty")
    p.add_argument("--before", help="another checkout whose apps run in the same rounds")
    p.add_argument("--frames", action="store_true",
                   help="build_frame's CPU per frame, no terminal (each tree in its process)")
    a = p.parse_args()
    if a.frames:
        frames_side_by_side(a.layers, a.rounds, a.before)
        return
    cols, rows = map(int, a.size.split("x"))
    if a.pilot:
        got = {n: pilot_medians(layers, a.rounds, cols, rows)
               for n, layers in ((f"{a.layers} layers", a.layers), ("2–2–1", 2))}
        print(f"median key → frame drawn under Pilot (ms), {a.rounds} rounds, {a.size}")
        print(f"{'key':<8}" + "".join(f"{n:>14}" for n in got))
        for key in got[f"{a.layers} layers"]:
            print(f"{key:<8}" + "".join(f"{1000 * m[key]:14.0f}" for m in got.values()))
        return
    with tempfile.TemporaryDirectory() as tmp:
        apps = {}
        roots = [("", None)] + ([("before ", a.before)] if a.before else [])
        for tag, root in roots:
            for name, layers in ((f"{a.layers} layers", a.layers), ("2–2–1", 2)):
                path = model_file(layers, Path(tmp))
                # a launcher that imports the app from ``root`` ('' on sys.path is the cwd)
                code = LAUNCHER if root is None else f"import os; os.chdir({root!r})\n" + LAUNCHER
                argv = [sys.executable, "-c", code, "--task", "xor", "--load", str(path)]
                pid, fd = spawn(argv, cols, rows, {"TINYNET_BENCH_RAW": "0"})
                apps[tag + name] = (pid, fd, Screen(cols, rows))
        try:
            for pid, fd, screen in apps.values():
                _wait_ready(fd, screen, timeout=60)
            times = {name: {} for name in apps}
            for r in range(a.rounds):
                for key, data in KEYS:
                    for name, (pid, fd, screen) in apps.items():
                        label = f"{key} first" if key in "mf" and r == 0 else key
                        t, _ = answer(fd, screen, data, a.quiet)
                        times[name].setdefault(label, []).append(t)
            print(f"median key → last byte on the terminal (ms), {a.rounds} rounds, {a.size}")
            names = list(apps)
            print(f"{'key':<8}" + "".join(f"{n:>21}" for n in names))
            for key in [k for k in times[names[0]]]:
                print(f"{key:<8}" + "".join(
                    f"{1000 * statistics.median(times[n][key]):21.0f}" for n in names))
        finally:
            for pid, fd, _ in apps.values():
                stop(pid, fd)


if __name__ == "__main__":
    main()

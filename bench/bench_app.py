"""Measure the app while it plays: epochs per second, redraws per second, and
how long playing regression 2–16–1 takes to reach R² ≥ 0.98.

    python bench/bench_app.py [--seconds 5] [--rounds 3] [--task spiral] [--maps]
    python bench/bench_app.py --frame-cost 50 [--task digits]
    python bench/bench_app.py --frame-cost 50 --task xor --layers 1000

``digits`` plays the 8×8 digits (64–32–10, Adam, batch 32) with its weight grid, digit
picture and probability bars redrawn on every frame.

Runs the real app headlessly (Textual's ``run_test``, 120×40), presses space
at maximum speed, and samples the session while it plays.  Right before each
task plays, the same network trains headless (``NeuralNetwork.fit``, as
``tinynet-tui train`` does) for as long: the ratio of the two rates, taken
back to back, is what the "plays close to headless speed" target reads (the
machine's speed changes too much between runs for absolute rates to compare).
With ``--rounds R`` each task takes R such turns (headless, then the app) and the
table shows the medians, with every round's ratio beside them.

On a machine busy with other work the app's two threads wait for a core, and the
screen's work per redraw takes a larger share of what the process gets, so the
wall-clock ratio reads low.  Three more columns say where the time goes: "UI ms/redraw"
(the process's CPU time not spent in the play worker, per redraw), "worker
efficiency" (epochs per CPU-second of the play worker ÷ headless epochs per
CPU-second: what the bookkeeping and thread switches cost), and from the two the
"ceiling at 20/s": the ratio a quiet machine would give at 20 redraws/s if the worker
never stood idle, efficiency × (1 − 20 × UI seconds per redraw).  (The old worker,
which rested as long as it trained, stayed far below its ceiling.)  ``--maps`` turns on
the neuron maps (beside the diagram's nodes and the selected neuron's large map)
through :func:`with_maps`, for apps that do not ask for them yet.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from textual.events import Key

from tui.app.app import TinyNetApp
from nn import NeuralNetwork, datasets
from tui.core.config import Problem, RunConfig, build, task_config
from tui.core.session import SPEEDS


def headless(task: str, seconds: float) -> float:
    """Epochs per second of ``fit`` on the task's own network and data (what
    ``tinynet-tui train`` runs), for about ``seconds``: per second of wall-clock time
    and per second of this process's CPU time."""
    # the network, data and training the app plays (task_config: digits trains Adam on
    # mini-batches of 32 of its 80 % training split, as `train --task digits` does)
    problem = big_circle() if task.startswith("circle") else build(task_config(task))
    cfg, net = problem.config, problem.net
    end = time.perf_counter() + seconds

    def tick(epoch: int, loss: float) -> bool:
        return time.perf_counter() >= end

    start, cpu = time.perf_counter(), time.process_time()
    result = net.fit(problem.X, problem.y, epochs=10**9, lr=cfg.lr, callback=tick,
                     batch=cfg.batch)
    return (result.epochs / (time.perf_counter() - start),
            result.epochs / (time.process_time() - cpu))


def count_worker_cpu() -> None:
    """Bench-only hook: the play worker adds its thread's CPU time to
    ``app.player.cpu_seconds``."""
    from tui.app.play import Player

    loop = Player._loop
    if getattr(loop, "counted", False):
        return

    def counted(self) -> None:
        start = time.thread_time()
        try:
            loop(self)
        finally:
            self.cpu_seconds = getattr(self, "cpu_seconds", 0.0) + time.thread_time() - start

    counted.counted = True
    Player._loop = counted


def with_maps() -> None:
    """Test-only hook: make the app ask for every neuron map (small beside the
    diagram's nodes, the selected neuron's large) whatever its own panel_sizes does."""
    from dataclasses import replace

    from tui.app.widgets.diagram import NetworkDiagram

    plain = TinyNetApp.panel_sizes
    if getattr(plain, "with_maps", False):
        return

    def panel_sizes(app):
        d = app.query_one(NetworkDiagram).content_size
        return replace(plain(app), diagram_width=d.width, diagram_height=d.height,
                       neuron_maps=True, large_map=True)

    panel_sizes.with_maps = True
    TinyNetApp.panel_sizes = panel_sizes


def big_circle() -> Problem:
    """2–64–64–1 tanh/sigmoid on 2 000 points of the circle task."""
    X, y = datasets.circle(2000, seed=0)
    config = RunConfig(task="circle", hidden=(64, 64)).resolved()
    net = NeuralNetwork.from_sizes([2, 64, 64, 1], "tanh", "sigmoid", seed=0)
    return Problem(config, net, X, y, "binary")


async def play(task: str, seconds: float, r2_target: float | None = None) -> dict:
    problem = big_circle() if task == "circle 2–64–64–1, N=2000" else build(task_config(task))
    count_worker_cpu()
    app = TinyNetApp(problem)
    app.player.cpu_seconds = 0.0
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.speed_index = SPEEDS.index(0)  # max speed
        redraws0 = app.redraws
        start, cpu = time.perf_counter(), time.process_time()
        await pilot.press("space")
        reached = None
        while time.perf_counter() - start < seconds:
            await asyncio.sleep(0.05)
            if r2_target is not None and reached is None:
                with app.session.lock:
                    metric, value = app.session.problem.score()
                if value >= r2_target:
                    reached = (time.perf_counter() - start, app.session.stepper.epoch, value)
        # how fast does a key answer while playing? (time until the app has acted on it)
        before = app.session.selected
        t = time.perf_counter()
        app.post_message(Key("down", None))
        while app.session.selected == before and time.perf_counter() - t < 30:
            await asyncio.sleep(0.001)
        key_ms = (time.perf_counter() - t) * 1e3
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        await pilot.press("space")
        await app.workers.wait_for_complete()
        worker_cpu = app.player.cpu_seconds  # the worker has ended: its time is in
        return dict(task=task, epochs=app.session.stepper.epoch, seconds=elapsed,
                    redraws=app.redraws - redraws0, reached=reached, key_ms=key_ms,
                    cpu=cpu, worker_cpu=worker_cpu, worker_epochs=app.session.stepper.epoch)


def deep(task: str, layers: int) -> Problem:
    """``task`` with a ``layers``-layer network of 2 tanh neurons a layer and one sigmoid
    output (bench_latency.py's deep model)."""
    problem = build(task_config(task))
    problem.net = NeuralNetwork.from_sizes([2] + [2] * (layers - 1) + [1], "tanh", "sigmoid",
                                           seed=0)
    return problem


async def frame_cost(task: str, frames: int, layers: int | None = None) -> tuple[float, float]:
    """CPU milliseconds of the UI thread per frame at the play worker's pace, training
    excluded: each frame trains (1 epoch of digits or of a ``layers``-layer network, 100 of
    the others) under the lock, timed apart, then ``redraw()`` and Textual's paint, one
    frame per 44 ms.  ``thread_time`` counts only this thread's CPU, so a loaded machine
    changes this figure little.  Returns (UI ms, of which ``build_frame`` ms) per frame."""
    import tui.app.app as app_module

    epochs = 1 if task == "digits" or layers else 100
    built = [0.0]
    plain = app_module.build_frame

    def timed(*args, **kwargs):
        t = time.thread_time()
        try:
            return plain(*args, **kwargs)
        finally:
            built[0] += time.thread_time() - t
    app_module.build_frame = timed
    app = TinyNetApp(deep(task, layers) if layers else build(task_config(task)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.session.play_chunk(5 * epochs)
        app.session.playing = True  # (no worker: the panels draw as while playing)
        train, start, built[0] = 0.0, time.thread_time(), 0.0
        for _ in range(frames):
            t = time.thread_time()
            with app.session.lock:
                app.session.stepper.run_epochs(epochs)
                app.session.touch()
            train += time.thread_time() - t
            t = time.perf_counter()
            app.redraw()
            await pilot.pause()
            while time.perf_counter() - t < 0.044:
                await asyncio.sleep(0.004)
        ui = time.thread_time() - start - train
        app.session.playing = False
    app_module.build_frame = plain
    return ui / frames * 1e3, built[0] / frames * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=1, help="turns per task (medians shown)")
    parser.add_argument("--task", help="only this task (xor, regression, spiral, circle, "
                                       "digits)")
    parser.add_argument("--maps", action="store_true", help="with neuron maps on")
    parser.add_argument("--frame-cost", type=int, metavar="FRAMES",
                        help="only the UI thread's CPU per frame at the worker's pace "
                             "(no worker; load changes it little)")
    parser.add_argument("--layers", type=int, metavar="N",
                        help="with --frame-cost: the task on an N-layer network of 2 tanh "
                             "neurons a layer (bench_latency.py's deep model)")
    args = parser.parse_args()
    if args.maps:
        with_maps()
    if args.frame_cost:
        for task in ("xor", "regression", "spiral", "digits"):
            if not args.task or task.startswith(args.task):
                ms, built = asyncio.run(frame_cost(task, args.frame_cost, args.layers))
                deep_net = f" ({args.layers} layers)" if args.layers else ""
                print(f"{task}{deep_net}: UI CPU {ms:.1f} ms per frame (training excluded), "
                      f"build_frame {built:.2f} ms of it", flush=True)
        return
    print("| task | epochs/s while playing | headless `fit` epochs/s | played ÷ headless "
          "(each round) | redraws/s | UI ms/redraw | worker efficiency | ceiling at 20/s "
          "| key answered in | R² ≥ 0.98 reached |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---|")
    for task, target in (("xor", None), ("regression", 0.98), ("spiral", None),
                         ("circle 2–64–64–1, N=2000", None),
                         ("digits", None)):  # with the weight grid (every picture, live)
        if args.task and not task.startswith(args.task):
            continue
        runs = []
        for _ in range(max(1, args.rounds)):
            fit_rate, fit_cpu_rate = headless(task, args.seconds)
            r = asyncio.run(play(task, args.seconds, target))
            r.update(rate=r["epochs"] / r["seconds"], fit_rate=fit_rate,
                     ratio=r["epochs"] / r["seconds"] / fit_rate,
                     ui_ms=(r["cpu"] - r["worker_cpu"]) / max(1, r["redraws"]) * 1e3,
                     efficiency=r["worker_epochs"] / max(r["worker_cpu"], 1e-9) / fit_cpu_rate,
                     redraw_rate=r["redraws"] / r["seconds"])
            runs.append(r)

        def med(key: str) -> float:
            return statistics.median(r[key] for r in runs)

        first = runs[0]["reached"]  # (the first round's)
        reached = "–" if target is None else (
            f"after {first[0]:.2f} s (epoch {first[1]}, R² {first[2]:.4f})"
            if first else f"not within {args.seconds:g} s")
        each = ", ".join(f"{r['ratio']:.0%}" for r in runs)
        print(f"| {task} | {med('rate'):.0f} | {med('fit_rate'):.0f} | **{med('ratio'):.0%}**"
              f"{f' ({each})' if len(runs) > 1 else ''} | {med('redraw_rate'):.1f} | "
              f"{med('ui_ms'):.1f} | {med('efficiency'):.0%} | "
              f"{med('efficiency') * (1 - 20 * med('ui_ms') / 1e3):.0%} | "
              f"{med('key_ms'):.0f} ms | {reached} |", flush=True)


if __name__ == "__main__":
    main()

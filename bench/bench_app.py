"""Measure the app while it plays: epochs per second, redraws per second, and
how long playing regression 2–16–1 takes to reach R² ≥ 0.98.

    python bench/bench_app.py [--seconds 5] [--task spiral] [--maps]

``digits`` plays the 8×8 digits (64–32–10, Adam, batch 32) with its weight grid, digit
picture and probability bars redrawn on every frame.

Runs the real app headlessly (Textual's ``run_test``, 120×40), presses space
at maximum speed, and samples the session while it plays.  ``--maps`` turns on
the neuron maps (beside the diagram's nodes and the selected neuron's large map)
through :func:`with_maps`, for apps that do not ask for them yet.
"""
from __future__ import annotations

import argparse
import asyncio
import time

from textual.events import Key

from tui.app.app import TinyNetApp
from nn import NeuralNetwork, datasets
from tui.core.config import Problem, RunConfig, build, task_config
from tui.core.session import SPEEDS


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
    app = TinyNetApp(problem)
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.speed_index = SPEEDS.index(0)  # max speed
        redraws0 = app.redraws
        start = time.perf_counter()
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
        elapsed = time.perf_counter() - start
        await pilot.press("space")
        await app.workers.wait_for_complete()
        return dict(task=task, epochs=app.session.stepper.epoch, seconds=elapsed,
                    redraws=app.redraws - redraws0, reached=reached, key_ms=key_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--task", help="only this task (xor, regression, spiral, circle, "
                                       "digits)")
    parser.add_argument("--maps", action="store_true", help="with neuron maps on")
    args = parser.parse_args()
    if args.maps:
        with_maps()
    print("| task | epochs/s while playing | redraws/s | key answered in | R² ≥ 0.98 reached |")
    print("|---|---:|---:|---:|---|")
    for task, target in (("xor", None), ("regression", 0.98), ("spiral", None),
                         ("circle 2–64–64–1, N=2000", None),
                         ("digits", None)):  # with the weight grid (every picture, live)
        if args.task and not task.startswith(args.task):
            continue
        r = asyncio.run(play(task, args.seconds, target))
        reached = "–" if target is None else (
            f"after {r['reached'][0]:.2f} s (epoch {r['reached'][1]}, R² {r['reached'][2]:.4f})"
            if r["reached"] else f"not within {args.seconds:g} s")
        print(f"| {task} | {r['epochs'] / r['seconds']:.0f} | {r['redraws'] / r['seconds']:.1f} | "
              f"{r['key_ms']:.0f} ms | {reached} |")


if __name__ == "__main__":
    main()

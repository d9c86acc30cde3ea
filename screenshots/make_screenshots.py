"""Regenerate the README's screenshots from the real app and the real export.

    python screenshots/make_screenshots.py

Drives the app headlessly with Textual's Pilot (fixed seed, step keys only,
so the pictures are reproducible) and saves SVGs; then trains the regression
task headlessly and writes the Matplotlib PNGs.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("COLORTERM", "truecolor")  # neuron maps in full colour, as most terminals

from tui.app.app import TinyNetApp  # noqa: E402
from tui.cli.main import main as cli_main  # noqa: E402
from tui.core.config import build, task_config  # noqa: E402

SHOTS = [
    # file name, task, terminal size, keys
    ("xor-forward.svg", "xor", (120, 40), ["n"]),
    ("xor-backward.svg", "xor", (120, 40), ["n"] * 5),
    # "play:N" trains N whole epochs, exactly as playing does (deterministic)
    ("xor-trained.svg", "xor", (120, 40), ["play:3000", "g", "g", "n", "n", "n"]),
    ("regression-update.svg", "regression", (120, 40), ["play:3000", "g", "g"] + ["n"] * 3),
    ("spiral-trained.svg", "spiral", (120, 40), ["play:6000"]),
    ("xor-80x24.svg", "xor", (80, 24), ["n"] * 5),
    ("help.svg", "xor", (120, 40), ["question_mark"]),
    ("gradcheck.svg", "regression", (120, 40), ["play:200", "c", "wait"]),
    ("quiz.svg", "xor", (120, 40), ["z", "n", "n", "n", "n", "n"]),
    # neuron maps: small beside every node; m shows the output's map large, with the data points
    ("spiral-maps.svg", "spiral", (120, 40), ["play:3000", "m"]),
    ("circle-features.svg", dict(task="circle", features=("x1^2", "x2^2"), hidden=()), (120, 40),
     ["play:2000", "m"]),
    ("spiral3.svg", dict(task="spiral3"), (120, 40), ["play:800", "g", "g", "n", "n", "n"]),
    ("momentum-update.svg", dict(task="regression", optimizer="momentum"), (120, 40),
     ["play:50", "g", "g", "n", "n", "n"]),
    ("settings.svg", "spiral", (120, 40), ["N"]),
    # branches: fork XOR at epoch 200, a smaller lr in the branch, play both, compare
    ("branches-compare.svg", "xor", (120, 40), ["play:200", "f", "lr:0.5", "play:1500", "F"]),
    # digits: the picture, the bars, every hidden neuron's weights; h₃ large with its dw; 80×24
    ("digits.svg", "digits", (120, 40), ["play:30", "down", "down", "n", "n"]),
    ("digits-neuron.svg", "digits", (120, 40), ["play:30", "g", "g", "n", "n", "n",
                                                "select:0,2", "m", "v"]),
    ("digits-80x24.svg", "digits", (80, 24), ["play:30"]),
]


async def save(app, pilot, name: str) -> None:
    """Settle, draw the latest frame and save ``name`` (SVG) next to this script."""
    await pilot.pause()
    app.redraw(force=True)
    await pilot.pause()
    app.save_screenshot(name, str(HERE))
    print("wrote", HERE / name)


async def shoot(name: str, task, size: tuple[int, int], keys: list[str]) -> None:
    config = task_config(**task) if isinstance(task, dict) else task_config(task)
    app = TinyNetApp(build(config))
    async with app.run_test(size=size) as pilot:
        for key in keys:
            if key.startswith("play:"):
                app.session.play_chunk(int(key[5:]))
            elif key.startswith("select:"):  # select:LAYER,NEURON (0-based)
                app.session.select(*map(int, key[7:].split(",")))
            elif key.startswith("lr:"):
                app.session.set_lr(float(key[3:]))
            elif key == "wait":  # for a worker (the gradient check) to finish
                await app.workers.wait_for_complete()
                await pilot.pause(0.2)
            else:
                await pilot.press(key)
        await save(app, pilot, name)


async def shoot_lesson(name: str, lesson: str, chapter: int, size: tuple[int, int],
                       keys: list[str]) -> None:
    """A lesson chapter in the app (no progress is saved)."""
    from tui.lessons.catalogue import builtin_lessons
    from tui.lessons.format import load
    from tui.lessons.live import LessonSession

    ls = LessonSession(load(builtin_lessons()[lesson]), lesson, chapter)
    app = TinyNetApp(ls.chapter.session.problem, lesson=ls)
    async with app.run_test(size=size) as pilot:
        for key in keys:
            await pilot.press(key)
        await save(app, pilot, name)


def export_pngs() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cli_main(["train", "--task", "regression", "--quiet", "--export", tmp])
        for name in ("loss.png", "surface.png"):
            shutil.copy(Path(tmp) / name, HERE / f"regression-{name}")
            print("wrote", HERE / f"regression-{name}")
    with tempfile.TemporaryDirectory() as tmp:
        cli_main(["train", "--task", "digits", "--quiet", "--export", tmp])
        for name in ("weights.png", "confusion.png", "mistakes.png"):
            shutil.copy(Path(tmp) / name, HERE / f"digits-{name}")
            print("wrote", HERE / f"digits-{name}")


if __name__ == "__main__":
    for shot in SHOTS:
        asyncio.run(shoot(*shot))
    asyncio.run(shoot_lesson("lesson-backprop.svg", "backprop", 4, (120, 40), ["escape"]))
    asyncio.run(shoot_lesson("lesson-80x24.svg", "backprop", 4, (80, 24), ["escape"]))
    asyncio.run(shoot_lesson("lesson-digits.svg", "hidden-pictures", 1, (120, 40), []))
    export_pngs()

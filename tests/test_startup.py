"""Start-up (issue 20): the first frame loads only what it shows, and draws it at once.

What the first screen does not need stays unloaded (plotext until the loss chart has a
point, the gradient check, the compare/sweep/settings/help screens, the subcommands'
parsers and modules, Matplotlib); the app-only command-line parser reads the same values
as the full one; the empty loss chart is drawn without plotext to the byte; the footer's
keys come with the first paint and are rebuilt only when they change; the byte budget
does not hold back the first screen; garbage collection is back on after the first frame;
nothing is painted before the panels have their frame; the digits panels are mounted on
image tasks only; `--help` loads neither Textual nor the App.
The time itself is measured by bench/bench_startup.py (bench/README.md).
"""
from __future__ import annotations

import gc
import io
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tui.app import bandwidth
from tui.app.bandwidth import Bandwidth
from tui.app.widgets.footer import KeyFooter
from tui.app.widgets.loss_chart import empty_chart
from tui.cli.main import (SUBCOMMANDS, _subparsers, collections_after_first_frame, main,
                          make_parser, parse_command_line)

ROOT = Path(__file__).resolve().parents[1]

#: loaded by the app's first frame (XOR, 120×40) they must not be (module name prefixes)
NOT_ON_THE_FIRST_FRAME = (
    "plotext", "textual_plotext", "matplotlib", "nn.gradcheck", "tui.app.widgets.compare",
    "tui.app.screens", "tui.cli.learn", "tui.cli.sweep", "tui.cli.train", "tui.net",
    "tui.lessons.lint", "tui.core.sweep", "tui.core.pytorch_export",
    # the digits panels' widgets and export: with the first image task
    "tui.app.widgets.weight_grid", "tui.app.widgets.digit_diagram", "tui.app.widgets.digit_image",
    "tui.app.widgets.confusion", "tui.view.plots_digits",
    "numpy.ma.")  # (NumPy 2's np.unique loads numpy.ma: ≈ 15 ms)

FIRST_FRAME = """
import asyncio, sys
from tui.cli.main import parse_command_line
parse_command_line([])  # what `tinynet-tui` parses with
from tui.app.app import TinyNetApp
from tui.app.widgets.loss_chart import LossChart
from tui.core.config import RunConfig, build

async def first_frame():
    app = TinyNetApp(build(RunConfig()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        chart = app.query_one(LossChart)
        lines = [''.join(s.text for s in chart.render_line(y))
                 for y in range(chart.content_size.height)]
        assert 'loss (log scale)' in lines[-1] and 'epoch 0' in lines[0], lines
        from textual.widgets._footer import FooterKey
        assert any(key.description == 'quit' for key in app.query(FooterKey))

asyncio.run(first_frame())
bad = sorted(m for m in sys.modules if m.startswith(%r))
print(bad)
"""


def test_the_first_frame_loads_nothing_it_does_not_show():
    code = FIRST_FRAME % (NOT_ON_THE_FIRST_FRAME,)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("words", [
    [], ["--task", "spiral"], ["--task=digits", "--hidden", "16"], ["--lr", "0.5", "--seed", "3"],
    ["--max-kbps", "0", "--fps", "10"], ["--activation", "relu", "--tas", "xor"],
    ["--optimizer", "adam", "--batch", "4"], ["--loss", "mse"], ["--noise", "0.1"],
])
def test_the_app_only_parser_reads_what_the_full_parser_reads(words):
    light, args = parse_command_line(words)
    assert not _subparsers(light)                 # the app-only parser did it
    assert args == make_parser().parse_args(words)


def test_the_app_only_parser_knows_every_subcommand_name():
    assert set(SUBCOMMANDS) == set(_subparsers(make_parser()))


@pytest.mark.parametrize("words", [["train", "--epochs", "3"], ["--help"], ["-h"], ["--hel"]])
def test_help_and_subcommands_go_to_the_full_parser(words):
    with redirect_stdout(io.StringIO()) as out:
        try:
            parser, _args = parse_command_line(words)
        except SystemExit:  # --help printed and exited
            parser = None
    if parser is None:
        assert "try first" in out.getvalue() and "train" in out.getvalue()
    else:
        assert _subparsers(parser)


def test_errors_are_the_full_parsers(capsys):
    assert main(["--epochs", "5"]) == 2
    assert "--epochs is an option of tinynet-tui train" in capsys.readouterr().err
    assert main(["trian"]) == 2
    assert "invalid choice: 'trian'" in capsys.readouterr().err


# ── the empty loss chart, without plotext ──────────────────────────────────────

def _plotext_empty(width, height, title, ylabel, fg, bg):
    from plotext._dict import themes
    from textual_plotext.plot import Plot, _rgbify_theme, _sequence

    themes["test-startup"] = _rgbify_theme(bg, bg, fg, "default", _sequence)
    plot = Plot()
    plot.clear_data()
    plot.clear_figure()
    plot.title(title)
    plot.xlabel("epoch")
    plot.ylabel(ylabel)
    plot.plotsize(width, height)
    plot._set_size(width, height)
    plot.theme("test-startup")
    return plot.build()


def test_the_empty_chart_is_what_plotext_draws_to_the_byte():
    fg, bg = (224, 224, 224), (30, 30, 30)
    drawn = 0
    for width in range(1, 75, 3):
        for height in range(1, 13, 2):
            for title in ("xor · epoch 0", "digits · epoch 0", "x",
                          "spiral3 · epoch 0 · mean guess 0.667"):
                for ylabel in ("loss (log scale)", "loss"):
                    mine = empty_chart(width, height, title, "epoch", ylabel, fg, bg)
                    if mine is None:  # left to plotext
                        continue
                    assert mine == _plotext_empty(width, height, title, ylabel, fg, bg), \
                        (width, height, title, ylabel)
                    drawn += 1
    assert drawn > 300
    for width, height in ((58, 9), (38, 8)):  # the chart at 120×40 and 80×24
        assert empty_chart(width, height, "xor · epoch 0", "epoch", "loss (log scale)",
                           fg, bg) is not None


def test_a_chart_too_small_or_with_wide_characters_is_left_to_plotext():
    fg = bg = (0, 0, 0)
    assert empty_chart(20, 4, "xor", "epoch", "loss", fg, bg) is None       # no canvas row
    assert empty_chart(20, 9, "xor", "epoch", "loss (log scale)", fg, bg) is None  # labels touch
    assert empty_chart(40, 9, "异或 · epoch 0", "epoch", "loss", fg, bg) is None
    assert empty_chart(12, 9, "spiral · epoch 0", "epoch", "loss", fg, bg) is None  # title


# ── the footer ─────────────────────────────────────────────────────────────────

class _FooterApp(App):
    BINDINGS = [Binding("q", "quit", "quit"), Binding("x", "extra", "extra")]
    extra_enabled = True

    def compose(self):
        yield Static("body")
        yield KeyFooter(compact=True, show_command_palette=False)

    def check_action(self, action, parameters):
        return None if action == "extra" and not self.extra_enabled else True

    def action_extra(self) -> None:
        pass


async def test_the_footer_has_its_keys_at_once_and_rebuilds_only_on_change(monkeypatch):
    builds = []
    original = KeyFooter.recompose

    async def counted(self):
        before = list(self.query(FooterKey))
        await original(self)
        builds.append(list(self.query(FooterKey)) != before)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    app = _FooterApp()
    async with app.run_test() as pilot:
        footer = app.query_one(KeyFooter)
        keys = [k.key for k in footer.query(FooterKey)]
        assert keys == ["q", "x"]                  # composed with the footer, not later
        await pilot.pause()
        app.screen.refresh_bindings()              # nothing changed: nothing rebuilt
        await pilot.pause()
        assert not any(builds)
        app.extra_enabled = False                  # a key greys out: rebuilt
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert any(builds)
        assert footer.query_one("FooterKey.-disabled", FooterKey).key == "x"


# ── the byte budget and the garbage collector ─────────────────────────────────

def test_the_first_screen_is_not_held_back_by_the_byte_budget():
    app = SimpleNamespace(_driver=SimpleNamespace(write=lambda data: None, flush=lambda: None,
                                                  _writer_thread=None),
                          _sync_available=False, _running=True, _closed=False, screen=None,
                          console=None)
    bw = Bandwidth(app, max_kbps=10, fps=0)
    app.bandwidth = bw
    bw._resize(120, 40)
    for y in range(40):
        bw.want_ch[y] = list("x" * 120)
        bw.want_st[y] = [bw.style_id(None)] * 120
        bw.dirty.add(y)
    bw.flush()                                     # the empty panels: over the allowance
    assert bw.wait_time(time.perf_counter()) > 0.3
    bandwidth.answer_now(app)                      # the main screen is ready: its frame now
    assert bw.wait_time(time.perf_counter()) == 0


def test_collections_are_held_back_only_inside_and_come_back_on_error():
    assert gc.isenabled()
    with collections_after_first_frame():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collections_after_first_frame():
        raise RuntimeError
    assert gc.isenabled()
    with collections_after_first_frame(False):    # replaying a session: collections on
        assert gc.isenabled()


async def test_the_app_turns_collections_back_on_after_its_first_frame():
    from tui.app.app import TinyNetApp
    from tui.core.config import RunConfig, build

    app = TinyNetApp(build(RunConfig()))
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


# ── the engine's names, loaded on first use ────────────────────────────────────

@pytest.mark.parametrize("code, out", [
    ("import nn, sys; print(sorted(m for m in sys.modules if m.startswith('nn.')))", "[]"),
    ("from nn import NeuralNetwork; import sys; print('nn.gradcheck' in sys.modules, "
     "'nn.model_file' in sys.modules)", "False False"),
    # the module nn.gradcheck imported first still leaves the function on the package
    ("from nn.gradcheck import GradCheckResult; from nn import gradcheck; "
     "print(callable(gradcheck), type(gradcheck).__name__)", "True function"),
    ("import nn; print(sorted(set(nn.__all__) - set(dir(nn))), len(nn.__all__) == "
     "len({n: getattr(nn, n) for n in nn.__all__}))", "[] True"),
])
def test_the_engine_loads_its_names_on_first_use(code, out):
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == out, result.stderr[-2000:]


# ── the first paint is the full frame ──────────────────────────────────────────

async def test_nothing_is_painted_before_the_panels_have_their_frame():
    """The main screen makes its first layout (the App needs the panels' sizes) but paints
    nothing until the App has filled the panels: the terminal's first frame is the full one,
    not empty panels and then the frame a refresh later."""
    from tui.app.app import TinyNetApp
    from tui.app.main_screen import MainScreen
    from tui.core.config import RunConfig, build

    app = TinyNetApp(build(RunConfig()))
    painted: list[tuple[bool, bool]] = []  # (the app had a frame, the screen was painting)
    display = app._display

    def _display(screen, renderable) -> None:
        if isinstance(screen, MainScreen) and renderable is not None:
            painted.append((app.frame is not None, screen.painting))
        display(screen, renderable)

    app._display = _display
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.screen_stack[0].painting
        assert painted and painted[0] == (True, True), painted
        # and the screen is whole: the status line, the panels' contents, the footer
        text = "\n".join("".join(s.text for s in app.screen._compositor.render_strips()[y])
                         for y in range(40))
        assert "epoch 0" in text and "loss (log scale)" in text and "quit" in text


# ── --help and the subcommands' parsers load no App ────────────────────────────

#: (the share/follow parsers load tui.net.share and tui.net.follow, not their App subclasses)
HEAVY = ("textual", "rich", "textual_plotext", "plotext", "matplotlib", "tui.app.app",
         "tui.app.main_screen")


@pytest.mark.parametrize("words", [
    ["--help"], ["share", "--help"], ["follow", "--help"], ["learn", "--help"],
    ["serve", "--help"], ["train", "--help"], ["sweep", "--help"], ["record", "--help"],
])
def test_help_loads_neither_textual_nor_the_app(words):
    code = ("import sys\nfrom tui.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY[:5]!r} "
            f"or m in {HEAVY[5:]!r}))")
    out = subprocess.run([sys.executable, "-c", code, *words], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert "usage: tinynet-tui" in out.stdout
    assert lines[-1] == "[]", lines[-1]


def test_importing_the_app_loads_no_plotting_no_data_and_no_subcommand():
    code = ("import sys\nimport tui.app.app\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'plotext', 'textual_plotext') or m.startswith(%r)))"
            % (("nn.gradcheck", "tui.net", "tui.cli.learn", "tui.cli.sweep", "tui.cli.train",
                "tui.app.screens", "tui.app.widgets.compare", "tui.lessons.lint",
                "tui.core.sweep", "tui.core.pytorch_export"),))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


# ── the digits panels: mounted on image tasks only ─────────────────────────────

def _screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(s.text for s in strip) for strip in strips)


async def test_the_digits_panels_come_when_a_session_first_has_images():
    """A run that starts on XOR composes no digits panels (three hidden widgets fewer before
    the first frame); when its session becomes an image task (a lesson's chapter, a teacher
    followed) they are mounted where an image task composes them, and the screen is the
    one an app started on that task shows."""
    from tui.app.app import TinyNetApp
    from tui.core.config import RunConfig, build, task_config
    from tui.core.session import Session

    app = TinyNetApp(build(RunConfig()))
    direct = TinyNetApp(build(task_config("digits")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.query("#weights") and not app.query("#confusion")
        app.pause()
        app.session = Session(build(task_config("digits")))  # as a lesson's chapter does
        app.redraw(True)
        for _ in range(4):
            await pilot.pause()
        ids = [w.id for w in app.query_one("#main").children]
        assert ids[:3] == ["weights", "digit-diagram", "diagram"] and ids[-1] == "confusion"
        assert app.query_one("#weights").border_title.startswith("weights")
        switched = _screen_text(app)
    async with direct.run_test(size=(120, 40)) as pilot:
        for _ in range(4):
            await pilot.pause()
        assert [w.id for w in direct.query_one("#main").children] == ids
        assert switched == _screen_text(direct)

"""The first screen explains itself: a one-time hint, a legend under the neuron maps until `m`
has been pressed once, and `--help` that ends with the commands to try first."""
from __future__ import annotations

import json

import pytest

from tui.cli.main import make_parser
from tui.core.config import RunConfig, build
from tui.core.first_run import HINT, FirstRun, map_legend


def test_hint_is_fresh_once_and_remembered(tmp_path):
    path = tmp_path / "state" / "seen.json"
    state = FirstRun(path)
    assert state.fresh("hint") is True
    assert state.fresh("hint") is False
    assert json.loads(path.read_text())["seen"] == ["hint"]
    assert FirstRun(path).seen("hint") and not FirstRun(path).seen("map")


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'{"seen": "hint"}',
                                     b"[" * 100_000, b'{"seen": [' + b'"x",' * 2000 + b'"y"]}'])
def test_odd_state_files_count_as_unseen(tmp_path, content):
    path = tmp_path / "seen.json"
    path.write_bytes(content)
    assert not FirstRun(path).seen("hint")


def test_a_fifo_does_not_block(tmp_path):
    import os

    path = tmp_path / "seen.json"
    os.mkfifo(path)
    state = FirstRun(path)  # would block forever if it were opened
    assert not state.seen("hint")


def test_unwritable_state_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    state = FirstRun(blocker / "sub" / "seen.json")  # its folder cannot be made
    assert state.fresh("hint") is True  # still shown; nothing raised


def test_default_path_follows_xdg(monkeypatch, tmp_path):
    from tui.core.first_run import default_path

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "tinynet-tui" / "seen.json"


def test_legend_names_the_colours_and_the_no_color_glyphs():
    assert "orange low" in map_legend("truecolor") and "blue high" in map_legend("256")
    assert len(map_legend("truecolor")) <= 54 and len(map_legend(None)) <= 54  # fits 120 columns
    assert "░" in map_legend(None) and "orange" not in map_legend(None)
    for width in range(13, 60):                       # a lesson's narrow diagram: shorter
        assert len(map_legend("truecolor", width=width)) <= width
        assert map_legend("truecolor", width=width).startswith("maps")


def test_help_ends_with_three_commands_to_try():
    text = make_parser().format_help()
    tail = text[text.index("try first:"):].splitlines()[1:4]
    assert [line.split()[:3] for line in tail] == [
        ["tinynet-tui", "learn", "backprop"], ["tinynet-tui", "the", "app"],
        ["tinynet-tui", "train", "--task"]]
    assert text.index("try first:") > text.index("--fps")  # at the very end


async def test_first_start_shows_the_hint_and_the_legend_until_m(tmp_path):
    from tui.app.app import TinyNetApp
    from tui.app.widgets.diagram import color_system

    state = FirstRun(tmp_path / "seen.json")
    app = TinyNetApp(build(RunConfig(task="spiral")), first_run=state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications] == [HINT]
        diagram = app.query_one("#diagram")
        assert str(diagram.border_subtitle) == map_legend(color_system(app),
                                                          width=diagram.size.width - 6)
        await pilot.press("m")
        await pilot.pause()
        app.redraw(True)                              # the maps stay labelled, without "m"
        assert str(diagram.border_subtitle) == map_legend(color_system(app), large_hint=False,
                                                          width=diagram.size.width - 6)
    assert FirstRun(tmp_path / "seen.json").things == {"hint", "map"}
    again = TinyNetApp(build(RunConfig(task="spiral")), first_run=FirstRun(tmp_path / "seen.json"))
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not list(again._notifications)
        assert "m: large" not in str(again.query_one("#diagram").border_subtitle)
        assert "a(x₁,x₂)" in str(again.query_one("#diagram").border_subtitle)


async def test_apps_made_without_first_run_show_no_hint(tmp_path):
    """Tests, snapshots, lessons and followers build the app without it: no hint; the maps'
    legend says what they are (issue 22: never unlabelled maps), without "m: large"."""
    from tui.app.app import TinyNetApp

    app = TinyNetApp(build(RunConfig(task="spiral")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not list(app._notifications)
        assert str(app.query_one("#diagram").border_subtitle).startswith("maps a(x₁,x₂): ")

"""The App's shell: view state is an input of the frame (no touch() by hand), workers and
widgets report by message, dialogs dismiss with what the app applies."""
from pathlib import Path

from tui.app.app import TinyNetApp
from tui.app.controllers.files import Exported
from tui.app.play import Player
from tui.core.config import RunConfig, build

ROOT = Path(__file__).resolve().parents[1]


async def test_view_keys_redraw_without_changing_the_session():
    app = TinyNetApp(build(RunConfig(task="regression", batch=8)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        version, drawn = app.session.version, app.redraws
        for key, field in (("y", "log_scale"), ("B", "batch_losses")):
            before = getattr(app.view, field)
            await pilot.press(key)
            await pilot.pause()
            assert getattr(app.view, field) is not before, key
        await pilot.press("v")                              # compact layout: swap the panel
        await pilot.pause(0.1)
        assert app.screen.has_class("show-predictions")
        assert app.session.version == version               # nothing recorded, nothing touched
        assert app.redraws >= drawn + 3                     # yet each key was drawn


async def test_the_play_worker_and_the_export_worker_report_by_message(tmp_path):
    app = TinyNetApp(build(RunConfig()), export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.playing = True
        app.post_message(Player.Breakpoint("loss went up"))
        await pilot.pause()
        assert not app.playing
        assert any("loss went up" in str(n.message) for n in app._notifications)
        app.post_message(Exported(tmp_path, [tmp_path / "loss.png"]))
        app.post_message(Exported(tmp_path, [], "disk full"))
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert f"{tmp_path}/ (loss.png)" in said and "disk full" in said


def test_no_worker_calls_the_app_and_no_widget_reaches_for_it():
    app_dir = ROOT / "tui" / "app"
    for path in [app_dir / "play.py", app_dir / "controllers" / "files.py"]:
        assert "call_from_thread" not in path.read_text(), path
    for path in (app_dir / "widgets").glob("*.py"):
        assert "getattr(self.app" not in path.read_text(), path

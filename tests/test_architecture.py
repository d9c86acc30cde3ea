"""The wall: the engine imports nothing from the UI side."""
import subprocess
import sys


def test_nn_imports_no_ui_or_plotting_library():
    code = ("import sys, nn, nn.presets; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'rich', 'tui', 'matplotlib', 'plotext')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

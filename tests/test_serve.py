"""Browser mode: serve the app, open it in headless Chromium, press keys."""
import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdp import Browser, find_chromium, free_port, wait_for_http
from tui.cli import app_command, main, make_parser


def test_serve_binds_to_localhost_by_default_and_passes_options():
    args = make_parser().parse_args(["serve", "--task", "regression", "--hidden", "8,4",
                                     "--lr", "0.1", "--seed", "3"])
    assert args.host == "127.0.0.1" and args.port == 8000
    cmd = app_command(args)
    assert cmd[1:] == ["-m", "tui.cli", "--task", "regression", "--seed", "3", "--hidden", "8,4",
                       "--lr", "0.1"]


def test_bad_port_and_busy_port_exit_2(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "must be from 1 to 65535" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1


async def press_until_file(page, keys: str, path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in keys:
            await page.key(key)
            await asyncio.sleep(0.15)
        for _ in range(10):
            if path.exists():
                return True
            await asyncio.sleep(0.2)
    return False


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
async def test_browser_draws_the_app_and_keys_reach_it(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/")
        async with Browser() as page:
            await page.goto(f"http://127.0.0.1:{port}/")
            await asyncio.sleep(2)
            await page.click(640, 430)
            # "s" saves the model as tinynet-xor-epoch<N>.npz in the server's folder:
            # once epoch 0 appears the app is drawn and listening
            assert await press_until_file(page, "s", tmp_path / "tinynet-xor-epoch0.npz", 90)
            # one whole epoch (g g g → epoch granularity, n), then save again
            assert await press_until_file(page, "gggns", tmp_path / "tinynet-xor-epoch1.npz", 45)
            await asyncio.sleep(0.5)
            await page.screenshot(tmp_path / "browser.png")
        assert (tmp_path / "browser.png").read_bytes()[:4] == b"\x89PNG"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

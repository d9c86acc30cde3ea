"""Browser mode: serve the app, open it in headless Chromium, press keys."""
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import aiohttp
from aiohttp import web

from cdp import Browser, find_chromium, free_port, wait_for_http
from tui.cli.main import main, make_parser
from tui.cli.options import app_command
from tui.net.serve import (MAX_COLUMNS, MAX_ROWS, add_follow_option, check_address,
                       follow_command, make_server)

# A stand-in for the app that speaks textual-serve's protocol and starts in milliseconds:
# it reports its terminal size ("size WxH") at start and after each resize, echoes keys,
# quits when told to and, like the real app, lingers when its input just ends.
FAKE_APP = r"""
import json, os, sys, time
out, inp = sys.stdout.buffer, sys.stdin.buffer
def packet(data):
    out.write(b"D" + len(data).to_bytes(4, "big") + data); out.flush()
out.write(b"__GANGLION__\n")
packet(f"size {os.environ['COLUMNS']}x{os.environ['ROWS']}".encode())
while kind := inp.read(1):
    data = inp.read(int.from_bytes(inp.read(4), "big"))
    if kind == b"M":
        meta = json.loads(data)
        if meta["type"] == "quit":
            break
        if meta["type"] == "resize":
            packet(f"size {meta['width']}x{meta['height']}".encode())
    else:
        packet(b"echo " + data)
else:
    time.sleep(30)
"""
FAKE = [sys.executable, "-c", FAKE_APP]
TOKEN = "s3cret-token"


class Served:
    """``async with Served(...) as s:`` — the guarded server on 127.0.0.1:<free port>."""

    def __init__(self, token=TOKEN, max_clients=4, host="127.0.0.1", command=FAKE):
        self.server = make_server(command, host, 0, token=token, max_clients=max_clients)
        self.host = host

    async def __aenter__(self):
        self.runner = web.AppRunner(self.server.make_app(), access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, 0).start()
        port = self.runner.addresses[0][1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.http, self.ws = f"http://{host}:{port}", f"ws://{host}:{port}"
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc):
        await self.session.close()
        await self.server.close_tabs()
        await self.runner.cleanup()

    async def status(self, path, **headers) -> int:
        async with self.session.get(self.http + path, headers=headers) as response:
            return response.status

    async def refused(self, path, **headers) -> int:
        """Status of a refused websocket handshake (fails the test if it is accepted)."""
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await self.session.ws_connect(self.ws + path, headers=headers)
        return info.value.status


async def next_text(ws, timeout=10.0) -> str:
    msg = await asyncio.wait_for(ws.receive(), timeout)
    assert msg.type == aiohttp.WSMsgType.BINARY, msg
    return msg.data.decode()


async def test_foreign_origin_or_host_is_refused_and_starts_no_process():
    async with Served() as s:
        evil = {"Origin": "http://evil.example"}
        assert await s.status(f"/?token={TOKEN}", **evil) == 403
        assert await s.refused(f"/ws/{TOKEN}", **evil) == 403
        other_name = s.http.replace("127.0.0.1", "localhost")  # must match Host exactly
        assert await s.refused(f"/ws/{TOKEN}", Origin=other_name) == 403
        assert await s.refused(f"/ws/{TOKEN}", Host="evil.example") == 403  # DNS rebinding
        assert s.server.started == 0
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}", headers={"Origin": s.http}) as ws:
            assert (await next_text(ws)).startswith("size ")
        assert s.server.started == 1


async def test_page_and_websocket_need_the_token():
    async with Served() as s:
        assert await s.status("/") == 403
        assert await s.status("/?token=wrong") == 403
        assert await s.refused("/ws") == 403
        assert await s.refused("/ws/wrong") == 403
        assert await s.refused("/ws?token=" + TOKEN[:-1]) == 403
        assert s.server.started == 0
        async with s.session.get(f"{s.http}/?token={TOKEN}") as response:
            assert response.status == 200
            assert f'"{s.ws}/ws/{TOKEN}"' in await response.text()  # the page passes it on
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}?width=80&height=24") as ws:
            assert await next_text(ws) == "size 80x24"
            await ws.send_json(["stdin", "n"])
            assert await next_text(ws) == "echo n"


async def test_no_token_serves_without_one():
    async with Served(token=None) as s:
        async with s.session.get(s.http + "/") as response:
            assert response.status == 200 and f'"{s.ws}/ws"' in await response.text()
        async with s.session.ws_connect(s.ws + "/ws") as ws:
            assert (await next_text(ws)).startswith("size ")


async def test_one_tab_too_many_is_told_so_and_starts_nothing():
    async with Served(max_clients=2) as s:
        first = await s.session.ws_connect(f"{s.ws}/ws/{TOKEN}")
        second = await s.session.ws_connect(f"{s.ws}/ws/{TOKEN}")
        await next_text(first), await next_text(second)
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}") as third:
            assert "--max-clients 2" in await next_text(third)
            assert (await third.receive()).type == aiohttp.WSMsgType.CLOSE
        assert s.server.started == 2
        await first.close()
        for _ in range(50):  # the slot frees once the first tab's app has quit
            if s.server.clients < 2:
                break
            await asyncio.sleep(0.05)
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}") as fourth:
            assert (await next_text(fourth)).startswith("size ")
        await second.close()


async def test_terminal_size_is_clamped():
    async with Served() as s:
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}?width=4000&height=4000") as ws:
            assert await next_text(ws) == f"size {MAX_COLUMNS}x{MAX_ROWS}"
            await ws.send_json(["resize", {"width": 10**9, "height": -5}])
            assert await next_text(ws) == f"size {MAX_COLUMNS}x1"
            await ws.send_str("not json")  # ignored, the tab lives on
            await ws.send_json(["resize", {"width": 120, "height": 40}])
            assert await next_text(ws) == "size 120x40"


async def test_page_asks_no_other_host_and_its_font_is_served():
    async with Served() as s:
        async with s.session.get(f"{s.http}/?token={TOKEN}") as response:
            html = await response.text()
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "googleapis" not in html and "gstatic" not in html
        assert re.findall(r"https?://", html) == []
        font = re.search(r'url\("(/static/fonts/[^"]+)"\)', html).group(1)
        assert await s.status(font) == 200
        assert await s.status("/static/js/textual.js") == 200
        assert "/fonts/symbols.ttf" in html and await s.status("/fonts/symbols.ttf") == 200


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
async def test_ipv6_loopback_works():
    assert check_address("::1", free_port()) is None
    async with Served(host="::1") as s:
        assert await s.status(f"/?token={TOKEN}") == 200
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}", headers={"Origin": s.http}) as ws:
            assert (await next_text(ws)).startswith("size ")


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def start_and_kill(server: subprocess.Popen, port: int, tabs: int, first_output) -> None:
    """Open ``tabs`` tabs on a server started with ``serve`` (stdout piped), wait for each
    app's ``first_output`` check, SIGKILL the server: its app processes must go too."""
    line = server.stdout.readline()
    url = re.search(r"http://127\.0\.0\.1:\d+/\?token=(\S+)", line)
    assert url, line
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(f"ws://127.0.0.1:{port}/ws/{url.group(1)}")
                   for _ in range(tabs)]
        for ws in sockets:
            await first_output(ws)
        kids = children(server.pid)
        assert len(kids) == tabs
        server.kill()
        server.wait(5)
        deadline = time.monotonic() + 5
        while any(map(alive, kids)) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        orphans = [pid for pid in kids if alive(pid)]
        for pid in orphans:  # do not leave them behind when the test fails
            os.kill(pid, signal.SIGKILL)
        assert not orphans, "an app outlived its server"
        for ws in sockets:
            await ws.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
async def test_app_processes_die_with_a_sigkilled_server():
    port = free_port()
    code = f"from tui.net.serve import serve; serve({FAKE!r}, '127.0.0.1', {port})"
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        async def started(ws):
            assert (await next_text(ws)).startswith("size ")
        await start_and_kill(server, port, 2, started)
    finally:
        server.kill()
        server.wait(5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
async def test_the_real_app_starts_with_the_token_and_dies_with_its_server(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "serve", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        async def draws(ws):  # the app's first screen: terminal escape sequences
            assert "\x1b[" in await next_text(ws, 60)
        await start_and_kill(server, port, 1, draws)
    finally:
        server.kill()
        server.wait(5)


def test_serve_binds_to_localhost_by_default_and_passes_options():
    args = make_parser().parse_args(["serve", "--task", "regression", "--hidden", "8,4",
                                     "--lr", "0.1", "--seed", "3"])
    assert args.host == "127.0.0.1" and args.port == 8000
    assert not args.no_token and args.max_clients == 4
    cmd = app_command(args)
    assert cmd[1:] == ["-m", "tui.cli.main", "--task", "regression", "--seed", "3", "--hidden", "8,4",
                       "--lr", "0.1"]


def test_bad_port_busy_port_and_bad_host_exit_2(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "must be from 1 to 65535" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1
    assert main(["serve", "--host", "no-such-host.invalid"]) == 2
    err = capsys.readouterr().err
    assert "cannot listen on no-such-host.invalid:8000" in err and err.count("\n") == 1
    assert main(["serve", "--max-clients", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


async def press_until_file(page, keys: str, path: Path, timeout: float,
                           click: tuple[int, int] | None = None) -> bool:
    """Press ``keys`` until ``path`` exists (or ``timeout`` s); ``click``: a point clicked
    before each round, so the terminal has the focus even when the page drew late (under
    load the one click after 2 s landed before the terminal existed, and no key arrived)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if click is not None:
            await page.click(*click)
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
    server = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "serve", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    try:
        url = re.search(r"http://\S+/\?token=\S+", server.stdout.readline()).group(0)
        wait_for_http(url)
        async with Browser() as page:
            await page.goto(url)
            await asyncio.sleep(2)
            # "s" saves the model as tinynet-xor-epoch<N>.npz in the server's folder:
            # once epoch 0 appears the app is drawn and listening
            assert await press_until_file(page, "s", tmp_path / "tinynet-xor-epoch0.npz", 90,
                                          click=(640, 430))
            # one whole epoch (g g g → epoch granularity, n), then save again
            assert await press_until_file(page, "gggns", tmp_path / "tinynet-xor-epoch1.npz", 45)
            await asyncio.sleep(0.5)
            await page.screenshot(tmp_path / "browser.png")
            if os.environ.get("TINYNET_BROWSER_PNG"):  # regenerate screenshots/browser.png
                await asyncio.sleep(10)  # once the notifications are gone
                await page.screenshot(os.environ["TINYNET_BROWSER_PNG"])
        assert (tmp_path / "browser.png").read_bytes()[:4] == b"\x89PNG"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


# ------------------------------------------------------------------ serve --follow
def test_follow_command_is_the_follow_argv_and_bad_values_are_one_line():
    assert follow_command("127.0.0.1:8765", "abcd-1234") == [
        sys.executable, "-m", "tui.cli.main", "follow", "127.0.0.1:8765", "ABCD1234"]
    assert follow_command("[::1]:9000", "XYZ123")[-2:] == ["[::1]:9000", "XYZ123"]
    for address, code in [("127.0.0.1", "ABCD12"), ("host:99999", "ABCD12"),
                          ("127.0.0.1:8765", "ab"), ("127.0.0.1:8765", "AB CD!")]:
        with pytest.raises(ValueError) as info:
            follow_command(address, code)
        assert "\n" not in str(info.value) and str(info.value)
    import argparse

    parser = argparse.ArgumentParser()
    add_follow_option(parser)
    assert parser.parse_args([]).follow is None
    assert parser.parse_args(["--follow", "h:1", "C0DE"]).follow == ["h:1", "C0DE"]


@pytest.fixture
def teacher(tmp_path, monkeypatch):
    """A headless teacher (``tui.net.share.ShareServer`` of an xor Session); the tabs' apps
    start in ``tmp_path``, where their ``s`` saves the model."""
    from tui.core.config import RunConfig, build
    from tui.core.session import Session
    from tui.net.share import ShareServer

    session = Session(build(RunConfig(task="xor")))
    server = ShareServer(session)
    server.start()
    monkeypatch.chdir(tmp_path)  # the tab's app saves into its working folder
    yield session, server
    server.stop()


def teacher_steps(session, epochs: int) -> None:
    from nn import Granularity

    session.granularity = Granularity.EPOCH
    for _ in range(epochs):
        session.step()


def same_weights(path: Path, session) -> bool:
    with np.load(path) as model:
        return all(np.array_equal(model[f"W{i}"], layer.W)
                   and np.array_equal(model[f"b{i}"], layer.b)
                   for i, layer in enumerate(session.net.layers))


async def until_joined(teacher, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while teacher.followers < 1:
        assert time.monotonic() < deadline, "the tab never joined the teacher"
        await asyncio.sleep(0.05)


async def test_a_served_tab_follows_the_teacher_bit_for_bit(tmp_path, teacher):
    """``serve --follow``'s argv behind the guarded server, one tab (a websocket, as the
    page opens it): the tab's app mirrors the teacher's steps — its ``s`` saves the
    teacher's epoch and weights."""
    session, teacher = teacher
    argv = follow_command(teacher.address, teacher.code)
    async with Served(command=argv) as s:
        async with s.session.get(f"{s.http}/?token={TOKEN}") as response:
            html = await response.text()  # the teacher stays on the server side
        assert teacher.code not in html and str(teacher.port) not in html
        async with s.session.ws_connect(f"{s.ws}/ws/{TOKEN}?width=120&height=40") as ws:
            assert "\x1b[" in await next_text(ws, 20)  # the app draws
            await until_joined(teacher)
            teacher_steps(session, 3)
            deadline = time.monotonic() + 20
            saved = tmp_path / "tinynet-xor-epoch3.npz"
            while not saved.exists():  # "s" saves tinynet-xor-epoch<N>.npz
                assert time.monotonic() < deadline, sorted(p.name for p in tmp_path.iterdir())
                await ws.send_json(["stdin", "s"])
                for _ in range(10):
                    if saved.exists():
                        break
                    await asyncio.sleep(0.05)
            assert session.stepper.epoch == 3 and s.server.started == 1
            assert same_weights(saved, session)


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
async def test_a_browser_tab_follows_the_teacher(tmp_path, teacher):
    """The same in headless Chromium: the page, its keys, the tab's follower app."""
    session, teacher = teacher
    async with Served(command=follow_command(teacher.address, teacher.code)) as s:
        async with Browser() as page:
            await page.goto(f"{s.http}/?token={TOKEN}")
            await until_joined(teacher)
            teacher_steps(session, 2)
            saved = tmp_path / "tinynet-xor-epoch2.npz"
            deadline = time.monotonic() + 20
            while not saved.exists():  # the terminal takes keys once the page has loaded
                assert time.monotonic() < deadline, sorted(p.name for p in tmp_path.iterdir())
                await page.click(640, 430)  # (selects a neuron at most: not an action)
                await press_until_file(page, "s", saved, 0.1)
            teacher_steps(session, 1)  # and it keeps following
            assert await press_until_file(page, "s", tmp_path / "tinynet-xor-epoch3.npz", 10)
        assert same_weights(tmp_path / "tinynet-xor-epoch3.npz", session)


def test_serve_follow_serves_the_follow_command_and_refuses_bad_values(monkeypatch, capsys):
    served = {}
    monkeypatch.setattr("tui.net.serve.serve", lambda command, host, port, **kw:
                        served.update(command=command, **kw) or 0)
    assert main(["serve", "--follow", "127.0.0.1:8765", "abcd-12", "--port", "8001"]) == 0
    assert served["command"] == follow_command("127.0.0.1:8765", "ABCD12")
    assert served["follow"] == "127.0.0.1:8765" and served["token"] is True
    for bad, why in [(["127.0.0.1", "ABCD12"], "HOST:PORT"), (["h:1", "no!"], "join code"),
                     (["h:1", "ABCD12", "--task", "regression"], "model options")]:
        assert main(["serve", "--follow", *bad]) == 2
        err = capsys.readouterr().err
        assert why in err and err.count("\n") == 1 and "--follow" in err

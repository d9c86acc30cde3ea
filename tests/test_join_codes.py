"""Join codes that resist guessing: length, back-off, lockout, alerts, no replayable join line."""
import json
import socket
import time

import pytest

from tui.core import wire
from tui.core.config import RunConfig, build
from tui.net.join_guard import (BASE_DELAY_S, GLOBAL_BURST, LOCKOUT_AFTER, LOCKOUT_S, WARN_AFTER,
                            JoinGuard)
from tui.core.session import Session
from tui.net.share import ShareServer, join_code


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_codes_shorter_than_six_are_refused():
    import argparse

    for short in ("4831", "ABCDE", "AB-CDE"):
        with pytest.raises(argparse.ArgumentTypeError, match="6 to 32"):
            join_code(short)
    assert join_code("abc-234") == "ABC234"
    with pytest.raises(argparse.ArgumentTypeError) as exc:  # never echoes an escape
        join_code("\x1b]0;x\x07")
    assert "\x1b" not in str(exc.value)


def test_wrong_codes_back_off_doubling_then_lock_out():
    clock = Clock()
    guard = JoinGuard(clock)
    waits = []
    for k in range(1, LOCKOUT_AFTER):
        assert guard.refusal("10.0.0.9") is None
        guard.failed("10.0.0.9")
        assert "wait" in guard.refusal("10.0.0.9")
        waits.append(guard.closed_until["10.0.0.9"] - clock.t)
        clock.t += waits[-1]
    assert waits[:4] == [BASE_DELAY_S, 2 * BASE_DELAY_S, 4 * BASE_DELAY_S, 8 * BASE_DELAY_S]
    guard.failed("10.0.0.9")
    clock.t += 120
    assert "locked out" in guard.refusal("10.0.0.9")      # the right code would not help
    assert guard.refusal("10.0.0.8") is None               # another address is not affected
    clock.t += LOCKOUT_S
    assert guard.refusal("10.0.0.9") is None


def test_a_right_code_clears_the_count_and_guessing_raises_an_alert():
    clock = Clock()
    guard = JoinGuard(clock)
    alerts = []
    for _ in range(WARN_AFTER):
        alerts.append(guard.failed("a"))
        clock.t += 100
    assert alerts[:-1] == [None] * (WARN_AFTER - 1) and "guessing" in alerts[-1]
    guard.succeeded("a")
    assert guard.refusal("a") is None and "a" not in guard.failures


def test_guesses_from_many_addresses_slow_every_join():
    clock = Clock()
    guard = JoinGuard(clock)
    alerts = [guard.failed(f"10.0.{k // 256}.{k % 256}") for k in range(GLOBAL_BURST + 1)]
    assert "someone may be guessing" in alerts[-1]
    assert "joins wait" in guard.refusal("192.168.1.1")
    clock.t += 61
    assert guard.refusal("192.168.1.1") is None


def _connect(server):
    sock = socket.create_connection((server.host, server.port), timeout=3)
    return sock, sock.makefile("rb")


def _reply(reader):
    try:
        return reader.readline()
    except OSError:
        return b""


@pytest.fixture
def server():
    session = Session(build(RunConfig(task="xor")))
    s = ShareServer(session)
    s.start()
    yield s
    s.stop()


def test_a_captured_join_line_cannot_be_replayed(server):
    sock, reader = _connect(server)
    nonce = json.loads(reader.readline())["nonce"]
    captured = wire.encode("join", proof=wire.join_proof(server.code, nonce), name=None)
    sock.sendall(captured)
    assert json.loads(reader.readline())["type"] == "hello"
    sock.close()
    sock, reader = _connect(server)  # a new connection: a new nonce
    assert json.loads(reader.readline())["nonce"] != nonce
    sock.sendall(captured)
    assert b"wrong join code" in _reply(reader)
    sock.close()


def test_guessing_over_tcp_is_throttled_and_reported(server):
    alerts = []
    server.on_alert = alerts.append
    start, verdicts = time.monotonic(), []
    while time.monotonic() - start < 1.5:
        sock, reader = _connect(server)
        first = json.loads(reader.readline())
        if first["type"] == "challenge":
            guess = wire.join_proof("WRONG9", first["nonce"])
            sock.sendall(wire.encode("join", proof=guess, name=None))
            first = json.loads(_reply(reader) or b"{}")
        verdicts.append(first.get("reason", ""))
        sock.close()
    wrong = sum(v == "wrong join code" for v in verdicts)
    # 1 s, then 2 s of back-off: at most two codes are looked at in 1.5 s (not thousands)
    assert 1 <= wrong <= 2 and len(verdicts) > wrong
    assert all(v == "wrong join code" or "wait" in v for v in verdicts)
    server.guard.failures["127.0.0.1"] = WARN_AFTER - 1
    server.guard.closed_until.clear()
    sock, reader = _connect(server)
    nonce = json.loads(reader.readline())["nonce"]
    sock.sendall(wire.encode("join", proof=wire.join_proof("WRONG9", nonce), name=None))
    _reply(reader)
    sock.close()
    assert alerts and "127.0.0.1" in alerts[-1] and list(server.alerts) == alerts


def test_a_teachers_error_reason_reaches_the_follower_printable():
    line = wire.encode("error", reason="bad\x1b]0;pwned\x07 \u202eevil")
    reason = wire.decode_from_teacher(line).data["reason"]
    assert "\x1b" not in reason and "\x07" not in reason and "\u202e" not in reason
    assert "␛" in reason and "<U+202E>" in reason

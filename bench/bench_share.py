"""Follow mode on loopback: bytes on the wire, latency to 30 followers, late-join time.

    python bench/bench_share.py [--followers 30]

Measures (real TCP, headless followers, the teacher driven through its Session):
- bytes per action and per second while the teacher plays as the app does (a ``play``
  chunk every ~12 ms), per follower;
- latency from the teacher's action to the last of N followers having carried it out;
- a late joiner's catch-up: hello size and time to replay a long log.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from nn import Granularity  # noqa: E402
from tui.core import wire  # noqa: E402
from tui.core.config import RunConfig, build  # noqa: E402
from tui.net.follow import Follower  # noqa: E402
from tui.core.session import Session  # noqa: E402
from tui.net.share import ShareServer  # noqa: E402


def wait(predicate, timeout=60.0):
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit("timed out")
        time.sleep(0.0005)


def counted_bytes(server: ShareServer, seconds: float, act) -> tuple[int, int]:
    """Bytes a raw follower receives while ``act()`` runs for ``seconds``; and messages."""
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(wire.encode("join", code=server.code))
    sock.settimeout(0.5)
    hello = b""
    while b'"type":"hello"' not in hello:
        hello += sock.recv(65536)
    start, seq = time.monotonic(), server.seq
    while time.monotonic() - start < seconds:
        act()
        time.sleep(0.006)
    got = b""
    try:
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        pass
    sock.close()
    return len(got), server.seq - seq


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=30)
    args = parser.parse_args()

    for task in ("xor", "regression"):
        session = Session(build(RunConfig(task=task)))
        server = ShareServer(session)
        server.start()
        nbytes, messages = counted_bytes(server, 3.0, lambda: session.play_chunk(20))
        print(f"{task}: playing (a play chunk every ~12 ms): {messages / 3:.0f} actions/s, "
              f"{nbytes / 3 / 1024:.1f} KiB/s per follower, {nbytes / max(messages, 1):.0f} "
              "bytes per action")
        server.stop()

    session = Session(build(RunConfig(task="xor")))
    server = ShareServer(session)
    server.start()
    fs = [Follower(server.host, server.port, server.code).start() for _ in range(args.followers)]
    wait(lambda: all(f.state == "following" for f in fs))
    lat = []
    for k in range(200):
        session.granularity = Granularity.NEURON if k % 3 else Granularity.LAYER
        t = time.perf_counter()
        session.step()
        wait(lambda: all(f.applied_seq == server.seq for f in fs))
        lat.append(time.perf_counter() - t)
    lat.sort()
    print(f"{args.followers} followers: step → all carried it out: median "
          f"{statistics.median(lat) * 1e3:.1f} ms, p95 {lat[int(0.95 * len(lat))] * 1e3:.1f} ms")
    for f in fs:
        f.stop()

    from test_share import teacher_actions  # the tests' random mix of every action

    teacher_actions(session, 10_000, seed=3)
    session.play_chunk(20_000, breakpoints=False)
    lines = wire.hello_lines(server.run_id, server.seq, session.start_config,
                             [a.to_json() for a in server.log])
    t = time.perf_counter()
    late = Follower(server.host, server.port, server.code).start()
    wait(lambda: late.applied_seq == server.seq and late.session is not None)
    print(f"late joiner: {server.seq} actions recorded ({len(server.log)} in the merged log, "
          f"epoch {session.stepper.epoch}), hello {sum(map(len, lines)) / 1024:.0f} KiB, "
          f"caught up in {time.perf_counter() - t:.2f} s")
    late.stop()
    server.stop()


if __name__ == "__main__":
    main()

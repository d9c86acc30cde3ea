"""The app over a real SSH connection at 1 Mbit/s and 100 ms round trip (run as root).

    python bench/bench_ssh.py [--task xor ...] [--seconds 10] [--raw-too]

Sets up, all in its own temporary directory and network namespace, and removes it afterwards:

* ``sshd`` (Debian's openssh-server; installed with apt-get if missing) with a generated host key
  and an authorized key for root, started with ``-f`` its own config and ``-D``, listening inside a
  network namespace ``tinybw<pid>`` joined to this one by a veth pair;
* both ends of the veth shaped to 1 Mbit/s with ``tc qdisc … tbf`` (this kernel has no netem);
* ~100 ms round trip added by bench/relay.py (50 ms each way) on 127.0.0.1, in front of sshd.

For each task, with and without ``ssh -C``: ``ssh -tt`` runs the app (through bench_pty's launcher)
in a 120×40 pty, space starts playing, and for ``--seconds`` the relay counts the wire bytes
(server → client); every second ``+`` or ``-`` changes the speed and the time until the status line
shows the new speed is the key → screen latency.  The backlog is checked twice: the latency must
not grow from the first half of the run to the second, and after space pauses, the output must
stop soon (drain time).  ``--raw-too`` also runs Textual's own output (no tui.app.bandwidth).
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pty import LAUNCHER, ROOT, Screen, _read, spawn, stop  # noqa: E402
from relay import Relay  # noqa: E402

SPEEDS = {b"+": "300/s", b"-": "100/s"}  #: the play speed shown after each key (from 100/s)


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Link:
    """sshd in a namespace behind a 1 Mbit/s veth and a delaying relay; a context manager."""

    def __init__(self, rate: str = "1mbit", delay: float = 0.05) -> None:
        self.rate, self.delay = rate, delay
        n = os.getpid() % 50000
        self.ns, self.host_if, self.ns_if = f"tinybw{n}", f"tbh{n}", f"tbn{n}"
        self.net = f"10.{200 + n % 50}.{n % 250}"
        self.dir = Path(tempfile.mkdtemp(prefix="tinybw-ssh-"))
        self.sshd = None
        self.relay = None

    def __enter__(self) -> "Link":
        if not Path("/usr/sbin/sshd").exists():
            print("installing openssh-server …", flush=True)
            sh("apt-get", "install", "-y", "-q", "openssh-server")
        d = self.dir
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host_key"))
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "client_key"))
        shutil.copy(d / "client_key.pub", d / "authorized_keys")
        (d / "sshd_config").write_text(
            f"ListenAddress {self.net}.2\nPort 2222\nHostKey {d / 'host_key'}\n"
            f"AuthorizedKeysFile {d / 'authorized_keys'}\nPidFile {d / 'sshd.pid'}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\n"
            "StrictModes no\nPrintMotd no\nCompression yes\n")
        Path("/run/sshd").mkdir(exist_ok=True)
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if)
        sh("ip", "link", "set", self.ns_if, "netns", self.ns)
        sh("ip", "addr", "add", f"{self.net}.1/30", "dev", self.host_if)
        sh("ip", "link", "set", self.host_if, "up")
        ns = ("ip", "netns", "exec", self.ns)
        sh(*ns, "ip", "addr", "add", f"{self.net}.2/30", "dev", self.ns_if)
        sh(*ns, "ip", "link", "set", self.ns_if, "up")
        sh(*ns, "ip", "link", "set", "lo", "up")
        tbf = ("root", "tbf", "rate", self.rate, "burst", "16kb", "latency", "400ms")
        sh("tc", "qdisc", "add", "dev", self.host_if, *tbf)            # client → server
        sh(*ns, "tc", "qdisc", "add", "dev", self.ns_if, *tbf)         # server → client
        self.sshd = subprocess.Popen([*ns, "/usr/sbin/sshd", "-D", "-e", "-f", str(d / "sshd_config")],
                                     stderr=open(d / "sshd.log", "w"))
        for _ in range(50):
            try:
                socket.create_connection((f"{self.net}.2", 2222), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        self.port = free_port()
        self.relay = Relay(self.port, (f"{self.net}.2", 2222), self.delay).start()
        return self

    def __exit__(self, *exc) -> None:
        if self.relay:
            self.relay.stop()
        if self.sshd:
            self.sshd.terminate()
            self.sshd.wait(5)
        sh("ip", "link", "del", self.host_if, check=False)
        sh("ip", "netns", "del", self.ns, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def ssh_argv(self, remote: str, compress: bool) -> list[str]:
        return ["ssh", "-tt", *(["-C"] if compress else []), "-p", str(self.port),
                "-i", str(self.dir / "client_key"), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "IdentitiesOnly=yes", "root@127.0.0.1", remote]


def measure(link: Link, task: str, compress: bool, raw: bool, seconds: float,
            cols: int = 120, rows: int = 40) -> dict:
    remote = (f"cd {shlex.quote(str(ROOT))} && TERM=xterm-256color COLORTERM=truecolor "
              f"TINYNET_BENCH_RAW={int(raw)} exec {shlex.quote(sys.executable)} "
              f"-c {shlex.quote(LAUNCHER)} --task {task}")
    pid, fd = spawn(link.ssh_argv(remote, compress), cols, rows)
    screen = Screen(cols, rows)
    out = {"task": task, "ssh": "-C" if compress else "plain", "app": "raw" if raw else "bandwidth"}
    try:
        end = time.perf_counter() + 40
        while time.perf_counter() < end:      # first screen, then quiet for 1 s
            if _read(fd, time.perf_counter() + 1.0, screen) == 0 and screen.epoch() is not None:
                break
        else:
            raise RuntimeError(f"no first screen over ssh:\n{screen.text()}")
        os.write(fd, b" ")
        t0 = time.perf_counter()
        latencies: list[tuple[float, float]] = []
        term_bytes = 0
        key = b"+"
        while time.perf_counter() - t0 < seconds:
            term_bytes += _read(fd, time.perf_counter() + 0.5, screen)
            sent = time.perf_counter()
            os.write(fd, key)
            want = f"playing {SPEEDS[key]}"
            while want not in screen.text() and time.perf_counter() - sent < 5:
                term_bytes += _read(fd, time.perf_counter() + 0.005, screen)
            latencies.append((sent - t0, time.perf_counter() - sent))
            key = b"-" if key == b"+" else b"+"
        t1 = time.perf_counter()
        os.write(fd, b" ")                     # pause: how long until the output stops?
        last = time.perf_counter()
        while time.perf_counter() - last < 0.5 and time.perf_counter() - t1 < 30:
            if _read(fd, time.perf_counter() + 0.05, screen):
                last = time.perf_counter()
        out.update(
            wire_kbps=link.relay.bytes_down(t0, t1) / (t1 - t0) / 1000,
            term_kbps=term_bytes / (t1 - t0) / 1000,
            latency_ms=[round(1000 * dt) for _, dt in latencies],
            drain_s=last - t1,
            epoch=screen.epoch())
        half = len(latencies) // 2
        first = [dt for _, dt in latencies[:half]] or [0]
        second = [dt for _, dt in latencies[half:]] or [0]
        out["median_ms"] = 1000 * statistics.median(dt for _, dt in latencies)
        out["max_ms"] = 1000 * max(dt for _, dt in latencies)
        out["growth_ms"] = 1000 * (statistics.median(second) - statistics.median(first))
        os.write(fd, b"q")
        _read(fd, time.perf_counter() + 1.0, screen)
    finally:
        stop(pid, fd)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", action="append", help="repeatable; default xor, regression, spiral")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--raw-too", action="store_true", help="also without tui.app.bandwidth")
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench_ssh.py: needs root (ip netns, tc, sshd)")
    print("| task | app | ssh | wire KB/s | terminal KB/s | key → screen median / max ms "
          "| latency growth ms | drain after pause s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    with Link() as link:
        for task in a.task or ["xor", "regression", "spiral"]:
            for raw in ([False, True] if a.raw_too else [False]):
                for compress in (False, True):
                    r = measure(link, task, compress, raw, a.seconds)
                    print(f"| {task} | {r['app']} | {r['ssh']} | {r['wire_kbps']:.1f} | "
                          f"{r['term_kbps']:.1f} | {r['median_ms']:.0f} / {r['max_ms']:.0f} | "
                          f"{r['growth_ms']:+.0f} | {r['drain_s']:.2f} |", flush=True)


if __name__ == "__main__":
    main()

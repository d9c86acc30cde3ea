"""A user-space TCP relay that delays every chunk by a fixed time in each direction.

    python bench/relay.py 2222 10.77.0.2:22 --delay 0.05     # 100 ms added round trip

This machine's kernel has ``tc tbf`` (rate) but no ``netem`` (delay), so the delay is added here:
each chunk read from one side is written to the other ``delay`` seconds later (order kept, no
limit on throughput, so only latency is added).  :class:`Relay` also counts the bytes of each
direction with timestamps, which is what bench_ssh.py reports as wire bytes.
"""
from __future__ import annotations

import argparse
import asyncio
import threading
import time


class Relay:
    """Listens on ``127.0.0.1:listen_port`` and relays to ``target`` in a background thread."""

    def __init__(self, listen_port: int, target: tuple[str, int], delay: float = 0.05) -> None:
        self.listen_port, self.target, self.delay = listen_port, target, delay
        self.down: list[tuple[float, int]] = []   #: (time, bytes) server → client
        self.up: list[tuple[float, int]] = []     #: (time, bytes) client → server
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="relay")

    def start(self) -> "Relay":
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("relay did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def bytes_down(self, t0: float, t1: float) -> int:
        """Server → client bytes relayed between ``t0`` and ``t1`` (perf_counter)."""
        return sum(n for t, n in list(self.down) if t0 <= t < t1)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.listen_port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(self._pipe(reader, up_writer, self.up),
                                 self._pipe(up_reader, writer, self.down))
        except asyncio.CancelledError:  # the relay is stopping
            pass
        finally:
            for w in (writer, up_writer):
                w.close()

    async def _pipe(self, reader, writer, log) -> None:
        queue: asyncio.Queue = asyncio.Queue()

        async def send() -> None:
            while True:
                due, chunk = await queue.get()
                if chunk is None:
                    break
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(chunk)
                await writer.drain()
                log.append((time.perf_counter(), len(chunk)))

        sender = asyncio.ensure_future(send())
        try:
            while chunk := await reader.read(65536):
                queue.put_nowait((time.perf_counter() + self.delay, chunk))
            queue.put_nowait((0.0, None))
            await sender
        except OSError:
            pass
        finally:
            sender.cancel()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("listen_port", type=int)
    p.add_argument("target", help="HOST:PORT")
    p.add_argument("--delay", type=float, default=0.05, help="seconds added each way (0.05)")
    a = p.parse_args()
    host, port = a.target.rsplit(":", 1)
    Relay(a.listen_port, (host, int(port)), a.delay).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

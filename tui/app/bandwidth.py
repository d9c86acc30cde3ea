"""Light over SSH: send the terminal only the cells that changed, within a byte budget.

Textual repaints whole regions of the screen (every line of a panel that refreshed).  While
playing, most of those cells are what the terminal already shows, and weight colours flicker
between shades nobody can tell apart.  :func:`install` puts a small terminal model between the
app's compositor and its driver:

* every compositor update is applied to ``want`` (a grid of cells: character + style id) instead
  of being written;
* a flush compares ``want`` with ``term`` (what the terminal shows) and writes only the runs of
  cells that differ, moving the cursor between them; a cell whose character is the same and whose
  colours are within :data:`COLOUR_TOLERANCE` of what is shown is left alone (hysteresis: the
  terminal keeps the old shade until the colour has really moved);
* flushes are paced by a token bucket of ``max_kbps`` (default :data:`DEFAULT_MAX_KBPS`): a big
  change waits, and the intermediate frames are never sent (the next flush sends the latest
  screen); a flush also waits while the driver's writer still has queued output (the terminal,
  or the SSH link, is behind), and at most ``fps`` flushes a second are made;
* a key press or click is answered at once: for :data:`KEY_WINDOW_S` after it, flushes ignore
  the budget and the backlog (as long as the debt is under :data:`KEY_DEBT_S` seconds of budget);
  so is the first screen (:func:`answer_now`, when the app's main screen is ready).

Idle costs nothing: no change, no bytes.  ``TINYNET_BANDWIDTH=off`` disables it,
``TINYNET_MAX_KBPS`` / ``TINYNET_FPS`` set the defaults (0 = no limit) when the app passes none.
"""
from __future__ import annotations

import asyncio
import os
import time
from collections import deque

from rich.cells import cell_len
from rich.color import Color, ColorSystem
from rich.control import ControlType
from rich.style import Style
from textual import events
from textual._ansi_sequences import SYNC_END, SYNC_START
from textual._compositor import CompositorUpdate, InlineUpdate
from textual.strip import Strip

DEFAULT_MAX_KBPS = 50.0   #: the budget while playing, KB/s (1 KB = 1000 bytes); 0 = unlimited
DEFAULT_FPS = 0.0         #: flushes per second at most; 0 = as often as the budget allows
TARGET_FRACTION = 0.8     #: pace to this share of the budget (cursor moves and keys use the rest)
BURST_S = 0.25            #: the bucket holds this many seconds of budget
KEY_DEBT_S = 1.0          #: a key is answered at once unless the debt is over this many seconds
KEY_WINDOW_S = 0.3        #: changes within this time after a key count as its answer
COLOUR_TOLERANCE = 24     #: per RGB channel (0–255): closer colours count as unchanged
COLOUR_STEP = 4           #: colours are rounded to this step before anything else
MERGE_GAP = 4             #: unchanged cells this short between two changed runs are re-sent
BACKLOG_RETRY_S = 0.02    #: while the writer is behind, look again after this long
_UNKNOWN = -1             #: style id of a cell whose content on the terminal is not known


def _sgr_change(old: tuple[str, str, str] | None, new: tuple[str, str, str]) -> str:
    """The shortest simple SGR sequence from style ``old`` (None: unknown) to ``new``; each is
    (attributes, fg, bg) parameters, "" for none/default."""
    if old is None or old[0] != new[0]:
        return "\x1b[" + ";".join(["0", *(p for p in new if p)]) + "m"
    parts = []
    if new[1] != old[1]:
        parts.append(new[1] or "39")
    if new[2] != old[2]:
        parts.append(new[2] or "49")
    return "\x1b[" + ";".join(parts) + "m" if parts else ""


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


def install(app, max_kbps: float | None = None, fps: float | None = None) -> "Bandwidth | None":
    """Put a :class:`Bandwidth` between ``app``'s compositor and its terminal (call from
    ``on_mount``).  ``max_kbps``: byte budget in KB/s (0 = unlimited, None = the default or
    ``TINYNET_MAX_KBPS``); ``fps``: most flushes per second (0/None = no limit, or ``TINYNET_FPS``).
    Returns the installed object (also ``app.bandwidth``); None where it does not apply
    (headless tests, inline mode, or ``TINYNET_BANDWIDTH=off``).  Calling it twice is harmless."""
    existing = getattr(app, "bandwidth", None)
    if isinstance(existing, Bandwidth):
        if max_kbps is not None or fps is not None:
            existing.configure(max_kbps, fps)
        return existing
    if os.environ.get("TINYNET_BANDWIDTH", "").lower() in ("off", "0", "no"):
        return None
    driver = getattr(app, "_driver", None)
    if driver is None or app.is_headless or getattr(driver, "is_inline", False):
        return None
    if max_kbps is None:
        max_kbps = _env_float("TINYNET_MAX_KBPS", DEFAULT_MAX_KBPS)
    if fps is None:
        fps = _env_float("TINYNET_FPS", DEFAULT_FPS)
    bw = Bandwidth(app, max_kbps, fps)
    app.bandwidth = bw
    original_display = app._display
    original_on_event = app.on_event

    def _display(screen, renderable) -> None:
        if not bw.take(renderable):
            original_display(screen, renderable)
            return
        app.post_display_hook()

    async def on_event(event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp, events.Resize)):
            bw.input_at = time.perf_counter()
        await original_on_event(event)

    app._display = _display
    app.on_event = on_event
    bw.input_at = time.perf_counter()  # the first screen is sent at once, like a key's answer
    try:
        app.app_resume_signal.subscribe(app, lambda _app: bw.forget())
    except Exception:  # pragma: no cover - older Textual: a resume repaints everything anyway
        pass
    return bw


def answer_now(app) -> None:
    """What changes on ``app``'s screen in the next :data:`KEY_WINDOW_S` is sent at once, as
    the answer to a key is: for the first screen (the panels' contents and the footer's keys
    come a few refreshes after the empty panels, and the budget the empty panels used would
    hold them back ≈ 0.1–0.3 s).  Nothing where no :class:`Bandwidth` is installed."""
    bw = getattr(app, "bandwidth", None)
    if isinstance(bw, Bandwidth):
        bw.input_at = time.perf_counter()


class Bandwidth:
    """The terminal model and the pacing; see the module docstring."""

    def __init__(self, app, max_kbps: float, fps: float) -> None:
        self.app = app
        self.cols = self.rows = 0
        self.want_ch: list[list[str]] = []
        self.want_st: list[list[int]] = []
        self.term_ch: list[list[str]] = []
        self.term_st: list[list[int]] = []
        self.dirty: set[int] = set()
        self._sid: dict[Style | None, int] = {}
        self._sgr: list[tuple[str, str, str]] = []  #: style id → SGR (attributes, fg, bg)
        self._key: list[tuple] = []            #: style id → (attributes, fg, bg) for nearness
        self._sgr_ids: dict[tuple[str, str, str], int] = {}
        self._near: dict[tuple[int, int], bool] = {}
        self.tokens = 0.0
        self.refilled = time.perf_counter()
        self.last_flush = 0.0
        self.input_at = 0.0                    #: time of the last key press / click
        self._timer: asyncio.TimerHandle | None = None
        self.sent = 0                          #: bytes written in total
        self.flushes = 0
        self.deferred = 0                      #: flushes postponed by the budget or a backlog
        self.history: deque[tuple[float, int]] = deque(maxlen=256)  #: (time, bytes) per flush
        self.configure(max_kbps, fps)

    def configure(self, max_kbps: float | None = None, fps: float | None = None) -> None:
        if max_kbps is not None:
            self.max_kbps = max(0.0, float(max_kbps))
        if fps is not None:
            self.fps = max(0.0, float(fps))
        self.rate = self.max_kbps * 1000 * TARGET_FRACTION  # bytes per second
        self.tokens = min(self.tokens, self.rate * BURST_S)

    # ------------------------------------------------------------- the model
    def forget(self) -> None:
        """The terminal's content is unknown (resumed, resized): the next flush sends it all."""
        for y in range(self.rows):
            self.term_st[y] = [_UNKNOWN] * self.cols
        self.dirty = set(range(self.rows))

    def _resize(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.want_ch = [[" "] * cols for _ in range(rows)]
        self.want_st = [[0] * cols for _ in range(rows)]
        self.term_ch = [[" "] * cols for _ in range(rows)]
        self.term_st = [[_UNKNOWN] * cols for _ in range(rows)]
        self.dirty = set(range(rows))

    def style_id(self, style: Style | None) -> int:
        sid = self._sid.get(style)
        if sid is None:
            if len(self._sid) > 20000:  # styles are cached per object: keep the cache bounded
                self._sid.clear()
            sgr, key = self._describe(style)
            sid = self._sgr_ids.get(sgr)
            if sid is None:
                sid = self._sgr_ids[sgr] = len(self._sgr)
                self._sgr.append(sgr)
                self._key.append(key)
            self._sid[style] = sid
        return sid

    def _describe(self, style: Style | None) -> tuple[tuple[str, str, str], tuple]:
        """SGR parameters (attributes, fg, bg) of ``style`` with its colours rounded to
        :data:`COLOUR_STEP`, and (attributes, fg, bg) where a colour is an RGB triplet, a name,
        or None (for :meth:`near`)."""
        if style is None or not style:
            return ("", "", ""), ("", None, None)
        system = self.app.console._color_system or ColorSystem.TRUECOLOR
        attributes = Strip.render_ansi(style.without_color, system)
        sgr, key = [attributes], [attributes]
        for c, background in ((style.color, False), (style.bgcolor, True)):
            if c is not None and c.triplet is not None and COLOUR_STEP > 1:
                r, g, b = (min(255, round(v / COLOUR_STEP) * COLOUR_STEP) for v in c.triplet)
                c = Color.from_rgb(r, g, b)
            if c is None:
                sgr.append("")
                key.append(None)
                continue
            sgr.append(";".join(c.downgrade(system).get_ansi_codes(not background)))
            key.append(c.triplet if c.triplet is not None else c.name)
        return tuple(sgr), tuple(key)

    def near(self, a: int, b: int) -> bool:
        """Styles ``a`` and ``b`` look the same: same attributes, colours within tolerance."""
        if a == b:
            return True
        if a < 0 or b < 0:
            return False
        hit = self._near.get((a, b))
        if hit is None:
            ka, kb = self._key[a], self._key[b]
            hit = ka[0] == kb[0] and all(
                ca == cb or (isinstance(ca, tuple) and isinstance(cb, tuple)
                             and max(abs(p - q) for p, q in zip(ca, cb)) <= COLOUR_TOLERANCE)
                for ca, cb in zip(ka[1:], kb[1:]))
            if len(self._near) > 100000:
                self._near.clear()
            self._near[(a, b)] = hit
        return hit

    def take(self, renderable) -> bool:
        """Apply a compositor update to the model and flush when allowed; False: not ours."""
        if not isinstance(renderable, CompositorUpdate) or isinstance(renderable, InlineUpdate):
            return False
        app = self.app
        if not app._running or app._closed or app._driver is None or app._batch_count:
            return True  # as Textual does: nothing is drawn (a batch repaints when it ends)
        size = app.size
        if (size.width, size.height) != (self.cols, self.rows):
            self._resize(size.width, size.height)
        self._apply(renderable)
        self.flush_soon()
        return True

    def _apply(self, update) -> None:
        cols, rows = self.cols, self.rows
        x = y = 0
        row_ch = row_st = None
        style_id, dirty = self.style_id, self.dirty
        for seg in update.__rich_console__(self.app.console, None):
            if seg.control:
                for ctl in seg.control:
                    if ctl[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = ctl[1], ctl[2]
                        if 0 <= y < rows:
                            row_ch, row_st = self.want_ch[y], self.want_st[y]
                            dirty.add(y)
                        else:
                            row_ch = row_st = None
                continue
            text = seg.text
            if row_ch is None or text == "\n":
                continue
            sid = style_id(seg.style)
            if text.isascii():
                end = min(cols, x + len(text))
                if x < end:
                    if x > 0 and row_ch[x] == "":          # overwriting half of a wide character
                        row_ch[x - 1] = " "
                    row_ch[x:end] = text[: end - x]
                    row_st[x:end] = [sid] * (end - x)
                    if end < cols and row_ch[end] == "":
                        row_ch[end] = " "
                x += len(text)
                continue
            for ch in text:
                w = cell_len(ch)
                if w == 0 or x >= cols:
                    x += w
                    continue
                if x > 0 and row_ch[x] == "":
                    row_ch[x - 1] = " "
                row_ch[x], row_st[x] = ch, sid
                if w == 2 and x + 1 < cols:
                    row_ch[x + 1], row_st[x + 1] = "", sid
                x += w
                if x < cols and row_ch[x] == "":
                    row_ch[x] = " "

    # ------------------------------------------------------------- pacing
    def _refill(self, now: float) -> None:
        if self.rate:
            self.tokens = min(self.rate * BURST_S, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now

    def backlog(self) -> int:
        """Writes queued in the driver's writer thread and not yet on the terminal."""
        writer = getattr(self.app._driver, "_writer_thread", None)
        queue = getattr(writer, "_queue", None)
        try:
            return queue.qsize() if queue is not None else 0
        except Exception:  # pragma: no cover
            return 0

    def wait_time(self, now: float) -> float:
        """Seconds until the next flush is allowed (0: now)."""
        self._refill(now)
        keyed = now - self.input_at < KEY_WINDOW_S
        if keyed and (not self.rate or self.tokens > -self.rate * KEY_DEBT_S):
            return 0.0
        wait = 0.0
        if self.fps:
            wait = max(wait, self.last_flush + 1 / self.fps - now)
        if self.rate and self.tokens < 0:
            wait = max(wait, -self.tokens / self.rate)
        if self.backlog():
            wait = max(wait, BACKLOG_RETRY_S)
        return wait

    def flush_soon(self) -> None:
        if not self.dirty:
            return
        now = time.perf_counter()
        wait = self.wait_time(now)
        if wait <= 0:
            self.flush()
            return
        self.deferred += 1
        if self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # pragma: no cover - not on the app's loop
                self.flush()
                return
            self._timer = loop.call_later(wait, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if self.app._closed or not self.app._running:
            return
        self.flush_soon()

    # ------------------------------------------------------------- output
    def render_diff(self) -> str:
        """The escape sequences that turn ``term`` into ``want``; updates ``term``."""
        out: list[str] = []
        sgr, near = self._sgr, self.near
        cols = self.cols
        current = -1            # style the terminal is in (-1: unknown)
        cy = cx = -1            # where the cursor is (-1: unknown)
        for y in sorted(self.dirty):
            wc, ws, tc, ts = self.want_ch[y], self.want_st[y], self.term_ch[y], self.term_st[y]
            if wc == tc and ws == ts:
                continue
            changed = [x for x in range(cols)
                       if ts[x] < 0 or (wc[x] != tc[x] or (ws[x] != ts[x] and not near(ws[x], ts[x])))]
            if not changed:
                continue
            runs: list[list[int]] = []
            for x in changed:
                if runs and x - runs[-1][1] <= MERGE_GAP:
                    runs[-1][1] = x + 1
                else:
                    runs.append([x, x + 1])
            for x0, x1 in runs:
                while x0 > 0 and wc[x0] == "":  # start on the first cell of a wide character
                    x0 -= 1
                while x1 < cols and wc[x1] == "":
                    x1 += 1
                if cy == y and 0 < x0 - cx <= 3 * MERGE_GAP:
                    out.append(f"\x1b[{x0 - cx}C")   # forward on the same row: shorter
                elif cy != y or cx != x0:
                    out.append(f"\x1b[{y + 1};{x0 + 1}H")
                for x in range(x0, x1):
                    ch = wc[x]
                    if ch == "":
                        continue
                    s = ws[x]
                    if s != current:
                        out.append(_sgr_change(sgr[current] if current >= 0 else None, sgr[s]))
                        current = s
                    out.append(ch)
                tc[x0:x1] = wc[x0:x1]
                ts[x0:x1] = ws[x0:x1]
                cy, cx = y, x1
        self.dirty.clear()
        if out:
            out.append("\x1b[0m")
        return "".join(out)

    def flush(self) -> None:
        """Write what changed (nothing if nothing did)."""
        app = self.app
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        body = self.render_diff()
        now = time.perf_counter()
        if not body:
            return
        try:
            cursor = app.screen.outer_size.clamp_offset(app.cursor_position)
        except Exception:  # no screen (starting or closing): leave the cursor where it is
            cursor = None
        data = body + (f"\x1b[{cursor.y + 1};{cursor.x + 1}H" if cursor is not None else "")
        if app._sync_available:
            data = SYNC_START + data + SYNC_END
        app._driver.write(data)
        app._driver.flush()
        n = len(data.encode("utf-8", "replace"))
        self._refill(now)
        self.tokens -= n
        self.sent += n
        self.flushes += 1
        self.last_flush = now
        self.history.append((now, n))

    def kbps(self, window: float = 2.0) -> float:
        """KB/s written over the last ``window`` seconds."""
        now = time.perf_counter()
        return sum(n for t, n in self.history if now - t <= window) / window / 1000

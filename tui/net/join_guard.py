"""Join codes that resist guessing: back-off and lockout after wrong codes.

A share server asks :class:`JoinGuard` before it reads a join line (``refusal``)
and tells it each verdict (``failed`` / ``succeeded``).  Per address, the k-th
wrong code in a row closes that address for ``BASE_DELAY_S · 2^(k-1)`` seconds
(1, 2, 4 … at most ``MAX_DELAY_S``); after ``LOCKOUT_AFTER`` wrong codes it stays
closed for ``LOCKOUT_S``, the right code included.  Over all addresses, more than
``GLOBAL_BURST`` wrong codes within ``GLOBAL_WINDOW_S`` close every join check
for a doubling delay, so guessing from many addresses is slow too.  A legitimate
follower is told to wait and retries by itself (``tinynet-tui follow`` reconnects
with back-off).

The guess rate this leaves, with the default 6-character code (32⁶ ≈ 1.07·10⁹
codes): at most ``GLOBAL_BURST`` guesses a minute, i.e. > 60 years for half the codes.

The clock is injectable (``clock``) so tests run without sleeping.  Not thread-
safe by itself: the share server calls it from its one asyncio loop, where the
check, the comparison and the verdict of one join happen without interleaving.
"""
from __future__ import annotations

import collections
import time

BASE_DELAY_S = 1.0
MAX_DELAY_S = 60.0
LOCKOUT_AFTER = 10          #: wrong codes in a row from one address before the lockout
LOCKOUT_S = 15 * 60.0
WARN_AFTER = 3              #: wrong codes in a row from one address that raise an alert
GLOBAL_WINDOW_S = 60.0
GLOBAL_BURST = 20           #: wrong codes (all addresses) within the window before a global back-off
MAX_ADDRESSES = 10_000      #: addresses remembered (the oldest are forgotten first)


class JoinGuard:
    """Per-address and global back-off after wrong join codes."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.failures: collections.OrderedDict[str, int] = collections.OrderedDict()
        self.closed_until: dict[str, float] = {}
        self.recent: collections.deque[float] = collections.deque()
        self.global_until = 0.0
        self.global_delay = 0.0
        self.wrong = 0          #: wrong codes seen, in all
        self.turned_away = 0    #: joins refused by a back-off without looking at the code

    def refusal(self, address: str) -> str | None:
        """Why a join from ``address`` is refused right now (its code unread), or None."""
        now = self.clock()
        until = self.closed_until.get(address, 0.0)
        if now < until:
            self.turned_away += 1
            if self.failures.get(address, 0) >= LOCKOUT_AFTER:
                return (f"locked out after {self.failures[address]} wrong join codes; "
                        f"try again in {until - now:.0f} s")
            return f"too many wrong join codes; wait {until - now:.1f} s"
        if now < self.global_until:
            self.turned_away += 1
            return f"many wrong join codes seen; joins wait {self.global_until - now:.1f} s"
        return None

    def failed(self, address: str) -> str | None:
        """Record a wrong code from ``address``; returns a line for the teacher when it
        looks like guessing (else None)."""
        now = self.clock()
        self.wrong += 1
        k = self.failures.pop(address, 0) + 1
        self.failures[address] = k
        while len(self.failures) > MAX_ADDRESSES:
            old, _ = self.failures.popitem(last=False)
            self.closed_until.pop(old, None)
        if k >= LOCKOUT_AFTER:
            self.closed_until[address] = now + LOCKOUT_S
        else:
            self.closed_until[address] = now + min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (k - 1))
        self.recent.append(now)
        while self.recent and self.recent[0] < now - GLOBAL_WINDOW_S:
            self.recent.popleft()
        alert = None
        if len(self.recent) > GLOBAL_BURST:
            self.global_delay = min(MAX_DELAY_S, max(BASE_DELAY_S, 2 * self.global_delay))
            self.global_until = now + self.global_delay
            alert = (f"{len(self.recent)} wrong join codes in the last minute from "
                     f"{len({a for a in self.failures})} address(es): someone may be guessing; "
                     f"every join now waits {self.global_delay:.0f} s")
        elif now >= self.global_until:
            self.global_delay = 0.0
        if k == LOCKOUT_AFTER:
            alert = (f"{k} wrong join codes from {address}: locked out for "
                     f"{LOCKOUT_S / 60:.0f} min (someone is guessing the code?)")
        elif k == WARN_AFTER:
            alert = alert or (f"{k} wrong join codes in a row from {address}: someone may be "
                              "guessing; it now waits before each try")
        return alert

    def succeeded(self, address: str) -> None:
        """The right code from ``address``: its count starts again."""
        self.failures.pop(address, None)
        self.closed_until.pop(address, None)

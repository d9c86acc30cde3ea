"""LossHistory: the loss of every epoch, in memory that does not grow with epochs.

Three parts, oldest to newest::

    epochs  0 …………………………… F-1 | F ……………… n-1
            folded bins (min, max)  | exact values (a ring of ``exact`` floats)

* the newest epochs ``F … n-1`` (at most ``exact``, 2¹⁶ by default) are kept
  exactly, in a preallocated ring; ``h[-1]``, ``h[-2]``, … read them;
* every ``BLOCK`` (64) exact epochs aligned to a multiple of 64 also get their
  min and max cached as the block completes, so that :meth:`envelope` reads at
  most ``exact/64`` block values instead of ``exact`` losses;
* older epochs are folded, ``BLOCK`` at a time, into at most ``bins`` (1024)
  bins of width ``w`` (a power of two ≥ 64) holding the min and max loss of
  the bin; when all bins are used, neighbours merge pairwise and ``w``
  doubles.  Bin ``i`` covers epochs ``i·w … (i+1)·w − 1``.

So memory is fixed (≈ 560 KiB with the defaults) whatever the number of
epochs, and a spike never disappears: it is the max of whatever bin holds it.
NaN and ±inf are kept like any value (a bin containing a NaN has min = max =
NaN, which the chart shows).  Epochs are counted from 0, as the status line.
"""
from __future__ import annotations

import sys

import numpy as np

BLOCK = 64  #: epochs per cached block and per fold (a power of two)


class LossHistory:
    """Losses by epoch (0-based); exact for the newest ``exact`` epochs, min/max bins before."""

    def __init__(self, exact: int = 2**16, bins: int = 1024):
        if exact < 2 * BLOCK or exact % BLOCK or bins < 2 or bins % 2:
            raise ValueError(f"exact must be a multiple of {BLOCK} ≥ {2 * BLOCK} and bins even")
        self.exact = exact
        self._ring = np.empty(exact, dtype=np.float64)          # epoch e at e % exact
        self._block_lo = np.empty(exact // BLOCK, dtype=np.float64)  # block k at k % (exact/BLOCK)
        self._block_hi = np.empty(exact // BLOCK, dtype=np.float64)
        self._bin_lo = np.empty(bins, dtype=np.float64)
        self._bin_hi = np.empty(bins, dtype=np.float64)
        self._n = 0        # epochs recorded
        self._folded = 0   # F: epochs 0 … F-1 are in the bins
        self._width = BLOCK
        self._n_bins = 0

    # ------------------------------------------------------------ recording
    def append(self, loss: float) -> None:
        """Record the loss of epoch ``len(self)``."""
        n = self._n
        if n - self._folded >= self.exact:  # the ring is full: make room
            self._fold()
        self._ring[n % self.exact] = loss
        self._n = n = n + 1
        if n % BLOCK == 0:  # block n/BLOCK − 1 just completed: cache its min and max
            k = n // BLOCK - 1
            block = self._ring[(k * BLOCK) % self.exact:(k * BLOCK) % self.exact + BLOCK]
            self._block_lo[k % len(self._block_lo)] = block.min()
            self._block_hi[k % len(self._block_hi)] = block.max()

    def extend(self, losses) -> None:
        """Record several epochs' losses at once (the same as appending each, in order,
        for a fraction of the cost: whole runs up to each block's end are copied)."""
        values = np.asarray(losses, dtype=np.float64).ravel()
        i, total = 0, len(values)
        while i < total:
            n = self._n
            if n - self._folded >= self.exact:  # the ring is full: make room
                self._fold()
            room = min(BLOCK - n % BLOCK, self._folded + self.exact - n, total - i)
            pos = n % self.exact  # a block never wraps: exact is a multiple of BLOCK
            self._ring[pos:pos + room] = values[i:i + room]
            self._n = n = n + room
            i += room
            if n % BLOCK == 0:
                k = n // BLOCK - 1
                block = self._ring[(k * BLOCK) % self.exact:(k * BLOCK) % self.exact + BLOCK]
                self._block_lo[k % len(self._block_lo)] = block.min()
                self._block_hi[k % len(self._block_hi)] = block.max()

    def _fold(self) -> None:
        """Move the oldest exact epochs, up to the next multiple of BLOCK, into the bins."""
        start = self._folded
        stop = (start // BLOCK + 1) * BLOCK
        i = start % self.exact
        values = self._ring[i:i + (stop - start)]  # never wraps: exact is a multiple of BLOCK
        lo, hi = values.min(), values.max()
        if start // self._width >= len(self._bin_lo):  # all bins used: merge pairs, double width
            m = self._n_bins // 2
            self._bin_lo[:m] = np.minimum(self._bin_lo[0:2 * m:2], self._bin_lo[1:2 * m:2])
            self._bin_hi[:m] = np.maximum(self._bin_hi[0:2 * m:2], self._bin_hi[1:2 * m:2])
            if self._n_bins % 2:  # (only after a truncate) the odd last bin stands alone
                self._bin_lo[m], self._bin_hi[m] = self._bin_lo[self._n_bins - 1], \
                    self._bin_hi[self._n_bins - 1]
                m += 1
            self._n_bins = m
            self._width *= 2
        b = start // self._width
        if b >= self._n_bins:
            self._bin_lo[b], self._bin_hi[b] = lo, hi
            self._n_bins = b + 1
        else:
            self._bin_lo[b] = np.minimum(self._bin_lo[b], lo)
            self._bin_hi[b] = np.maximum(self._bin_hi[b], hi)
        self._folded = stop

    def truncate(self, n: int) -> None:
        """Keep only epochs ``< n`` (rewinding).  Exact when ``n ≥ first_exact``;
        otherwise the bin holding epoch n-1 keeps the min/max of its whole width."""
        n = max(0, int(n))
        if n >= self._n:
            return
        if n < self._folded:
            self._n_bins = -(-n // self._width)  # bins that hold any epoch < n
            self._folded = n
        self._n = n

    # --------------------------------------------------------------- reading
    def __len__(self) -> int:
        return self._n

    @property
    def first_exact(self) -> int:
        """The oldest epoch whose loss is still kept exactly."""
        return self._folded

    @property
    def last(self) -> float | None:
        return float(self._ring[(self._n - 1) % self.exact]) if self._n > self._folded else None

    def __getitem__(self, i: int) -> float:
        """The loss of epoch ``i`` (negative counts from the end) while it is kept exactly."""
        i = int(i)
        e = i + self._n if i < 0 else i
        if not self._folded <= e < self._n:
            raise IndexError(f"epoch {i} is not kept exactly (exact: {self._folded} … {self._n - 1})")
        return float(self._ring[e % self.exact])

    def __iter__(self):
        """The exact losses, oldest first (epochs ``first_exact … len-1``)."""
        return iter(self.exact_values().tolist())

    def exact_values(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """A copy of the exact losses of epochs ``max(start, first_exact) … stop-1``
        (``stop`` defaults to ``len``)."""
        a = max(int(start), self._folded)
        b = self._n if stop is None else min(int(stop), self._n)
        if a >= b:
            return np.empty(0)
        i, j = a % self.exact, (b - 1) % self.exact + 1
        if i < j:
            return self._ring[i:j].copy()
        return np.concatenate((self._ring[i:], self._ring[:j]))

    def envelope(self, max_points: int, start: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Epochs ``start … len-1`` as at most ``max_points`` bins: (first epoch, min, max),
        three float arrays.  Bins are aligned widths of a power of two; lo == hi where
        a bin is one exact epoch.  Reads at most ``bins + exact/64 + 128`` numbers
        plus, when the range is short, ``max_points·64``: the cost does not grow
        with the number of epochs."""
        max_points = max(1, int(max_points))
        start = max(0, int(start))
        n = self._n
        if start >= n:
            return np.empty(0), np.empty(0), np.empty(0)
        width = 1 if start >= self._folded else self._width
        while (n - 1) // width - start // width + 1 > max_points:
            width *= 2
        firsts, los, his = [], [], []
        if start < self._folded:  # folded bins
            w = self._width
            b0 = start // w
            idx = np.arange(b0, self._n_bins)
            firsts.append(idx * w)
            los.append(self._bin_lo[b0:self._n_bins])
            his.append(self._bin_hi[b0:self._n_bins])
        a = max(start, self._folded)
        if width >= BLOCK:  # exact part, whole blocks from the cache
            k0, k1 = -(-a // BLOCK), n // BLOCK  # blocks fully inside a … n-1
            if k0 >= k1:
                self._add_exact(firsts, los, his, a, n)
            else:
                self._add_exact(firsts, los, his, a, k0 * BLOCK)
                ks = np.arange(k0, k1)
                firsts.append(ks * BLOCK)
                los.append(self._block_lo[ks % len(self._block_lo)])
                his.append(self._block_hi[ks % len(self._block_hi)])
                self._add_exact(firsts, los, his, k1 * BLOCK, n)
        else:
            self._add_exact(firsts, los, his, a, n)
        first = np.concatenate(firsts).astype(np.int64)
        lo, hi = np.concatenate(los), np.concatenate(his)
        key = first // width
        cuts = np.flatnonzero(np.diff(key)) + 1
        heads = np.concatenate(([0], cuts))
        out_first = np.maximum(key[heads] * width, start).astype(float)
        return out_first, np.minimum.reduceat(lo, heads), np.maximum.reduceat(hi, heads)

    def _add_exact(self, firsts, los, his, a: int, b: int) -> None:
        if a < b:
            values = self.exact_values(a, b)
            firsts.append(np.arange(a, b))
            los.append(values)
            his.append(values)

    # ---------------------------------------------------------------- memory
    @property
    def nbytes(self) -> int:
        """Bytes this history holds: its arrays and the object itself."""
        arrays = (self._ring, self._block_lo, self._block_hi, self._bin_lo, self._bin_hi)
        return sum(sys.getsizeof(a) for a in arrays) + sys.getsizeof(self) + \
            sys.getsizeof(self.__dict__)

    def copy(self) -> "LossHistory":
        new = LossHistory.__new__(LossHistory)
        new.__dict__.update(self.__dict__)
        for name in ("_ring", "_block_lo", "_block_hi", "_bin_lo", "_bin_hi"):
            setattr(new, name, getattr(self, name).copy())
        return new

    def __repr__(self) -> str:
        return (f"LossHistory({self._n} epochs, exact from {self._folded}, "
                f"{self._n_bins} bins of {self._width})")

"""Small data sets.  Every function returns ``X`` (n, 2) and ``y`` (n, 1), float64.

Gates (``and_gate``, ``xor``) are the four corners of the unit square.
``regression`` samples f(x₁, x₂) = x₁² + x₂² (or any target function) on [-1, 1]²;
``circle`` and ``spiral`` are two-class problems with labels 0/1; ``spiral3`` and
``blobs`` are three-class problems with one-hot targets y (n, 3).  ``noise`` is each
generator's noise level σ; :func:`split` holds out a seeded test set.  ``load_csv`` reads
the user's own data: two input columns and one target.
"""
from __future__ import annotations

import csv
import io
import math
import os
import stat
from array import array
from pathlib import Path

import numpy as np

GATE_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


#: Largest CSV file :func:`load_csv` reads (bytes): ~1 million rows, far more than full-batch
#: training here can use interactively; callers may pass their own ``max_bytes``.
MAX_CSV_BYTES = 32 * 1024 * 1024
#: Most lines a CSV file may have (rows × 3 columns bound what is parsed and held): checked
#: by counting newlines before any parsing.
MAX_CSV_ROWS = 250_000
#: Longest line (characters): three numbers never need more; a longer line is refused
#: before the csv module sees it (its own limit is a traceback at 131 072).
MAX_LINE_CHARS = 4096
#: Fewest data rows a CSV file must have (one row has no spread: no R², no boundary).
MIN_ROWS = 2
_CHUNK = 1 << 20


class DataError(ValueError):
    """A data file could not be used; the message names the file (and line)."""


def and_gate() -> tuple[np.ndarray, np.ndarray]:
    """The AND truth table."""
    return GATE_X.copy(), np.array([[0.0], [0.0], [0.0], [1.0]])


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table: not linearly separable, needs a hidden layer."""
    return GATE_X.copy(), np.array([[0.0], [1.0], [1.0], [0.0]])


def regression_target(X: np.ndarray) -> np.ndarray:
    """f(x₁, x₂) = x₁² + x₂², shape (n, 1)."""
    return (X ** 2).sum(axis=1, keepdims=True)


def regression(n: int = 400, seed: int = 0, noise: float = 0.0,
               target=None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points drawn uniformly from [-1, 1]² with target ``target(X)`` (n, 1)
    (default x₁² + x₂²) plus Gaussian noise of standard deviation ``noise``."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (target or regression_target)(X)
    if noise:
        y = y + rng.normal(0.0, noise, y.shape)
    return X, y


def grid(k: int = 25, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """A k×k grid over [low, high]², shape (k², 2), row-major in x₂ then x₁."""
    t = np.linspace(low, high, k)
    x1, x2 = np.meshgrid(t, t)
    return np.column_stack([x1.ravel(), x2.ravel()])


#: the square most data sets live on: (x₁ low, x₁ high, x₂ low, x₂ high)
UNIT_SQUARE = (-1.0, 1.0, -1.0, 1.0)


def pixel_grid(cols: int, rows: int, bounds=UNIT_SQUARE) -> np.ndarray:
    """Evenly spaced points over ``bounds`` (x₁ lo, x₁ hi, x₂ lo, x₂ hi; default
    [-1, 1]²) for a picture: (rows·cols, 2), row-major, first row at the top
    (x₂ high), first column at the left (x₁ low)."""
    x1_lo, x1_hi, x2_lo, x2_hi = bounds
    x1, x2 = np.meshgrid(np.linspace(x1_lo, x1_hi, cols), np.linspace(x2_hi, x2_lo, rows))
    return np.column_stack([x1.ravel(), x2.ravel()])


def regression_grid(k: int = 25, target=None) -> tuple[np.ndarray, np.ndarray]:
    """A held-out k×k grid on [-1, 1]² with its true targets (default x₁² + x₂²)."""
    X = grid(k)
    return X, (target or regression_target)(X)


def circle(n: int = 200, seed: int = 0, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-1, 1]²; label 1 inside the circle of radius 0.6, else 0."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    r = np.hypot(X[:, 0], X[:, 1]) + rng.normal(0.0, noise, n)
    return X, (r < 0.6).astype(float)[:, None]


def spiral(n: int = 200, seed: int = 0, noise: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals in [-1, 1]², n/2 points each, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t = np.sqrt(rng.uniform(0.0, 1.0, half)) * 1.75 * math.pi
    pts = []
    for label, turn in ((0, 0.0), (1, math.pi)):
        r = t / (1.75 * math.pi) * 0.95
        xy = np.column_stack([r * np.cos(t + turn), r * np.sin(t + turn)])
        pts.append((xy + rng.normal(0.0, noise, xy.shape), np.full(half, label, float)))
    X = np.vstack([p[0] for p in pts])
    y = np.concatenate([p[1] for p in pts])[:, None]
    return np.clip(X, -1.0, 1.0), y


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """Integer labels (n,) → one-hot rows (n, k), float64."""
    return np.eye(k)[np.asarray(labels, dtype=int)]


def spiral3(n: int = 300, seed: int = 0, noise: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """Three interleaved spiral arms in [-1, 1]², n/3 points each; y is one-hot (n, 3)."""
    rng = np.random.default_rng(seed)
    third = n // 3
    t = np.sqrt(rng.uniform(0.0, 1.0, third)) * 1.5 * math.pi
    r = t / (1.5 * math.pi) * 0.95
    X = np.vstack([np.column_stack([r * np.cos(t + turn), r * np.sin(t + turn)])
                   for turn in (0.0, 2 * math.pi / 3, 4 * math.pi / 3)])
    X += rng.normal(0.0, noise, X.shape)
    return np.clip(X, -1.0, 1.0), one_hot(np.repeat(np.arange(3), third), 3)


def blobs(n: int = 300, seed: int = 0, noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs of standard deviation ``noise`` around points on a circle of
    radius 0.55, n/3 points each, clipped to [-1, 1]²; y is one-hot (n, 3)."""
    rng = np.random.default_rng(seed)
    third = n // 3
    angles = np.array([90.0, 210.0, 330.0]) * math.pi / 180
    centres = 0.55 * np.column_stack([np.cos(angles), np.sin(angles)])
    labels = np.repeat(np.arange(3), third)
    X = centres[labels] + rng.normal(0.0, noise, (len(labels), 2))
    return np.clip(X, -1.0, 1.0), one_hot(labels, 3)


def split_indices(n: int, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test), each sorted, disjoint, together 0…n−1: a seeded random
    ``fraction`` of the rows (at least one) is held out for testing.  ``ValueError`` if
    ``fraction`` is not in (0, 1) or fewer than :data:`MIN_ROWS` rows would be left to train."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"the test fraction must be between 0 and 1, got {fraction:g}")
    n_test = max(1, int(round(fraction * n)))
    if n - n_test < MIN_ROWS:
        raise ValueError(f"a test fraction of {fraction:g} of {n} samples leaves "
                         f"{n - n_test} to train on; at least {MIN_ROWS} are needed")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def split(X: np.ndarray, y: np.ndarray, fraction: float, seed: int = 0):
    """(X_train, y_train, X_test, y_test) by :func:`split_indices`."""
    train, test = split_indices(len(X), fraction, seed)
    return X[train], y[train], X[test], y[test]


def _open_regular(path: Path, max_bytes: int):
    """A binary file object for ``path``, refusing anything that is not a regular file
    (a FIFO would block, ``/dev/zero`` never ends) or is larger than ``max_bytes``.  The
    file is opened non-blocking and checked with ``fstat``, so a FIFO put in its place
    between a check and the open cannot block either."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    st = os.fstat(fd)
    why = None
    if stat.S_ISDIR(st.st_mode):
        why = f"{path}: is a directory, not a CSV file"
    elif not stat.S_ISREG(st.st_mode):
        why = f"{path}: is not a regular file (a device, pipe or socket)"
    elif st.st_size > max_bytes:
        why = f"{path}: larger than the limit of {max_bytes:,} bytes"
    if why:
        os.close(fd)
        raise DataError(why)
    return os.fdopen(fd, "rb")


def _count_lines(f, path: Path, max_bytes: int, max_rows: int) -> int:
    """Lines in the binary file ``f`` (read in chunks, never held whole; Ctrl-C ends it
    between two reads), refusing more than ``max_bytes`` (the file grew) or more than
    ``max_rows`` lines: the budget is checked before anything is parsed."""
    size = lines = 0
    while chunk := f.read(min(_CHUNK, max_bytes + 1 - size)):
        size += len(chunk)
        lines += chunk.count(b"\n")
        if size > max_bytes:
            raise DataError(f"{path}: larger than the limit of {max_bytes:,} bytes")
        if lines > max_rows:
            raise DataError(f"{path}: more than {max_rows:,} lines; at most {max_rows:,} rows "
                            f"of x1,x2,y are read")
    f.seek(0)
    return lines


def load_csv(path: str | Path, max_bytes: int = MAX_CSV_BYTES,
             max_rows: int = MAX_CSV_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Read ``x1,x2,y`` rows from ``path``: X (N, 2), y (N, 1).  A first row that is not
    numeric is taken as a header.  Blank lines and lines starting with ``#`` are skipped.

    The budget comes before the work: the file's size (``max_bytes``), its line count
    (``max_rows``, :data:`MAX_CSV_ROWS`; rows × 3 columns is then the most it holds) and
    each line's length (:data:`MAX_LINE_CHARS`) are checked while streaming, never holding
    the whole text.  Raises :class:`DataError` naming the file (and line) for a missing or
    unreadable file, something that is not a regular file, a file over a budget, a row
    without exactly three columns, a non-numeric or non-finite cell, or fewer than
    :data:`MIN_ROWS` data rows.
    """
    path = Path(path)
    with _open_regular(path, max_bytes) as raw:
        _count_lines(raw, path, max_bytes, max_rows)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            values = _parse_rows(text, path, max_rows)
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    n = len(values) // 3
    if not n:
        raise DataError(f"{path}: no data rows (expected lines like 0.5,1.0,0.25)")
    if n < MIN_ROWS:
        raise DataError(f"{path}: only {n} data row; at least {MIN_ROWS} are needed")
    data = np.frombuffer(values, dtype=np.float64).reshape(n, 3).copy()
    return data[:, :2], data[:, 2:]


def _parse_rows(text, path: Path, max_rows: int) -> array:
    """The numbers of every data row, flat (3 per row), read line by line from ``text``."""
    values = array("d")
    seen_content = False
    for lineno in range(1, max_rows + 2):
        line = text.readline(MAX_LINE_CHARS + 1)
        if not line:
            break
        if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            raise DataError(f"{path}, line {lineno}: longer than {MAX_LINE_CHARS:,} characters "
                            "(expected a row like 0.5,1.0,0.25)")
        row = next(csv.reader([line]), [])
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        first, seen_content = not seen_content, True
        if len(row) != 3:
            raise DataError(f"{path}, line {lineno}: expected 3 columns (x1,x2,y), found {len(row)}")
        try:
            numbers = [float(cell) for cell in row]
        except ValueError:
            if first:
                continue  # header
            bad = next(c for c in row if not _is_float(c))
            raise DataError(f"{path}, line {lineno}: {bad.strip()!r} is not a number") from None
        if not all(math.isfinite(v) for v in numbers):
            raise DataError(f"{path}, line {lineno}: values must be finite")
        values.extend(numbers)
    else:
        raise DataError(f"{path}: more than {max_rows:,} lines; at most {max_rows:,} rows "
                        "of x1,x2,y are read")
    return values


def _is_float(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


TASKS = {
    "and": and_gate,
    "xor": xor,
    "regression": regression,
    "circle": circle,
    "spiral": spiral,
    "spiral3": spiral3,
    "blobs": blobs,
}
#: Tasks whose data is drawn at random (they take ``noise``; the gates do not).
GENERATED = ("regression", "circle", "spiral", "spiral3", "blobs")


def load_task(name: str, noise: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Data for a task name from :data:`TASKS`; ``noise`` (σ) replaces the generator's own
    noise level for the tasks in :data:`GENERATED`."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r} (choose from {', '.join(TASKS)})")
    if noise is None:
        return TASKS[name]()
    if name not in GENERATED:
        raise ValueError(f"noise is for the generated tasks ({', '.join(GENERATED)}), "
                         f"not {name}")
    return TASKS[name](noise=noise)

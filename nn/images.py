"""Your own small images: a CSV file whose rows are H·W pixel values and a class label.

``--data FILE.csv --image 8x8`` reads rows of 64 pixel columns (row-major: the top row first,
each row left to right) and a last column with the class, a whole number 0, 1, 2, …  A first
row that is not numeric is a header; blank lines and lines starting with ``#`` are skipped, as
in :func:`nn.datasets.load_csv`, whose file checks (a regular file, the size limit) and error
type (:class:`~nn.datasets.DataError`, one line naming the file and line) this shares.

Pixels must be finite and at least 0; they are divided by the file's largest pixel, so
0–255, 0–16 and 0–1 files all become inputs in [0, 1].
"""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np

from . import datasets
from .datasets import DataError

#: the largest side of an image (28×28 is MNIST's size)
MAX_SIDE = 28
#: the most classes a label column may name (labels 0 … MAX_CLASSES − 1)
MAX_CLASSES = 100
#: characters a cell may take on average in a row's line budget (``0.12345678901234567,``
#: is 20): a 28×28 row of pixels written with 6 decimals is 7 000 characters, over the
#: x1,x2,y reader's :data:`~nn.datasets.MAX_LINE_CHARS`
MAX_CELL_CHARS = 32


def max_line_chars(shape: tuple[int, int]) -> int:
    """The longest line read for images of ``shape`` (H·W pixels and a label)."""
    return max(datasets.MAX_LINE_CHARS, (shape[0] * shape[1] + 1) * MAX_CELL_CHARS)


def parse_image_size(text: str) -> tuple[int, int]:
    """``"8x8"`` → (8, 8), ``"28X28"`` → (28, 28): height × width, each 1 … :data:`MAX_SIDE`
    and at least 2 pixels in all.  ``ValueError`` with a one-line message otherwise."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*[x×X]\s*(\d{1,3})\s*", text)
    if not match:
        raise ValueError(f"{text!r}: give the image size as HxW, e.g. 8x8")
    h, w = int(match[1]), int(match[2])
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE) or h * w < 2:
        raise ValueError(f"{text!r}: height and width must be from 1 to {MAX_SIDE} "
                         "(and at least 2 pixels in all)")
    return h, w


def load_image_csv(path: str | Path, shape: tuple[int, int],
                   max_bytes: int = datasets.MAX_CSV_BYTES,
                   max_rows: int = datasets.MAX_CSV_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (n, H·W) float64 in [0, 1] and labels (n,) int64 from ``path``.

    :class:`DataError` (one line naming the file, and the line where one is to blame) for what
    :func:`nn.datasets.load_csv` refuses (missing, not a regular file, over its byte, line
    and line-length budgets — checked while streaming, before parsing —, fewer than
    :data:`~nn.datasets.MIN_ROWS` rows, a cell that is not a finite number) and for a row
    without H·W + 1 columns, a negative pixel, a label that is not a whole number from 0 to
    :data:`MAX_CLASSES` − 1, fewer than two classes, or pixels that are all 0."""
    path = Path(path)
    h, w = shape
    width = h * w + 1
    limit = max_line_chars(shape)
    rows: list[np.ndarray] = []  # one array a row: 8 bytes a pixel, not a Python float's 32
    with datasets._open_regular(path, max_bytes) as raw:
        datasets._count_lines(raw, path, max_bytes, max_rows)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            seen_content = False
            for lineno in range(1, max_rows + 2):
                line = text.readline(limit + 1)
                if not line:
                    break
                if len(line.rstrip("\r\n")) > limit:
                    raise DataError(f"{path}, line {lineno}: longer than {limit:,} characters")
                row = next(csv.reader([line]), [])
                if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                    continue
                first, seen_content = not seen_content, True
                values = _row(row, path, lineno, width, h, w, header_ok=first and not rows)
                if values is not None:
                    rows.append(np.array(values, dtype=np.float64))
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    if not rows:
        raise DataError(f"{path}: no data rows (expected lines of {h * w} pixels and a label)")
    if len(rows) < datasets.MIN_ROWS:
        raise DataError(f"{path}: only {len(rows)} data row; at least "
                        f"{datasets.MIN_ROWS} are needed")
    data = np.stack(rows)
    rows.clear()  # (the rows and the result are never held together with a third copy)
    pixels, labels = data[:, :-1], data[:, -1].astype(np.int64)
    if len(np.unique(labels)) < 2:
        raise DataError(f"{path}: every label is {labels[0]}; at least 2 classes are needed")
    top = pixels.max()
    if top == 0:
        raise DataError(f"{path}: every pixel is 0")
    pixels = np.ascontiguousarray(pixels)
    del data
    pixels /= top
    return pixels, labels


def _row(row: list[str], path: Path, lineno: int, width: int, h: int, w: int,
         header_ok: bool) -> list[float] | None:
    """One data row's numbers, or None for a header (the first content line, not numeric);
    DataError naming the file and line otherwise."""
    if len(row) != width:
        raise DataError(f"{path}, line {lineno}: expected {width} columns ({h}x{w} = "
                        f"{h * w} pixels and a label), found {len(row)}")
    try:
        values = [float(cell) for cell in row]
    except ValueError:
        if header_ok:
            return None
        bad = next(c for c in row if not datasets._is_float(c))
        raise DataError(f"{path}, line {lineno}: {bad.strip()[:40]!r} is not a number") from None
    if not all(math.isfinite(v) for v in values):
        raise DataError(f"{path}, line {lineno}: values must be finite")
    if min(values[:-1]) < 0:
        raise DataError(f"{path}, line {lineno}: pixel values must be 0 or more, "
                        f"found {min(values[:-1]):g}")
    label = values[-1]
    if label != int(label) or not 0 <= label < MAX_CLASSES:
        raise DataError(f"{path}, line {lineno}: the label (last column) must be a whole "
                        f"number from 0 to {MAX_CLASSES - 1}, found {label:g}")
    return values

"""The ``.safetensors`` format, read and written with NumPy alone.

A file is three parts (https://github.com/huggingface/safetensors, "Format")::

    8 bytes    N, the header's length: an unsigned 64-bit little-endian integer
    N bytes    the header: a UTF-8 JSON object (padded with spaces), one entry per tensor
               "name": {"dtype": "F64", "shape": [3, 2], "data_offsets": [begin, end]}
               and optionally "__metadata__": {"key": "text", …} (strings only)
    the rest   the byte buffer: each tensor's values, little-endian, row-major, at
               [begin, end) counted from the buffer's start; the tensors cover the
               buffer exactly, with no gap and no overlap

:func:`read` checks the whole header before it reads a single value — JSON object,
known keys, an accepted dtype, a shape of whole numbers ≥ 0, offsets inside the file
whose length matches shape × item size, no overlap and no gap, the size caps — and
then reads exactly the promised bytes (a short file is "truncated").  Any problem is a
:class:`~nn.io.ModelFileError` whose one line names the file, as for ``.npz`` models.
"""
from __future__ import annotations

import json
import stat
import struct
from pathlib import Path

import numpy as np

from .io import ModelFileError, atomic_write

#: the dtypes a model file may hold (weights are floats), as the format names them
DTYPES = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4")}
#: the largest header read: far above a 1000-layer model's (≈ 200 KB), far below harm
MAX_HEADER_BYTES = 1_000_000
MAX_TENSORS = 4_100                #: 2 per layer of a 1000-layer model, and some to spare
MAX_TENSOR_ELEMENTS = 10_000_000   #: per tensor (80 MB as float64), as nn/io's .npz limit
MAX_TOTAL_ELEMENTS = 20_000_000    #: all tensors together
MAX_NDIM = 8
MAX_METADATA_CHARS = 100_000       #: all metadata keys and values together


def _fail(path: Path, why: str) -> ModelFileError:
    return ModelFileError(f"{path}: {why}")


def encode(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """The bytes of a ``.safetensors`` file holding ``tensors`` (float32/float64 arrays
    of any shape, written little-endian in the order given) and ``metadata`` (str → str)."""
    header: dict = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    chunks, offset = [], 0
    for name, array in tensors.items():
        if name == "__metadata__":
            raise ValueError("a tensor cannot be named __metadata__")
        array = np.asarray(array)
        code = next((c for c, d in DTYPES.items() if array.dtype.newbyteorder("<") == d), None)
        if code is None:
            raise ValueError(f"{name}: dtype {array.dtype} cannot be written (float32 or float64)")
        data = np.ascontiguousarray(array, dtype=DTYPES[code]).tobytes()
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # pad so the buffer starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(path: str | Path, tensors: dict[str, np.ndarray],
          metadata: dict[str, str] | None = None) -> Path:
    """Write :func:`encode`'s bytes to ``path`` atomically (a failure leaves an existing
    file as it was); ``OSError`` propagates."""
    data = encode(tensors, metadata)
    return atomic_write(path, lambda f: f.write(data))


def _whole(value) -> bool:
    """A JSON whole number (not a bool, not a float)."""
    return type(value) is int


def _check_entry(path: Path, name: str, entry) -> tuple[np.dtype, tuple[int, ...], int, int]:
    """One tensor's (dtype, shape, begin, end), checked (not yet against the file)."""
    shown = ascii(name[:40])
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise _fail(path, f"tensor {shown}: expected dtype, shape and data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPES:
        raise _fail(path, f"tensor {shown}: dtype {ascii(dtype)[:14]} is not allowed "
                          f"(expected {' or '.join(DTYPES)})")
    if (not isinstance(shape, list) or len(shape) > MAX_NDIM
            or not all(_whole(d) and d >= 0 for d in shape)):
        raise _fail(path, f"tensor {shown}: bad shape {ascii(shape)[:40]} "
                          "(need a list of whole numbers ≥ 0)")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(_whole(o) and o >= 0 for o in offsets) or offsets[0] > offsets[1]):
        raise _fail(path, f"tensor {shown}: bad data_offsets {ascii(offsets)[:40]}")
    count = 1
    for d in shape:
        count *= d
    if count > MAX_TENSOR_ELEMENTS:
        raise _fail(path, f"tensor {shown}: {count:,} values is more than the limit of "
                          f"{MAX_TENSOR_ELEMENTS:,}")
    begin, end = offsets
    if end - begin != count * DTYPES[dtype].itemsize:
        raise _fail(path, f"tensor {shown}: data_offsets [{begin}, {end}] hold {end - begin} "
                          f"bytes, but shape {shape} of {dtype} needs "
                          f"{count * DTYPES[dtype].itemsize}")
    return DTYPES[dtype], tuple(shape), begin, end


def read_header(path: Path, f, size: int) -> tuple[dict, dict[str, str] | None, int]:
    """The checked header of the open file ``f`` of ``size`` bytes: ({name: (dtype, shape,
    begin, end)}, metadata or None, where the buffer starts)."""
    head = f.read(8)
    if len(head) != 8:
        raise _fail(path, "truncated: not even the 8-byte header length (not a .safetensors file?)")
    (n,) = struct.unpack("<Q", head)
    if n > MAX_HEADER_BYTES:
        raise _fail(path, f"header of {n:,} bytes is more than the limit of "
                          f"{MAX_HEADER_BYTES:,} (not a .safetensors model?)")
    if 8 + n > size:
        raise _fail(path, f"truncated: the header promises {n:,} bytes, the file has "
                          f"{max(size - 8, 0):,} after its length")
    raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _fail(path, "header is not JSON (not a .safetensors file?)") from None
    if not isinstance(header, dict):
        raise _fail(path, "header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and (
            not isinstance(metadata, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
            or sum(len(k) + len(v) for k, v in metadata.items()) > MAX_METADATA_CHARS):
        raise _fail(path, f"__metadata__ must map text to text (at most "
                          f"{MAX_METADATA_CHARS:,} characters)")
    if len(header) > MAX_TENSORS:
        raise _fail(path, f"{len(header):,} tensors is more than the limit of {MAX_TENSORS:,}")
    entries = {name: _check_entry(path, name, entry) for name, entry in header.items()}
    total = sum(int(np.prod(shape, dtype=object)) for _, shape, _, _ in entries.values())
    if total > MAX_TOTAL_ELEMENTS:
        raise _fail(path, f"{total:,} values in all is more than the limit of "
                          f"{MAX_TOTAL_ELEMENTS:,}")
    # the tensors must tile the buffer: sorted by offset, each begins where the last ended
    end = 0
    for name, (_, _, b, e) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        if b < end:
            raise _fail(path, f"tensor {ascii(name[:40])} overlaps another (bytes {b}–{e} of the "
                              f"buffer; the one before ends at {end})")
        if b > end:
            raise _fail(path, f"a gap of {b - end} bytes before tensor {ascii(name[:40])}: the "
                              "buffer must be covered exactly")
        end = e
    start = 8 + n
    if start + end > size:
        raise _fail(path, f"truncated: the header promises {end:,} bytes of data, the file "
                          f"has {size - start:,}")
    if start + end < size:
        raise _fail(path, f"{size - start - end:,} bytes after the last tensor "
                          "(the buffer must be covered exactly)")
    return entries, metadata, start


def _open_checked(path: Path):
    """``path`` opened for reading once it is known to be a regular file, with its size."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except OSError as exc:
        raise _fail(path, f"cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _fail(path, "is a directory, not a model file")
    if not stat.S_ISREG(st.st_mode):
        raise _fail(path, "is not a regular file")
    return open(path, "rb"), st.st_size


def read_metadata(path: str | Path) -> tuple[dict, dict[str, str] | None]:
    """The checked header of a ``.safetensors`` file without reading a value: ({name:
    (dtype, shape)}, metadata or None)."""
    path = Path(path)
    try:
        f, size = _open_checked(path)
        with f:
            entries, metadata, _ = read_header(path, f, size)
    except OSError as exc:
        raise _fail(path, f"cannot read ({exc.strerror or exc})") from None
    return {name: (dtype, shape) for name, (dtype, shape, _, _) in entries.items()}, metadata


def read(path: str | Path, check=None) -> tuple[dict[str, np.ndarray], dict[str, str] | None]:
    """The tensors (native-endian, writable copies) and metadata of a ``.safetensors``
    file, the header checked first (see the module docstring).  ``check(shapes,
    metadata)`` ({name: (dtype, shape)}) runs after the header's checks and before any
    value is read: it may refuse the file by raising (a memory budget)."""
    path = Path(path)
    tensors = {}
    try:
        f, size = _open_checked(path)
        with f:
            entries, metadata, start = read_header(path, f, size)
            if check is not None:
                check({name: (dtype, shape) for name, (dtype, shape, _, _) in entries.items()},
                      metadata)
            for name, (dtype, shape, b, e) in entries.items():
                f.seek(start + b)
                data = f.read(e - b)
                if len(data) != e - b:  # the file shrank while being read
                    raise _fail(path, f"truncated: tensor {ascii(name[:40])}")
                tensors[name] = np.frombuffer(data, dtype=dtype).reshape(shape).astype(
                    dtype.newbyteorder("="))
    except OSError as exc:
        raise _fail(path, f"cannot read ({exc.strerror or exc})") from None
    return tensors, metadata

"""The app's single home for writing files: nothing it writes is ever half-written
or silently overwritten.

* :func:`atomic_write_text` / :func:`atomic_write_bytes` / :func:`atomic_write_with`
  write through :func:`nn.io.atomic_write` (temporary file in the same folder, fsync,
  ``os.replace``): a full disk or a crash leaves the old file as it was.
* :func:`unused_path` picks ``name-2.ext``, ``name-3.ext``, … when ``name.ext`` exists,
  so saving from the app never overwrites.
* :func:`check_output_file` / :func:`check_output_files` / :func:`check_output_folder`
  find an unwritable target *before* the work starts; :func:`fallback_path` is where work goes when the target
  still fails at the end.
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from nn.io import atomic_write


def unused_path(path: str | Path) -> Path:
    """``path`` itself if nothing exists there, else the first free ``stem-N.suffix`` (N ≥ 2)."""
    path = Path(path)
    if not os.path.lexists(path):
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
        n += 1


def atomic_write_with(path: str | Path, write_fn: Callable[[BinaryIO], object]) -> Path:
    """Create the parent folder if needed, then write ``path`` atomically with ``write_fn(f)``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, write_fn)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (the parent folder is created); returns the path."""
    return atomic_write_with(path, lambda f: f.write(data))


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (the parent folder is created); returns the path."""
    return atomic_write_bytes(path, text.encode(encoding))


def _lookup_errors_are_reasons(check):
    """``check`` (returning why a target cannot be written, or None) with an OSError from
    looking a name up — a name over the system's limit (ENAMETOOLONG), a folder that cannot
    be searched — returned as the reason too, never raised (``Path.exists`` and
    ``Path.is_dir`` swallow only ENOENT, ENOTDIR, EBADF and ELOOP)."""
    @functools.wraps(check)
    def guarded(path, *args, **kwargs):
        try:
            return check(path, *args, **kwargs)
        except OSError as exc:
            return f"{exc.filename or path}: {exc.strerror or exc}"
    return guarded


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


@_lookup_errors_are_reasons
def check_output_file(path: str | Path, force: bool = False) -> str | None:
    """Why ``path`` cannot be written as a new file, or None if it can.

    Refuses a folder where a file is expected, a device or pipe, an existing file unless
    ``force``, and a
    folder that is missing-and-uncreatable or not writable."""
    path = Path(path)
    if path.is_dir():
        return f"{path}: is a directory, not a file"
    if os.path.lexists(path) and not (path.is_file() or path.is_symlink()):
        return f"{path}: is not a regular file"
    if os.path.lexists(path) and not force:
        return f"{path}: already exists (use --force to overwrite)"
    return check_output_folder(path.parent, must_exist=False) or _name_too_long(
        _nearest_existing(path.parent), path, [path.name])


@_lookup_errors_are_reasons
def check_output_files(folder: str | Path, names, force: bool = False) -> str | None:
    """Why the files ``names`` cannot be written into ``folder`` (an export), or None:
    the folder first, then each file as :func:`check_output_file` sees it."""
    folder = Path(folder)
    return check_output_folder(folder) or next(
        (why for name in names if (why := check_output_file(folder / name, force))), None)


@_lookup_errors_are_reasons
def check_output_folder(folder: str | Path, must_exist: bool = False) -> str | None:
    """Why files cannot be written into ``folder``, or None if they can (a missing
    folder is fine when the nearest existing parent is a writable folder)."""
    folder = Path(folder) if str(folder) else Path(".")
    if folder.exists() and not folder.is_dir():
        return f"{folder}: is not a folder"
    base = _nearest_existing(folder)
    if must_exist and base != folder:
        return f"{folder}: no such folder"
    if not base.is_dir():
        return f"{base}: is not a folder"
    if not os.access(base, os.W_OK | os.X_OK):
        return f"{base}: folder is not writable"
    return _name_too_long(base, folder, folder.relative_to(base).parts if base != folder else [])


def _name_too_long(base: Path, path: Path, names) -> str | None:
    """Why ``names`` (folders or a file still to be made under ``base``) cannot be made:
    one longer than the file system's limit (the lookup of a missing path stops at its
    first missing folder, so nothing else says so before the write)."""
    try:
        limit = os.pathconf(base, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    too_long = [n for n in names if len(os.fsencode(n)) > limit]
    return (f"{path}: File name too long (a name of {len(os.fsencode(too_long[0]))} bytes; "
            f"at most {limit})" if too_long else None)


def fallback_path(path: str | Path) -> Path:
    """A free path for ``path``'s file name in the system temp folder (where work goes
    when its target could not be written)."""
    return unused_path(Path(tempfile.gettempdir()) / Path(path).name)

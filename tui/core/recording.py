"""Save a session (its starting configuration and every action taken) to JSON,
and read it back for ``tinynet-tui --replay FILE``.

The engine is deterministic, so replaying the actions from the same start
reproduces the final weights bit for bit (tested).  Playing is recorded as the
number of epochs it actually ran, so replay does not depend on timing.

A session file is validated before anything in it is trusted: its size, its
nesting, every field of the configuration and every action (through the one
action vocabulary, :mod:`tui.core.actions`).  Every error is one line naming the file
and, for an action, its number.
"""
from __future__ import annotations

import json
from pathlib import Path


from tui.core import actions as act
from tui.core.config import RunConfig
from tui.core.output import atomic_write_text
from tui.core.settings import MAX_EPOCHS, config_from_json, config_to_json

FORMAT = "tinynet-session-1"
MAX_FILE_BYTES = 64 * 2**20     #: a session file larger than this is refused
MAX_ACTIONS = 1_000_000
MAX_TOTAL_EPOCHS = MAX_EPOCHS  #: all recorded play actions together


class SessionFileError(ValueError):
    """The session file is missing or unusable; one line naming the file."""


def save_session(path: Path, config: RunConfig, actions: list[dict]) -> Path:
    path = Path(path)
    text = json.dumps({"format": FORMAT, "config": config_to_json(config), "actions": actions},
                      indent=1)
    try:
        return atomic_write_text(path, text)
    except OSError as exc:
        raise SessionFileError(f"{path}: cannot write ({exc.strerror or exc})") from None


def load_session(path: Path) -> tuple[RunConfig, list[act.Action]]:
    """The configuration and the validated actions of a session file."""
    path = Path(path)
    try:
        if not path.is_file():
            raise SessionFileError(f"{path}: no such file" if not path.exists()
                                   else f"{path}: not a regular file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SessionFileError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB, "
                                   "not a session file")
        data = json.loads(path.read_text(encoding="utf-8"))
    except SessionFileError:
        raise
    except RecursionError:
        raise SessionFileError(f"{path}: nested too deeply to be a session file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SessionFileError(f"{path}: not a readable session file ({type(exc).__name__})") \
            from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionFileError(f"{path}: not a tinynet-tui session (expected format {FORMAT})")
    raw = data.get("actions")
    if not isinstance(raw, list):
        raise SessionFileError(f"{path}: the list of actions is missing or corrupt")
    if len(raw) > MAX_ACTIONS:
        raise SessionFileError(f"{path}: more than {MAX_ACTIONS} actions")
    actions = []
    for k, item in enumerate(raw):
        try:
            actions.append(act.from_json(item))
        except act.ActionError as exc:
            raise SessionFileError(f"{path}: action {k + 1}: {exc}") from None
    total = sum(a.epochs for a in actions if isinstance(a, act.Play))
    if total > MAX_TOTAL_EPOCHS:
        raise SessionFileError(f"{path}: the actions play {total} epochs in all; at most "
                               f"{MAX_TOTAL_EPOCHS} are replayed")
    try:
        config = config_from_json(data.get("config") or {})
    except ValueError as exc:
        raise SessionFileError(f"{path}: configuration: {exc}") from None
    return config, actions

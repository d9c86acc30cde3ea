"""Save a session (its starting configuration and every action taken) to JSON,
and read it back for ``tinynet-tui --replay FILE``.

The engine is deterministic, so replaying the actions from the same start
reproduces the final weights bit for bit (tested).  Playing is recorded as the
number of epochs it actually ran, so replay does not depend on timing.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .config import RunConfig

FORMAT = "tinynet-session-1"
ACTIONS = {"step", "back", "play", "reset", "seed", "task", "lr", "edit", "jump"}


class SessionFileError(ValueError):
    """The session file is missing or unusable; one line naming the file."""


def config_to_json(config: RunConfig) -> dict:
    data = asdict(config)
    for key in ("data", "load"):
        data[key] = None if data[key] is None else str(data[key])
    data["hidden"] = None if config.hidden is None else list(config.hidden)
    data.pop("data_kind", None)
    return data


def config_from_json(data: dict) -> RunConfig:
    return RunConfig(
        task=data.get("task", "xor"),
        data=Path(data["data"]) if data.get("data") else None,
        hidden=None if data.get("hidden") is None else tuple(int(h) for h in data["hidden"]),
        activation=data.get("activation"),
        lr=data.get("lr"),
        seed=int(data.get("seed", 0)),
        epochs=data.get("epochs"),
        load=Path(data["load"]) if data.get("load") else None,
    )


def save_session(path: Path, config: RunConfig, actions: list[dict]) -> Path:
    path = Path(path)
    try:
        path.write_text(json.dumps({"format": FORMAT, "config": config_to_json(config),
                                    "actions": actions}, indent=1), encoding="utf-8")
    except OSError as exc:
        raise SessionFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def load_session(path: Path) -> tuple[RunConfig, list[dict]]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SessionFileError(f"{path}: is a directory, not a session file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SessionFileError(f"{path}: not a readable session file ({type(exc).__name__})") \
            from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionFileError(f"{path}: not a tinynet-tui session (expected format {FORMAT})")
    actions = data.get("actions")
    if not isinstance(actions, list) or not all(
            isinstance(a, dict) and a.get("do") in ACTIONS for a in actions):
        raise SessionFileError(f"{path}: the list of actions is missing or corrupt")
    try:
        config = config_from_json(data.get("config") or {})
    except (TypeError, ValueError):
        raise SessionFileError(f"{path}: the configuration is corrupt") from None
    return config, actions

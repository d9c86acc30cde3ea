"""The follow-mode wire format: newline-delimited JSON, versioned, validated.

Only actions cross the network (the engine is deterministic, so replaying a
teacher's actions from its starting configuration gives its network bit for bit).
Every line is one JSON object ``{"v": 1, "type": …, …}``:

teacher → follower
    ``hello``   ``{run, seq, config, n, lesson}``: the teacher's run id (random per start),
                how many actions it has recorded (``seq``), its starting
                configuration (as session files hold it) and the length ``n`` of
                its action log, which follows in ``log`` lines; ``lesson`` (optional):
                ``{name, chapter}`` of a built-in lesson chapter the run starts from
                (:mod:`tui.net.shared_lesson`)
    ``log``     ``{actions: [Action.to_json(), …]}`` (at most ``LOG_CHUNK`` each)
    ``action``  ``{seq, action}``: one new action, numbered from 1 (gaps are seen)
    ``error``   ``{reason}``: why the teacher closes this connection
    ``challenge`` ``{nonce}``: the first line of every connection, a fresh random nonce
    ``ask``     ``{q, text}``: a question is on the teacher's screen (``q`` None: none is)
    ``verdict`` ``{q, right, text}``: the teacher's check of this follower's answer
    ``view``    ``{name}``: a presenter view open on the teacher (``compare``/``sweep``;
                None: closed), shown read-only by followers
follower → teacher
    ``join``    ``{proof, name}``: HMAC-SHA256 of the connection's nonce keyed by the join
                code (:func:`join_proof`), so a captured join line is worth nothing on
                another connection; ``name`` is optional (None: anonymous)
    ``answer``  ``{q, a}``: this follower's answer to question ``q`` (at most one counts);
                nothing a follower sends is ever an action

:func:`decode` turns one received line into a :class:`Message` or raises
:class:`WireError` with one line for a person; nothing in a line is trusted
before it has been read through the action vocabulary (:mod:`tui.core.actions`) and
the session-file configuration reader (:mod:`tui.core.recording`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

from tui.core import actions as act
from tui.core.config import RunConfig
from tui.core.lesson_context import context_from_json
from tui.core.parsing import is_finite
from tui.core.settings import read_changes
from tui.core.text import printable
from tui.core.recording import MAX_TOTAL_EPOCHS
from tui.core.settings import config_from_json, config_to_json

VERSION = 1
MAX_LINE_BYTES = 256 * 1024       #: longest line a follower reads (a ``log`` chunk fits)
MAX_JOIN_LINE_BYTES = 1024        #: longest line a teacher reads from a follower
LOG_CHUNK = 1000                  #: actions per ``log`` line
MAX_LOG_ACTIONS = 1_000_000       #: a hello announcing more is refused
MAX_FOLLOWERS = 64
MAX_HIDDEN_WEIGHTS = 1_000_000    #: weights between hidden layers of a shared network
FOLLOWER_MSGS_PER_S = 20          #: what a teacher reads from one follower (more is dropped)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  #: no 0/O, 1/I
CODE_LENGTH = 6

NONCE_BYTES = 16
MIN_CODE_LENGTH = 6               #: shorter codes fall to guessing (``share --code``)
MAX_CODE_LENGTH = 32
MAX_NAME = 32                     #: characters of a follower's ``--name``
MAX_QUESTION_ID = 120
MAX_QUESTION_TEXT = 400
MAX_ANSWER = 64                   #: characters of one answer
MAX_VERDICT_TEXT = 400

TYPES_FROM_TEACHER = ("hello", "log", "action", "error", "challenge", "ask", "verdict", "view")
VIEWS = ("compare", "sweep", "settings")
TYPES_FROM_FOLLOWER = ("join", "answer")


class WireError(ValueError):
    """A received line that is malformed, oversized, unknown or out of bounds."""


@dataclass
class Message:
    type: str
    data: dict = field(default_factory=dict)   #: the checked fields (see the module doc)


def new_code() -> str:
    """A random join code people can read out loud (6 letters/digits, 30 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code).upper() if ch.isascii() and ch.isalnum())


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def join_proof(code: str, nonce: str) -> str:
    """What a follower sends instead of the code: HMAC-SHA256(code, nonce) in hex."""
    return hmac.new(normalise_code(code).encode(), b"tinynet-join:" + nonce.encode(),
                    hashlib.sha256).hexdigest()


def proof_matches(code: str, nonce: str, proof: str) -> bool:
    return hmac.compare_digest(join_proof(code, nonce).encode(), str(proof).encode())


# ------------------------------------------------------------------ encoding
def encode(type_: str, **fields) -> bytes:
    return (json.dumps({"v": VERSION, "type": type_, **fields}, separators=(",", ":"))
            + "\n").encode()


def hello_lines(run: str, seq: int, config: RunConfig, log: list[dict],
                lesson: dict | None = None) -> list[bytes]:
    """The hello and the log lines that follow it (what a late joiner replays)."""
    extra = {} if lesson is None else {"lesson": lesson}
    lines = [encode("hello", run=run, seq=seq, config=config_to_json(config), n=len(log),
                    **extra)]
    for k in range(0, len(log), LOG_CHUNK):
        lines.append(encode("log", actions=log[k:k + LOG_CHUNK]))
    return lines


def action_line(seq: int, action: act.Action) -> bytes:
    return encode("action", seq=seq, action=action.to_json())


# ------------------------------------------------------------------ decoding
def _parse(line: bytes, limit: int, allowed: tuple[str, ...]) -> tuple[str, dict]:
    if len(line) > limit:
        raise WireError(f"line of {len(line)} bytes dropped (at most {limit})")
    try:
        data = json.loads(line.decode("utf-8"))
    except RecursionError:
        raise WireError("message nested too deeply, dropped") from None
    except (UnicodeDecodeError, ValueError):
        raise WireError("malformed message (not JSON), dropped") from None
    if not isinstance(data, dict):
        raise WireError("malformed message (not an object), dropped")
    if data.get("v") != VERSION:
        raise WireError(f"message of version {data.get('v')!r} dropped (this is version "
                        f"{VERSION})")
    kind = data.get("type")
    if kind not in allowed:
        raise WireError(f"unknown message type {kind!r} dropped")
    return kind, data


def _whole(data: dict, key: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WireError(f"{data['type']}: {key} must be a whole number from {low} to {high}, "
                        f"got {value!r}; dropped")
    return value


def decode_from_teacher(line: bytes) -> Message:
    """One line a follower received, checked; WireError says why it is dropped."""
    kind, data = _parse(line, MAX_LINE_BYTES, TYPES_FROM_TEACHER)
    if kind == "hello":
        run = data.get("run")
        if not isinstance(run, str) or not 0 < len(run) <= 64:
            raise WireError("hello: run id missing; dropped")
        try:
            config = config_from_json(data.get("config"))
        except ValueError as exc:
            raise WireError(f"hello: configuration: {exc}; dropped") from None
        try:
            check_shareable(config, "hello: ")
        except WireError as exc:
            raise WireError(f"{exc}; dropped") from None
        try:
            lesson = context_from_json(data.get("lesson"))
        except ValueError as exc:
            raise WireError(f"hello: {exc}; dropped") from None
        return Message(kind, {"run": run, "seq": _whole(data, "seq", 0, 10**15),
                              "config": config, "n": _whole(data, "n", 0, MAX_LOG_ACTIONS),
                              "lesson": lesson})
    if kind == "log":
        raw = data.get("actions")
        if not isinstance(raw, list) or len(raw) > LOG_CHUNK:
            raise WireError(f"log: actions must be a list of at most {LOG_CHUNK}; dropped")
        try:
            actions = [act.from_json(item) for item in raw]
        except act.ActionError as exc:
            raise WireError(f"log: {exc}; dropped") from None
        return Message(kind, {"actions": actions})
    if kind == "action":
        seq = _whole(data, "seq", 1, 10**15)
        try:
            action = act.from_json(data.get("action"))
        except act.ActionError as exc:
            raise WireError(f"action {seq}: {exc}; dropped") from None
        return Message(kind, {"seq": seq, "action": action})
    if kind == "challenge":
        nonce = data.get("nonce")
        if not isinstance(nonce, str) or len(nonce) != 2 * NONCE_BYTES \
                or any(c not in "0123456789abcdef" for c in nonce):
            raise WireError("challenge: nonce missing or malformed; dropped")
        return Message(kind, {"nonce": nonce})
    if kind == "ask":
        q = data.get("q")
        if q is None:
            return Message(kind, {"q": None, "text": ""})
        return Message(kind, {"q": _text(data, "q", MAX_QUESTION_ID),
                              "text": _text(data, "text", MAX_QUESTION_TEXT)})
    if kind == "view":
        name = data.get("name")
        if name is not None and name not in VIEWS:
            raise WireError(f"view: unknown view {printable(repr(name))[:40]}; dropped")
        rows = data.get("rows")
        if rows is not None:
            rows = read_sweep_table(rows)
        note = data.get("note")
        draft = data.get("draft")
        if draft is not None:
            try:  # the fields a teacher is choosing: read like a configure action's
                draft = read_changes(draft) if draft else {}
            except ValueError as exc:
                raise WireError(f"view: settings: {printable(exc)[:200]}; dropped") from None
        return Message(kind, {"name": name, "rows": rows, "draft": draft,
                              "note": printable(note[:MAX_VERDICT_TEXT])
                              if isinstance(note, str) else ""})
    if kind == "verdict":
        right = data.get("right")
        if not isinstance(right, bool):
            raise WireError("verdict: right must be true or false; dropped")
        return Message(kind, {"q": _text(data, "q", MAX_QUESTION_ID), "right": right,
                              "text": _text(data, "text", MAX_VERDICT_TEXT)})
    reason = data.get("reason")
    # shown in a notification: never a control character or a bidi override from outside
    return Message(kind, {"reason": printable(reason[:200]) if isinstance(reason, str)
                          else "no reason"})


MAX_SWEEP_ROWS = 1000
SWEEP_STATES = ("success", "not yet", "stuck", "diverged")


def sweep_table(rows: list[dict]) -> list[list]:
    """The app's sweep rows as the wire carries them: [lr, seed, state, epochs to
    success or None, final loss or None] each (at most ``MAX_SWEEP_ROWS``)."""
    import math

    out = []
    for r in rows[:MAX_SWEEP_ROWS]:
        loss = r["final_loss"]
        out.append([float(r["lr"]), int(r["seed"]), r.get("state") or (
            "diverged" if r["diverged"] else "success" if r["success"] else "stuck"),
            r["epochs_to_success"], loss if math.isfinite(loss) else None])
    return out


def read_sweep_table(rows) -> list[dict]:
    """A ``view`` message's sweep rows, checked, as the app's sweep rows; WireError."""
    if not isinstance(rows, list) or len(rows) > MAX_SWEEP_ROWS:
        raise WireError(f"view: rows must be a list of at most {MAX_SWEEP_ROWS}; dropped")
    out = []
    for row in rows:
        ok = isinstance(row, list) and len(row) == 5
        if ok:
            lr, seed, state, first, loss = row
            ok = (isinstance(lr, (int, float)) and not isinstance(lr, bool)
                  and is_finite(lr) and lr > 0
                  and isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
                  and state in SWEEP_STATES
                  and (first is None or (isinstance(first, int) and not isinstance(first, bool)
                                         and first >= 0))
                  and (loss is None or (isinstance(loss, (int, float))
                                        and not isinstance(loss, bool) and is_finite(loss))))
        if not ok:
            raise WireError("view: a malformed sweep row; dropped")
        out.append(dict(lr=float(lr), seed=seed, state=state, success=state == "success",
                        diverged=state == "diverged", epochs_to_success=first,
                        final_loss=float("nan") if loss is None else float(loss)))
    return out


def _text(data: dict, key: str, limit: int, allow_empty: bool = False) -> str:
    """A string field of at most ``limit`` characters, made printable (shown to a person)."""
    value = data.get(key)
    if not isinstance(value, str) or len(value) > limit or not (value or allow_empty):
        raise WireError(f"{data['type']}: {key} must be text of 1 to {limit} characters; "
                        "dropped")
    return printable(value)


def decode_from_follower(line: bytes) -> Message:
    """One line a teacher received from a follower, checked; WireError says why not."""
    kind, data = _parse(line, MAX_JOIN_LINE_BYTES, TYPES_FROM_FOLLOWER)
    if kind == "join":
        proof = data.get("proof")
        if not isinstance(proof, str) or len(proof) != 64:
            raise WireError("join: proof of the join code missing")
        name = data.get("name")
        if name is not None:
            name = _text(data, "name", MAX_NAME)
        return Message(kind, {"proof": proof, "name": name})
    return Message(kind, {"q": _text(data, "q", MAX_QUESTION_ID),
                          "a": _text(data, "a", MAX_ANSWER).strip()})


def check_shareable(config: RunConfig, where: str = "") -> None:
    """Follow mode shares built-in tasks of a sensible size: a follower never opens a
    file the teacher names, nor builds a network larger than ``MAX_HIDDEN_WEIGHTS``."""
    for key in ("data", "load"):
        if getattr(config, key) is not None:
            raise WireError(f"{where}the network comes from a file ({key} "
                            f"{getattr(config, key)}); follow mode shares built-in tasks only")
    hidden = config.hidden or ()
    weights = sum(a * b for a, b in zip(hidden, hidden[1:]))
    if weights > MAX_HIDDEN_WEIGHTS:
        raise WireError(f"{where}hidden layers {', '.join(map(str, hidden))} have {weights} "
                        f"weights between them; follow mode shares at most {MAX_HIDDEN_WEIGHTS}")


def total_epochs(actions) -> int:
    return sum(a.epochs for a in actions if isinstance(a, act.Play))


def check_log_size(actions) -> None:
    total = total_epochs(actions)
    if total > MAX_TOTAL_EPOCHS:
        raise WireError(f"the teacher's log plays {total} epochs; at most {MAX_TOTAL_EPOCHS} "
                        "are replayed")


class RateLimit:
    """A token bucket: ``rate`` messages a second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate, self.burst = rate, burst or 2 * rate
        self.tokens, self.t = self.burst, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

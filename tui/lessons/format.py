"""Lesson files: plain Markdown a teacher writes, parsed into a :class:`Lesson`.

Nothing in a lesson file is executed: it is read line by line into strings and
numbers, and every problem becomes a :class:`LessonError` naming the file and line.
The syntax (also in the README section "Writing a lesson")::

    # Lesson title                      first non-blank line, required
    (optional intro prose)

    ## Chapter title                    starts a chapter
    key: value                          header lines, right after the title
    …                                   (the header ends at the first blank line)
    prose with {placeholders}           shown when the chapter starts
    ---                                 optional: prose below shows after the
    prose with {placeholders}           wait action and the question ("reveal")

Header keys (the first six are inherited by the next chapter):

    task: xor          hidden: 2 | 0 | 4,4     activation: sigmoid   lr: 5   seed: 0
    granularity: neuron | layer | phase | epoch   (what one press of n does)
    position: epoch E[, forward|loss|backward|update[, NEURON]]   (the next unit to run;
              default "epoch 0")
    steps: N [granularity]      steps taken after reaching the position
    sample: S                   the selected sample (from 1)
    select: NEURON              the selected neuron (h₁, h1, ŷ, y)
    panel: diagram | neuron | narration | loss | predictions | maps   (the app outlines it)
    show: PANEL, PANEL          more panels the chapter shows (prose that names a panel,
              "the predictions panel", shows it too: tui/lessons/panels.py)
    plant: wrong derivative NEURON   (inherited; a bug planted in the lesson's copy of
              the network: that neuron's activation derivative is f'(z) = a, not the true one)
    wait: none | step | steps N | play N epochs | play until loss L | play until nan
          | play until breakpoint vanishing|saturated|loss up | key K
    ask: QUANTITY               a predict-then-reveal question (checked after the wait)
    tolerance: 1% | 0.001       relative or absolute (default: Quiz.is_right, 1 %)
    hint: text                  shown on a wrong answer (may hold placeholders)

Quantities (in ``{…}`` in prose, bare after ``ask:``): ``loss``, ``loss epoch E``,
``epoch``, ``lr``, ``z|a|delta|δ|f' NEURON [sample S]`` (f': the activation's
derivative f'(z) as the engine computes it), ``dL/dy [sample S]``,
``w|dw NEURON I``, ``b|db NEURON``, ``x I [sample S]``, ``y [sample S]``, and on an image
task ``digit NEURON`` (the class whose training samples excite the neuron most, on average).
The sample defaults to the chapter's ``sample``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.text import printable
from tui.core.settings import CONFIGURABLE as _CONFIGURABLE
from tui.core.settings import SETTINGS as _SETTINGS
from tui.core.settings import parse as parse_setting
from tui.lessons.panels import NAMES as _PANEL_NAMES

#: the run settings a lesson sets, each read by the one settings table
#: (:mod:`tui.core.settings`: the CLI's, the session files' and the settings screen's
#: parser and bounds): task and seed, and every setting the app may change
RUN_SETTINGS = ("task", "seed") + tuple(k for k in _CONFIGURABLE if k != "data")
#: a lesson's key for a setting (``weight-decay``) → the setting (``weight_decay``)
LESSON_KEYS = {_SETTINGS[k].lesson_key: k for k in RUN_SETTINGS}
INHERITED = tuple(_SETTINGS[k].lesson_key for k in RUN_SETTINGS) + ("granularity", "plant")
KEYS = INHERITED + ("position", "steps", "sample", "select", "panel", "show", "wait", "ask",
                    "tolerance", "hint")
#: panels a chapter can point at (``panel:``, outlined; ``show:``, shown): see
#: :mod:`tui.lessons.panels`
PANELS = _PANEL_NAMES
GRANULARITIES = ("neuron", "layer", "phase", "epoch")
PHASES = ("forward", "loss", "backward", "update")
MAX_EPOCH = 20_000
MAX_STEPS = 1_000
#: chapters in one lesson (the built-in ones have at most 9): each one is set up and run
#: headless when the lesson is checked or opened, ~1 ms even when empty
MAX_CHAPTERS = 100
#: ``wait: play until breakpoint NAME`` → the :class:`nn.breakpoints.Breakpoints` switch
BREAKPOINTS = {"vanishing": "vanishing", "saturated": "saturated", "loss up": "loss_up"}

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class LessonError(ValueError):
    """One problem in a lesson file: ``path:line: message``."""

    def __init__(self, path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class LessonErrors(ValueError):
    """Every problem found in one file (``errors``); the message lists them one per line."""

    def __init__(self, errors: list[LessonError], lesson: "Lesson | None" = None):
        self.errors = errors
        #: what could be read, without the chapters that hold an error (so that
        #: ``learn --check`` can still try the others on the engine)
        self.lesson = lesson
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Quantity:
    """A number the engine knows, as named in a lesson: ``z h₁ sample 2``.

    ``neuron`` is the name as written (resolved against the network later), ``index``
    an input/weight number from 1, ``sample`` from 1 (None: the chapter's sample)."""

    kind: str
    neuron: str | None = None
    index: int | None = None
    sample: int | None = None
    epoch: int | None = None
    text: str = ""


@dataclass
class Wait:
    """What the chapter waits for: ``kind`` none/step/play/key, with ``count`` (steps or
    epochs), ``loss`` (play until) or ``key``."""

    kind: str = "none"
    count: int = 1
    loss: float | None = None
    key: str | None = None
    nan: bool = False   #: play until training stops on NaN/inf (at most ``count`` epochs)
    #: play until this breakpoint of the app fires (BREAKPOINTS; at most ``count`` epochs)
    breakpoint: str | None = None


@dataclass
class Position:
    """The next unit to run: epoch (from 0), phase (None: the epoch's start), neuron name."""

    epoch: int = 0
    phase: str | None = None
    neuron: str | None = None

    def __str__(self) -> str:
        return ", ".join(str(p) for p in (f"epoch {self.epoch}", self.phase, self.neuron) if p)


@dataclass
class Chapter:
    title: str
    line: int                                   #: line of the ``## title``
    settings: dict[str, object] = field(default_factory=dict)  #: task…granularity, resolved
    position: Position = field(default_factory=Position)
    steps: tuple[int, str | None] = (0, None)
    sample: int | None = None                   #: from 1
    select: str | None = None
    panel: str | None = None                    #: a panel the chapter is about (PANELS)
    show: tuple[str, ...] = ()                  #: more panels it shows (PANELS)
    wait: Wait = field(default_factory=Wait)
    ask: Quantity | None = None
    tolerance: tuple[str, float] | None = None  #: ("rel", 0.01) or ("abs", 0.001)
    hint: str | None = None
    text: list[tuple[int, str]] = field(default_factory=list)    #: (line, text) before ---
    reveal: list[tuple[int, str]] = field(default_factory=list)  #: (line, text) after ---
    lines: dict[str, int] = field(default_factory=dict)          #: key → its line


@dataclass
class Lesson:
    title: str
    chapters: list[Chapter]
    path: str = ""
    intro: str = ""


# ------------------------------------------------------------------ quantities
_SAMPLE = r"(?:\s+sample\s+(\d+))?"
_NAME = r"(\S+)"
_QUANTITY_FORMS = [
    (re.compile(r"loss\s+epoch\s+(\d+)$"), "loss_epoch"),
    (re.compile(r"(loss|epoch|lr|last epoch|accuracy)$"), "plain"),
    (re.compile(rf"(z|a|delta|δ|f'|fprime)\s+{_NAME}{_SAMPLE}$"), "neuron_sample"),
    (re.compile(rf"(?:dL/dy|dL/dŷ|∂L/∂ŷ){_SAMPLE}$"), "dl_dy"),
    (re.compile(rf"(w|dw)\s+{_NAME}\s+(\d+)$"), "weight"),
    (re.compile(rf"(b|db)\s+{_NAME}$"), "bias"),
    (re.compile(rf"x\s+(\d+){_SAMPLE}$"), "input"),
    (re.compile(rf"y{_SAMPLE}$"), "target"),
    (re.compile(rf"digit\s+{_NAME}$"), "digit"),   # image tasks: the class exciting it most
]
QUANTITY_HELP = ("loss, loss epoch E, epoch, last epoch, lr, accuracy, z|a|delta|f' NEURON [sample S], dL/dy [sample S], "
                 "w|dw NEURON I, b|db NEURON, x I [sample S], y [sample S], digit NEURON")


def parse_quantity(text: str) -> Quantity:
    """``"delta h₁ sample 2"`` → Quantity; ValueError with a one-line reason."""
    t = " ".join(text.split())
    for rx, form in _QUANTITY_FORMS:
        m = rx.match(t)
        if not m:
            continue
        g = m.groups()
        if form == "loss_epoch":
            return Quantity("loss", epoch=int(g[0]), text=t)
        if form == "plain":
            return Quantity(g[0], text=t)
        if form == "neuron_sample":
            kind = {"δ": "delta", "fprime": "f'"}.get(g[0], g[0])
            return Quantity(kind, neuron=g[1], sample=_pos(g[2]), text=t)
        if form == "dl_dy":
            return Quantity("dL/dy", sample=_pos(g[0]), text=t)
        if form == "weight":
            return Quantity(g[0], neuron=g[1], index=_pos(g[2]), text=t)
        if form == "bias":
            return Quantity(g[0], neuron=g[1], text=t)
        if form == "digit":
            return Quantity("digit", neuron=g[0], text=t)
        if form == "input":
            return Quantity("x", index=_pos(g[0]), sample=_pos(g[1]), text=t)
        return Quantity("y", sample=_pos(g[0]), text=t)
    raise ValueError(f"not a quantity: {{{t}}} (use {QUANTITY_HELP})")


def _pos(text: str | None) -> int | None:
    if text is None:
        return None
    n = int(text)
    if n < 1:
        raise ValueError("numbers of samples and weights start at 1")
    return n


# --------------------------------------------------------------------- values
def _parse_position(v: str) -> Position:
    parts = [p.strip() for p in v.split(",")]
    m = re.fullmatch(r"epoch\s+(\d+)", parts[0]) if parts[0] != "start" else None
    if parts[0] == "start" and len(parts) == 1:
        return Position()
    if not m or len(parts) > 3:
        raise ValueError(f"position {v!r}: write 'epoch E', 'epoch E, PHASE' or "
                         "'epoch E, PHASE, NEURON'")
    epoch = int(m.group(1))
    if epoch > MAX_EPOCH:
        raise ValueError(f"position {v!r}: epoch {epoch} is unreachable (at most {MAX_EPOCH})")
    phase = parts[1] if len(parts) > 1 else None
    if phase is not None and phase not in PHASES:
        raise ValueError(f"position {v!r}: phase must be one of {', '.join(PHASES)}")
    neuron = parts[2] if len(parts) > 2 else None
    if phase == "loss" and neuron:
        raise ValueError(f"position {v!r}: the loss has no neuron")
    return Position(epoch, phase, neuron)


def _parse_wait(v: str) -> Wait:
    if v == "none":
        return Wait()
    if v == "step":
        return Wait("step", 1)
    m = re.fullmatch(r"steps\s+(\d+)", v)
    if m and 1 <= int(m.group(1)) <= MAX_STEPS:
        return Wait("step", int(m.group(1)))
    m = re.fullmatch(r"play until loss\s+(\S+)", v)
    if m:
        loss = float(m.group(1))
        if not loss > 0:
            raise ValueError("wait: the loss to play to must be above 0")
        return Wait("play", loss=loss)
    m = re.fullmatch(r"play until breakpoint\s+(.+?)", v)
    if m:
        name = " ".join(m.group(1).split())
        if name not in BREAKPOINTS:
            raise ValueError(f"wait {v!r}: the breakpoints a lesson can play to are "
                             f"{', '.join(BREAKPOINTS)}")
        return Wait("play", count=MAX_EPOCH, breakpoint=name)
    if re.fullmatch(r"play until (?:nan|NaN)", v):
        return Wait("play", count=MAX_EPOCH, nan=True)
    m = re.fullmatch(r"play\s+(\d+)\s+epochs?", v)
    if m and 1 <= int(m.group(1)) <= MAX_EPOCH:
        return Wait("play", count=int(m.group(1)))
    m = re.fullmatch(r"key\s+(\S)", v)
    if m:
        return Wait("key", key=m.group(1))
    raise ValueError(f"wait {v!r}: use none, step, steps N, play N epochs, "
                     "play until loss L, play until nan, play until breakpoint NAME or key K")


def _run_setting(key: str, v: str) -> object:
    """A run setting, parsed and bounded by the settings table as the command line's
    option is: ``optimizer: adam``, ``features: x1, x2, x1x2``, ``hidden: 4,4``,
    ``activation: relu, tanh`` (a hidden ``softmax`` is refused, as by the CLI)."""
    name = LESSON_KEYS[key]
    try:
        return parse_setting(name, v)
    except ValueError as exc:
        message = str(exc)
        if "softmax" in v and name == "activation":
            message += " (softmax mixes a row: output layers only, as the CLI says)"
        raise ValueError(f"{key} {v!r}: {message}") from None


def _parse_value(key: str, v: str, settings: dict) -> object:
    """Check one header value; returns it parsed.  ValueError says why not."""
    if key in LESSON_KEYS:
        return _run_setting(key, v)
    if key == "sample":
        n = int(v)
        if n < 1:
            raise ValueError(f"sample {v!r}: from 1")
        return n
    if key == "granularity":
        if v not in GRANULARITIES:
            raise ValueError(f"granularity {v!r}: one of {', '.join(GRANULARITIES)}")
        return v
    if key == "position":
        return _parse_position(v)
    if key == "steps":
        parts = v.split()
        if not parts or len(parts) > 2 or not parts[0].isdigit() or \
                (len(parts) == 2 and parts[1] not in GRANULARITIES):
            raise ValueError(f"steps {v!r}: write N or N GRANULARITY (e.g. 3 neuron)")
        if int(parts[0]) > MAX_STEPS:
            raise ValueError(f"steps {v!r}: at most {MAX_STEPS}")
        return int(parts[0]), (parts[1] if len(parts) == 2 else None)
    if key == "select":
        return v
    if key == "panel":
        if v not in PANELS:
            raise ValueError(f"panel {v!r}: one of {', '.join(PANELS)}")
        return v
    if key == "show":
        names = tuple(n.strip() for n in v.split(","))
        bad = [n for n in names if n not in PANELS]
        if bad:
            raise ValueError(f"show {v!r}: panels from {', '.join(PANELS)}, "
                             "separated by commas")
        return names
    if key == "plant":
        m = re.fullmatch(r"wrong derivative\s+(\S+)", v)
        if v == "none":
            return None
        if not m:
            raise ValueError(f"plant {v!r}: write 'wrong derivative NEURON' or 'none'")
        return m.group(1)
    if key == "wait":
        return _parse_wait(v)
    if key == "ask":
        q = parse_quantity(v)
        if q.kind in ("epoch", "last epoch", "lr", "x", "y"):
            raise ValueError(f"ask {v!r}: ask for something the network computes "
                             "(z, a, delta, dL/dy, loss, w, dw, b, db)")
        return q
    if key == "tolerance":
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", v)
        if m:
            return ("rel", float(m.group(1)) / 100)
        how = "write a width above 0, absolute (0.5: ± 0.5) or relative (1%)"
        try:
            tol = float(v)
        except ValueError:
            raise ValueError(f"tolerance {v!r}: {how}") from None
        if not tol > 0:
            raise ValueError(f"tolerance {v!r}: {how}")
        return ("abs", tol)
    if key == "hint":
        return v
    raise AssertionError(key)


# ---------------------------------------------------------------------- parse
def parse(text: str, path: str | Path = "<lesson>") -> Lesson:
    """Parse a lesson's text; raises :class:`LessonErrors` listing every problem of form
    (values, keys, placeholders' syntax).  Whether positions are reachable and quantities
    exist in the network is checked by :func:`tui.lessons.live.check`."""
    path = str(path)
    errors: list[LessonError] = []
    lines = text.splitlines()
    title, intro, chapters = "", [], []
    settings = {**dict.fromkeys(RUN_SETTINGS), "task": "xor", "seed": 0,
                "granularity": "neuron", "plant": None}
    ch: Chapter | None = None
    in_header = False
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not title:
            if not line.strip():
                continue
            if line.startswith("# ") and line[2:].strip():
                title = line[2:].strip()
                continue
            errors.append(LessonError(path, n, "missing title: the first line must be "
                                               "'# Lesson title'"))
            title = "?"
        if line.startswith("## "):
            if len(chapters) == MAX_CHAPTERS:  # the rest is never read, nor run
                errors.append(LessonError(path, n, f"more than {MAX_CHAPTERS} chapters: a "
                                                   f"lesson has at most {MAX_CHAPTERS}"))
                raise LessonErrors(errors, None)
            if ch is not None:
                settings = dict(ch.settings)
            ch = Chapter(line[3:].strip(), n, dict(settings))
            if not ch.title:
                errors.append(LessonError(path, n, "a chapter needs a title after '## '"))
            chapters.append(ch)
            in_header = True
            continue
        if ch is None:
            intro.append(line)
            continue
        if in_header:
            if not line.strip():
                in_header = False
                continue
            # a key is a word (letters first; digits, Greek, - and _ may follow): "beta1:"
            # or "β:" is reported as an unknown key, not read as prose with the keys after it
            m = re.match(r"([^\W\d][\w-]*)\s*:\s*(.*)$", line)
            if m:
                key, value = m.group(1).lower(), m.group(2).strip()
                if key.replace("_", "-") in LESSON_KEYS:  # weight_decay: weight-decay
                    key = key.replace("_", "-")
                if key not in KEYS:
                    errors.append(LessonError(path, n, f"unknown key {key!r} (known: "
                                                       f"{', '.join(KEYS)})"))
                    continue
                if key in ch.lines:
                    errors.append(LessonError(path, n, f"{key!r} given twice (first on line "
                                                       f"{ch.lines[key]})"))
                    continue
                ch.lines[key] = n
                try:
                    parsed = _parse_value(key, value, ch.settings)
                except ValueError as exc:
                    msg = str(exc)
                    if not msg.startswith(key) and not msg.startswith("not a quantity"):
                        msg = f"{key} {value!r}: not a valid value"
                    if key in ("ask", "tolerance"):
                        msg = f"malformed question: {msg}"
                    errors.append(LessonError(path, n, msg))
                    continue
                if key in LESSON_KEYS:  # kept under the setting's name (weight_decay)
                    ch.settings[LESSON_KEYS[key]] = parsed
                elif key in INHERITED:
                    ch.settings[key] = parsed
                elif key == "sample":
                    ch.sample = parsed
                else:
                    setattr(ch, key, parsed)
                continue
            in_header = False  # prose right after the header, no blank line
        if line.strip() == "---" and "---" not in ch.lines:
            ch.lines["---"] = n
            continue
        if line.strip() == "---":
            errors.append(LessonError(path, n, f"a second '---' in this chapter (the first is on "
                                               f"line {ch.lines['---']}): a chapter has one, "
                                               "between its text and its reveal"))
            continue
        target = ch.reveal if "---" in ch.lines else ch.text
        target.append((n, line))
        for m in PLACEHOLDER.finditer(line):
            try:
                parse_quantity(m.group(1))
            except ValueError as exc:
                errors.append(LessonError(path, n, f"bad placeholder: {exc}"))
        if "{" in PLACEHOLDER.sub("", line) or "}" in PLACEHOLDER.sub("", line):
            errors.append(LessonError(path, n, "unmatched { or } (placeholders look like "
                                               "{z h₁ sample 2})"))
    if not title:
        errors.append(LessonError(path, 1, "missing title: the first line must be '# Title'"))
    if title and not chapters:
        errors.append(LessonError(path, None, "no chapters: start one with '## Chapter title'"))
    for ch in chapters:
        for key in ("tolerance", "hint"):
            if key in ch.lines and "ask" not in ch.lines:
                errors.append(LessonError(path, ch.lines[key],
                                          f"malformed question: {key!r} without 'ask:'"))
    for ch in chapters:
        _trim(ch.text)
        _trim(ch.reveal)
    if errors:
        # every chapter, a bad line left out, so that --check runs them all on the engine
        # and reports every problem (not only the first of a chapter)
        raise LessonErrors(errors, Lesson(title, chapters, path) if chapters else None)
    return Lesson(title, chapters, path, "\n".join(intro).strip())


def _trim(block: list[tuple[int, str]]) -> None:
    while block and not block[0][1].strip():
        block.pop(0)
    while block and not block[-1][1].strip():
        block.pop()


def load(path: str | Path) -> Lesson:
    """Read and parse a lesson file; unreadable files give one LessonErrors line too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LessonErrors([LessonError(path, None, "no such file")]) from None
    except IsADirectoryError:
        raise LessonErrors([LessonError(path, None, "is a directory, not a lesson file")]) \
            from None
    except UnicodeDecodeError:
        raise LessonErrors([LessonError(path, None, "not UTF-8 text")]) from None
    except OSError as exc:
        raise LessonErrors([LessonError(path, None, exc.strerror or str(exc))]) from None
    # control and bidi characters shown visibly wherever the lesson is shown or written
    # (``learn --check`` reports where they are: tui.lessons.checking.unsafe_lines)
    return parse(printable(text.replace("\r\n", "\n"), keep_newlines=True, keep_tabs=True),
                 path)

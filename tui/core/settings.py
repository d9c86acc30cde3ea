"""The run settings, each declared once: its type, bounds, default, help, command-line flag,
session-file key, lesson key and settings-screen row.

Every place that takes a setting from outside reads it through :func:`check` (a value from a
JSON file, a ``configure`` action, a lesson or the settings screen) or :func:`parse` (text
from the command line or a lesson), so all of them accept and refuse exactly the same values
(tests/test_settings_table.py holds it).  A saved session therefore always replays: whatever
the app could be set to, a session file can hold.

Adding a setting: a :class:`RunConfig` field (tui/core/config.py) and one :class:`Setting`
below.  The CLI option (tui/cli/options.py), the session-file reader (``config_from_json``),
the ``configure`` action, the lesson key and — with a ``row`` — the settings screen follow.
The choices of ``loss``, ``optimizer``, ``init`` and the activations come from the engine's
registries, and each optimizer hyper-parameter an optimizer class declares with a
``setting`` (nn.optimizers ``Hyper``: ``momentum``, ``rho``) is a setting made here from that
declaration (:func:`_hyper_setting`; kept in :attr:`RunConfig.hyper`), so a new loss or
optimizer class appears everywhere by itself.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from nn.activations import ACTIVATIONS
from nn.features import FEATURES, parse_features
from nn.formula import Formula, FormulaError
from nn.init import INITS
from nn.io import MAX_SEED, MAX_WIDTH
from nn.optimizers import Hyper, hyper_settings

from nn.images import MAX_SIDE
from tui.core.config import LOSS_CHOICES, OPTIMIZER_CHOICES, TASK_CHOICES, RunConfig
from tui.core.parsing import finite_number, is_finite, shown_number, whole_number

MAX_HIDDEN = MAX_WIDTH          #: neurons per hidden layer (a model file's bound too: nn.io)
MAX_LAYERS = 16                 #: hidden layers
MAX_EPOCHS = 20_000_000         #: epochs of one run (and of all of a session's plays)
#: MAX_SEED: 0 … 2³²−1, the model reader's bound (nn.io) too
MAX_NOISE = 10.0                #: the data lie in [-1, 1]²: more is only noise
MAX_TEST_FRACTION = 0.9         #: at least a tenth of the samples is left to train on
MAX_SCALE = 1e6                 #: σ of --init normal, weight decay λ
MAX_BATCH = 10**9
MAX_FORMULA = 1000              #: characters of a --target formula

#: activations a hidden layer can have (softmax mixes a row: output layers only)
HIDDEN_ACTIVATIONS = tuple(name for name, cls in ACTIVATIONS.items() if cls.elementwise)


@dataclass(frozen=True)
class Row:
    """How the settings screen offers a setting: ``kind`` is "number" (± ``step`` within
    the setting's bounds), "scaled" (×2 / ÷2), "ladder" (one of ``values``) or "choice"
    (cycles through the setting's choices)."""

    label: str
    kind: str
    order: int                  #: its place on the screen, top to bottom
    step: float = 0.0
    values: tuple = ()


@dataclass(frozen=True)
class Setting:
    """One run setting (a :class:`RunConfig` field of the same ``name``)."""

    name: str
    kind: str                   #: int, float, choice, sizes, activations, features, text, path
    help: str
    flag: str | None = None     #: the command-line option (None: not on the command line)
    metavar: str | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False      #: ``low`` itself is refused (lr > 0)
    high_open: bool = False     #: ``high`` itself is refused (momentum < 1)
    choices: Callable[[], tuple] | None = None
    configurable: bool = True   #: a configure action, a lesson and the screen may change it
    row: Row | None = None      #: its settings-screen row (None: not a plain row)
    #: an optimizer's hyper-parameter: the declaration it is made from, and the
    #: ``--optimizer`` words that read it (its row shows, its flag is taken, only with them)
    hyper: Hyper | None = None
    optimizers: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Its key in a session file (and a configure action)."""
        return self.name

    @property
    def lesson_key(self) -> str:
        """Its key in a lesson file's settings block (``weight-decay: 0.01``)."""
        return self.name.replace("_", "-")

    @property
    def default(self):
        if self.hyper is not None:
            return self.hyper.default
        return RunConfig.__dataclass_fields__[self.name].default

    def bounds_text(self) -> str:
        """"from 0 to 10", "above 0", "from 0 to 1 (not included)"."""
        def show(x: float) -> str:
            return str(int(x)) if self.kind == "int" else f"{x:g}"
        if self.high is None:
            return f"{'above' if self.low_open else 'at least'} {show(self.low)}"
        return (f"{'above' if self.low_open else 'from'} {show(self.low)} to {show(self.high)}"
                + (" (not included)" if self.high_open else ""))


def _choices(names) -> Callable[[], tuple]:
    return lambda: tuple(names() if callable(names) else names)


def _hyper_setting(name: str, h: Hyper, words: tuple[str, ...]) -> Setting:
    """The run setting of an optimizer's hyper-parameter, from its one declaration
    (nn.optimizers): flag ``--<name>``, session-file and lesson key ``name``, a row under the
    optimizer's (a ladder of the declared values, else ± a twentieth of its range)."""
    label = f"  {name.replace('_', ' ')} {h.symbol}"
    row = (Row(label, "ladder", 4, values=h.ladder) if h.ladder else
           Row(label, "number", 4, step=((h.high or 1.0) - h.low) / 20))
    return Setting(name, "float", h.help or f"{h.symbol} of --optimizer {' or '.join(words)} "
                   f"(default {h.default:g})", "--" + name.replace("_", "-"), h.metavar,
                   low=h.low, high=h.high, low_open=h.low_open, high_open=h.high_open,
                   row=row, hyper=h, optimizers=words)


def _with_hypers(table: tuple[Setting, ...]) -> dict[str, Setting]:
    """The table with each optimizer hyper-parameter setting right after ``optimizer``."""
    out: dict[str, Setting] = {}
    for s in table:
        out[s.name] = s
        if s.name == "optimizer":
            out.update({name: _hyper_setting(name, h, words)
                        for name, (h, words) in hyper_settings().items()})
    return out


SETTINGS: dict[str, Setting] = _with_hypers((
    Setting("task", "choice", "built-in data set (default: the --load model's task, else xor)",
            "--task", choices=_choices(TASK_CHOICES), configurable=False),
    Setting("data", "path", "your own data: rows of x1,x2,y (overrides --task)", "--data",
            "FILE.csv", configurable=False),
    Setting("hidden", "sizes", "hidden layer sizes, e.g. 2 or 16,8; 0 for none (default: per "
            f"task); at most {MAX_LAYERS} layers of {MAX_HIDDEN}", "--hidden", "SIZES",
            low=1, high=MAX_HIDDEN),
    Setting("activation", "activations", f"hidden activation ({', '.join(HIDDEN_ACTIVATIONS)}):"
            " one for every hidden layer, or one per layer, e.g. tanh,relu (default: per task)",
            "--activation", "NAMES", choices=_choices(HIDDEN_ACTIVATIONS)),
    Setting("lr", "float", "learning rate (default: per task)", "--lr", "LR", low=0.0,
            low_open=True, row=Row("learning rate", "scaled", 3)),
    Setting("seed", "int", "weight initialisation seed", "--seed", "SEED", low=0, high=MAX_SEED,
            configurable=False),
    Setting("epochs", "int", "epochs to train", None, "N", low=1, high=MAX_EPOCHS,
            configurable=False),
    Setting("load", "path", "start from a saved model (.npz, or a PyTorch nn.Sequential state "
            "dict in .safetensors: give --activation if the file does not name them)",
            "--load", "MODEL.npz",
            configurable=False),
    Setting("features", "features", "input features, e.g. x1,x2,x1^2,x2^2 (from "
            f"{', '.join(FEATURES)}; default x1,x2)", "--features", "LIST",
            choices=_choices(FEATURES)),
    Setting("target", "text", 'regression target, e.g. "sin(3*x1)*x2": numbers, x1, x2, '
            "+ - * / ^, ( ), sin cos tan exp log sqrt abs tanh", "--target", "FORMULA",
            high=MAX_FORMULA),
    Setting("test_fraction", "float", "hold out this share of the samples as a test set, e.g. "
            "0.2 (seeded by --seed; default 0: none)", "--test-fraction", "F", low=0.0,
            high=MAX_TEST_FRACTION, row=Row("test fraction", "number", 2, step=0.1)),
    Setting("noise", "float", "noise level σ of a generated task (default: the task's own)",
            "--noise", "SIGMA", low=0.0, high=MAX_NOISE, row=Row("noise σ", "number", 1, step=0.05)),
    Setting("loss", "choice", "loss (default: mse; softmax-ce for the 3-class tasks); "
            "cross-entropy = bce on a sigmoid output, softmax-ce on a softmax one", "--loss",
            choices=_choices(LOSS_CHOICES),
            row=Row("loss", "ladder", 5, values=(None, "mse", "cross-entropy"))),
    Setting("optimizer", "choice", "gd (plain gradient descent, default), "
            + ", ".join(OPTIMIZER_CHOICES[1:]), "--optimizer", choices=_choices(OPTIMIZER_CHOICES),
            row=Row("optimizer", "choice", 4)),
    # (then each optimizer hyper-parameter setting: _with_hypers)
    Setting("init", "choice", "weight initialisation (default: per activation)", "--init",
            choices=lambda: tuple(INITS), row=Row("initial weights", "choice", 6)),
    Setting("sigma", "float", "σ of --init normal (default 1)", "--sigma", "SIGMA", low=0.0,
            high=MAX_SCALE),
    Setting("batch", "int", "mini-batch size: an epoch is ⌈N/B⌉ steps over a seeded shuffle "
            "(default: all samples)", "--batch", "B", low=1, high=MAX_BATCH,
            row=Row("mini-batch", "ladder", 7, values=(None, 1, 2, 4, 8, 16, 32, 64, 128, 256))),
    Setting("weight_decay", "float", "L2 penalty λ/2·Σw² on the weights (default 0)",
            "--weight-decay", "LAMBDA", low=0.0, high=MAX_SCALE,
            row=Row("weight decay λ", "ladder", 8, values=(0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1))),
    # --data FILE --image HxW (tui/cli/options.py adds the flag: it reads "8x8")
    Setting("image", "image", "with --data: each row is H·W pixels and a class label",
            None, "HxW", configurable=False),
))
#: the optimizers' hyper-parameter settings (kept in RunConfig.hyper, not as fields)
HYPER_SETTINGS = tuple(name for name, s in SETTINGS.items() if s.hyper is not None)

#: the fields of a session file's ``config`` object (RunConfig's, less ``data_kind``)
CONFIG_FIELDS = tuple(SETTINGS)
#: fields a ``configure`` action (the settings screen, a lesson) may change
CONFIGURABLE = tuple(k for k, s in SETTINGS.items() if s.configurable)
NOT_CONFIGURABLE = tuple(k for k in CONFIG_FIELDS if k not in CONFIGURABLE)


# ---------------------------------------------------------------- checking values
def _number(s: Setting, value) -> float:
    """``value`` (a JSON/typed number) within ``s``'s bounds; ValueError naming ``s``."""
    whole = s.kind == "int"
    ok_type = not isinstance(value, bool) and isinstance(value, int if whole else (int, float))
    if not ok_type or not is_finite(value) or (s.low is not None and (
            value < s.low or (s.low_open and value == s.low))) or (s.high is not None and (
            value > s.high or (s.high_open and value == s.high))):
        what = "a whole number" if whole else "a number"
        shown = (f"{value:g}" if ok_type and is_finite(value) and not whole
                 else shown_number(value))
        raise ValueError(f"{s.name} must be {what} {s.bounds_text()}, got {shown}")
    return int(value) if whole else float(value)


def check(name: str, value):
    """The typed value of setting ``name`` (as RunConfig holds it) from a JSON-like
    ``value``; ValueError with one line naming the setting.  None means "the default"."""
    s = SETTINGS[name]
    if value is None:
        return None
    if s.kind in ("int", "float"):
        return _number(s, value)
    if s.kind == "choice":
        names = s.choices()
        if value not in names:
            raise ValueError(f"{name} must be one of {', '.join(names)}, got {value!r}")
        return value
    if s.kind == "sizes":
        if not isinstance(value, (list, tuple)) or len(value) > MAX_LAYERS:
            raise ValueError(f"hidden must be a list of at most {MAX_LAYERS} layer sizes")
        for h in value:
            if isinstance(h, bool) or not isinstance(h, int) or not 1 <= h <= MAX_HIDDEN:
                raise ValueError(f"a hidden layer size must be a whole number from 1 to "
                                 f"{MAX_HIDDEN}, got {h!r}")
        return tuple(value)
    if s.kind == "activations":
        if isinstance(value, str) and value in HIDDEN_ACTIVATIONS:
            return value
        if isinstance(value, (list, tuple)) and 0 < len(value) <= MAX_LAYERS \
                and all(isinstance(v, str) and v in HIDDEN_ACTIVATIONS for v in value):
            return tuple(value)
        raise ValueError(f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, or a list "
                         f"of them (one per hidden layer), got {value!r}")
    if s.kind == "features":
        if not isinstance(value, (list, tuple)) or not value or len(value) > len(FEATURES) \
                or not all(isinstance(f, str) and f for f in value):
            raise ValueError("features must be a list of feature names")
        unknown = [f for f in value if f not in FEATURES]
        if unknown or len(set(value)) < len(value):
            raise ValueError(f"unknown feature {unknown[0]!r} (choose from {', '.join(FEATURES)})"
                             if unknown else "features must not repeat a feature")
        return tuple(value)
    if s.kind == "text":
        if not isinstance(value, str) or not value.strip() or len(value) > s.high:
            raise ValueError(f"{name} must be a formula (text), got {value!r}")
        try:
            Formula(value)
        except FormulaError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()
    if s.kind == "image":
        if not isinstance(value, (list, tuple)) or len(value) != 2 or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIDE
                for v in value):
            raise ValueError(f"image must be [height, width], each 1 to {MAX_SIDE}, "
                             f"got {value!r}")
        return tuple(value)
    if s.kind == "path":
        if not isinstance(value, (str, Path)) or not str(value):
            raise ValueError(f"{name} must be a file name, got {value!r}")
        return Path(value)
    raise AssertionError(f"unknown kind {s.kind}")  # pragma: no cover


def parse(name: str, text: str):
    """Setting ``name`` from text a person typed (the command line, a lesson):
    ``"16,8"`` → (16, 8), ``"0.1"`` → 0.1, ``"tanh,relu"`` → ("tanh", "relu"); checked by
    :func:`check`.  ValueError with one line."""
    s = SETTINGS[name]
    text = text.strip()
    if s.kind == "int":
        return check(name, whole_number(text))
    if s.kind == "float":
        return check(name, finite_number(text))
    if s.kind == "sizes":
        try:
            sizes = [int(part) for part in text.split(",")]
        except ValueError:
            raise ValueError(f"give layer sizes like 2 or 16,8 (0 for none), got {text!r}") \
                from None
        if sizes == [0]:
            return ()
        if any(n < 1 for n in sizes):
            raise ValueError(f"{text!r}: layer sizes must be at least 1")
        return check(name, sizes)
    if s.kind == "activations":
        names = [part.strip().lower() for part in text.split(",")]
        for n in names:
            if n not in HIDDEN_ACTIVATIONS:
                raise ValueError(f"invalid choice: {n!r} (choose from "
                                 f"{', '.join(HIDDEN_ACTIVATIONS)}: one for every hidden layer, "
                                 "or one per layer like tanh,relu)")
        return check(name, names[0] if len(names) == 1 else names)
    if s.kind == "features":
        return check(name, list(parse_features(text)))
    return check(name, text)


# ---------------------------------------------------------------- whole configurations
def config_to_json(config: RunConfig) -> dict:
    """A RunConfig as a session file's ``config`` object (lists, strings).  An optimizer
    hyper-parameter setting is written (by its name, in the table's order) when the config's
    optimizer reads it or it differs from its default: a file that uses no newer optimizer
    still opens in a release that knows fewer settings."""
    fields = asdict(config)
    fields.pop("hyper")
    used = set(config.optimizer_settings()) | {name for name, _ in config.hyper}
    data = {name: config.hyper_value(name) if name in HYPER_SETTINGS else fields.pop(name)
            for name in CONFIG_FIELDS if name not in HYPER_SETTINGS or name in used}
    data.update(fields)
    for key in ("data", "load"):
        data[key] = None if data[key] is None else str(data[key])
    for key in ("hidden", "features", "image"):
        data[key] = None if data[key] is None else list(data[key])
    if isinstance(config.activation, tuple):
        data["activation"] = list(config.activation)
    data.pop("data_kind", None)
    if data.get("image") is not None:
        data["image"] = list(data["image"])
    return data


def config_from_json(data) -> RunConfig:
    """A RunConfig from a file's ``config`` object; ValueError says which field is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the configuration must be an object")
    unknown = set(data) - set(CONFIG_FIELDS)
    if unknown:
        raise ValueError(f"unknown configuration field {sorted(unknown)[0]!r}")
    values, hyper = {}, {}
    for name in CONFIG_FIELDS:
        value = check(name, data.get(name))
        if value is not None:
            (hyper if name in HYPER_SETTINGS else values)[name] = value
    return RunConfig(**values, hyper=hyper)


def read_changes(data) -> dict:
    """The changes of a ``configure`` action, validated by :func:`check` and normalised to
    their JSON form (``{"hidden": [4, 4], "noise": 0.1}``); ValueError."""
    if not isinstance(data, dict) or not data:
        raise ValueError('must be an object of configuration fields, like {"hidden": [4]}')
    for key, value in data.items():
        if key not in CONFIGURABLE:
            raise ValueError(f"{key!r} cannot be changed here (changeable: "
                             f"{', '.join(CONFIGURABLE)})")
        if value is None:
            raise ValueError(f"{key} must not be null")
    config = config_from_json(dict(data))
    as_json = config_to_json(config)
    return {key: config.hyper_value(key) if key in HYPER_SETTINGS else as_json[key]
            for key in data}


def typed_changes(changes: dict) -> dict:
    """``read_changes``'s JSON form as RunConfig values (tuples, floats), for
    :func:`tui.core.config.with_settings` (which takes the hyper-parameter settings too)."""
    config = config_from_json(dict(changes))
    return {key: config.hyper_value(key) if key in HYPER_SETTINGS else getattr(config, key)
            for key in changes}

"""The command line's options, declared once and shared by every subcommand: the parser that
reports a bad value as one line (exit status 2), the readers of each option's value, and the
model options that `tinynet-tui`, `train`, `sweep` and `share` have in common."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nn.datasets import GENERATED
from nn.features import parse_features
from nn.formula import Formula, FormulaError

from nn.images import parse_image_size
from tui.core.text import printable
from tui.core.config import IMAGE_TASKS, TARGET_TASKS, RunConfig, task_defaults
from tui.core.parsing import finite_number, positive_number, whole_number
from tui.core.settings import (HIDDEN_ACTIVATIONS, HYPER_SETTINGS, MAX_EPOCHS, MAX_NOISE,  # noqa: F401
                               MAX_TEST_FRACTION, SETTINGS, Setting, parse)

PROG = "tinynet-tui"


class UsageError(Exception):
    """A bad command-line value; the message is the one line shown."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as a single line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise UsageError(message)


def _argument(parse):
    """Turn a parser from :mod:`tui.core.parsing` into an argparse ``type``."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


positive_int = _argument(lambda text: whole_number(text, low=1))


epoch_count = _argument(lambda text: parse("epochs", text))
#: train's --epochs: 0 too (with --save: the initial weights, written without training)
train_epoch_count = _argument(lambda text: 0 if text.strip() == "0" else parse("epochs", text))


seed_int = _argument(lambda text: parse("seed", text))


positive_float = _argument(positive_number)


port_number = _argument(lambda text: whole_number(text, low=1, high=65535))


feature_list = _argument(parse_features)


def _no_limit_or_positive(text: str) -> float:
    value = finite_number(text)
    if value < 0:
        raise ValueError(f"must be 0 (no limit) or more, got {text}")
    return value


limit = _argument(_no_limit_or_positive)


non_negative = _argument(lambda text: _non_negative(text))


def activation_text(activation: str | tuple[str, ...]) -> str:
    """The ``--activation`` text of a parsed value: "tanh" or "tanh,relu"."""
    return activation if isinstance(activation, str) else ",".join(activation)


def _non_negative(text: str) -> float:
    value = finite_number(text)
    if value < 0:
        raise ValueError(f"must be 0 or more, got {text}")
    return value


def app_command(args: argparse.Namespace) -> list[str]:
    """The command line that starts the app with the same model options."""
    argv = [sys.executable, "-m", "tui.cli.main", "--task", args.task, "--seed", str(args.seed)]
    if args.data:
        argv += ["--data", str(args.data.resolve())]
    if getattr(args, "image", None):
        argv += ["--image", "x".join(map(str, args.image))]
    if args.hidden is not None:
        argv += ["--hidden", ",".join(map(str, args.hidden)) or "0"]
    if args.activation:
        argv += ["--activation", activation_text(args.activation)]
    if args.lr is not None:
        argv += ["--lr", repr(args.lr)]
    if args.load:
        argv += ["--load", str(args.load.resolve())]
    if args.features is not None:
        argv += ["--features", ",".join(args.features)]
    if args.target is not None:
        argv += ["--target", args.target]
    if args.test_fraction:
        argv += ["--test-fraction", repr(args.test_fraction)]
    if args.noise is not None:
        argv += ["--noise", repr(args.noise)]
    if args.loss is not None:
        argv += ["--loss", args.loss]
    if args.optimizer not in (None, "gd"):  # None: left out (the task's own)
        argv += ["--optimizer", args.optimizer] + hyper_argv(args.optimizer, hyper_of(args))
    if args.init != "default":
        argv += ["--init", args.init] + (["--sigma", repr(args.sigma)] if args.sigma else [])
    if args.batch is not None:
        argv += ["--batch", str(args.batch)]
    if args.weight_decay:
        argv += ["--weight-decay", repr(args.weight_decay)]
    return argv


def existing_file(text: str) -> Path:
    path = Path(text)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # a name over the system's limit (ENAMETOOLONG), …: not raised by
        # exists() for ENOENT/ENOTDIR only
        raise argparse.ArgumentTypeError(f"{text}: {exc.strerror or exc}") from None
    if not exists:
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if is_dir:
        raise argparse.ArgumentTypeError(f"{text}: is a directory, not a file")
    return path


def _setting_reader(name: str):
    """An argparse ``type`` reading setting ``name`` by its one declaration."""
    return _argument(lambda text: parse(name, text))


hidden_sizes = _setting_reader("hidden")
hidden_activations = _setting_reader("activation")
test_fraction = _setting_reader("test_fraction")
noise_level = _setting_reader("noise")
target_formula = _setting_reader("target")


def _setting_type(setting: Setting):
    """The argparse ``type`` of a setting: its one reader (:func:`tui.core.settings.parse`),
    or an existing file for a path."""
    if setting.kind == "path":
        return existing_file
    return _argument(lambda text, name=setting.name: parse(name, text))


def add_setting_option(p: argparse.ArgumentParser, name: str, **overrides) -> None:
    """The command-line option of setting ``name``, generated from its one declaration
    (flag, reader with its bounds, help, metavar, choices, default)."""
    s = SETTINGS[name]
    # an optimizer's hyper-parameters and the task stay None when not given (hyper_of, the
    # --load model's task decide), and so do the training settings a task has its own
    # defaults for (apply_task_defaults)
    options = dict(help=s.help, default=None if s.hyper is not None or name in (
        "task", "optimizer", "batch", "test_fraction", "weight_decay") else s.default)
    if s.kind == "choice":
        options["choices"] = list(s.choices())
    else:
        options.update(type=_setting_type(s), metavar=s.metavar)
    options.update(overrides)
    p.add_argument(s.flag, **options)


def _add_model_options(p: argparse.ArgumentParser) -> None:
    """Every run setting that has a flag (tui/core/settings.py), in the table's order."""
    for name, s in SETTINGS.items():
        if s.flag is not None:
            add_setting_option(p, name)
    p.add_argument("--image", type=_argument(parse_image_size), metavar="HxW",
                   help="with --data: each row is H·W pixels and a class label, e.g. 8x8 "
                        "(up to 28x28); trains as --task digits does (Adam, batch 32, a "
                        "stratified 20 %% test set, weight decay 0.001)")


def apply_task_defaults(args: argparse.Namespace) -> None:
    """Fill ``--optimizer``, ``--batch``, ``--test-fraction`` and ``--weight-decay`` left out
    (None) from the task's defaults (:func:`tui.core.config.task_defaults`); with ``--load``,
    the optimizer and weight decay are the model file's (RunConfig's defaults let them
    through).  Idempotent."""
    image = getattr(args, "image", None) is not None
    # an x1,x2,y file trains as the simple tasks do: plain gd, full batch, no test set
    defaults = task_defaults("xor" if args.data and not image else args.task, image)
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            if getattr(args, "load", None) and key in ("optimizer", "weight_decay"):
                value = RunConfig.__dataclass_fields__[key].default
            setattr(args, key, value)


def config_from_args(args: argparse.Namespace) -> RunConfig:
    apply_task_defaults(args)
    return RunConfig(task=args.task, data=args.data, hidden=args.hidden,
                     activation=args.activation, lr=args.lr, seed=args.seed,
                     epochs=getattr(args, "epochs", None), load=args.load,
                     features=args.features, target=args.target,
                     test_fraction=args.test_fraction, noise=args.noise,
                     loss=args.loss, optimizer=args.optimizer, hyper=hyper_of(args),
                     init=args.init, sigma=args.sigma, batch=args.batch,
                     weight_decay=args.weight_decay, image=getattr(args, "image", None))


def check_data_options(args: argparse.Namespace) -> None:
    """``ValueError`` (one line) for data options that do not fit the task."""
    task = "--data" if args.data else args.task
    if getattr(args, "image", None) is not None and not args.data:
        raise ValueError("argument --image: only with --data FILE.csv (rows of pixels and a "
                         "label)")
    if args.features is not None and (args.image or task in IMAGE_TASKS):
        raise ValueError(f"argument --features: the inputs of {task} are pixels, not x1, x2")
    if args.target is not None and task not in TARGET_TASKS:
        raise ValueError(f"argument --target: only for --task {' or '.join(TARGET_TASKS)}, "
                         f"not {task}")
    if args.noise is not None and task not in GENERATED:
        raise ValueError(f"argument --noise: only for the generated tasks "
                         f"({', '.join(GENERATED)}), not {task}")
    if args.sigma is not None and args.init != "normal":
        raise ValueError("argument --sigma: only with --init normal")
    check_hyper(args)
    if args.test_fraction and task in ("and", "xor"):
        raise ValueError(f"argument --test-fraction: {task} has only 4 samples; "
                         "a test set needs a generated task or --data")


def check_hyper(args: argparse.Namespace) -> None:
    """An optimizer's hyper-parameter option (``--momentum``) only with an optimizer that
    reads it (else it would be ignored): ValueError, one line."""
    for name, value in hyper_of(args).items():
        s = SETTINGS[name]
        if args.optimizer not in s.optimizers:
            raise ValueError(f"argument {s.flag}: only with --optimizer "
                             f"{' or '.join(s.optimizers)}")


def hyper_of(args: argparse.Namespace) -> dict:
    """The optimizer hyper-parameter options given (``{"momentum": 0.5}``; left out: absent)."""
    return {name: getattr(args, name) for name in HYPER_SETTINGS
            if getattr(args, name, None) is not None}


def hyper_argv(optimizer: str, hyper: dict) -> list[str]:
    """The options of ``optimizer``'s hyper-parameters with their values (defaults where
    ``hyper`` has none): ``["--momentum", "0.9"]``."""
    return [part for name in HYPER_SETTINGS if optimizer in SETTINGS[name].optimizers
            for part in (SETTINGS[name].flag, repr(hyper.get(name, SETTINGS[name].default)))]


def fail(message: str, status: int = 2) -> int:
    """One plain line on stderr (never markup, never a traceback, never a control or bidi
    character from a file name, a model file or a session: :func:`printable`); returns
    ``status``."""
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)
    return status

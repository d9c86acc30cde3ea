"""The command line's options, declared once and shared by every subcommand: the parser that
reports a bad value as one line (exit status 2), the readers of each option's value, and the
model options that `tinynet-tui`, `train`, `sweep` and `share` have in common."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nn.activations import ACTIVATIONS
from nn.datasets import GENERATED
from nn.features import FEATURES, parse_features
from nn.formula import Formula, FormulaError
from nn.images import parse_image_size
from nn.init import INITS

from tui.core.config import (IMAGE_TASKS, LOSS_CHOICES, OPTIMIZER_CHOICES, TARGET_TASKS,
                             TASK_CHOICES, RunConfig, task_defaults)
from tui.core.parsing import finite_number, positive_number, whole_number

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


#: epochs of one `train`/`sweep` run at most (a session's plays share the same bound)
MAX_EPOCHS = 20_000_000


epoch_count = _argument(lambda text: whole_number(text, low=1, high=MAX_EPOCHS))


seed_int = _argument(lambda text: whole_number(text, low=0))


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


#: activations a hidden layer can have (softmax mixes a row: output layers only)
HIDDEN_ACTIVATIONS = [name for name, cls in ACTIVATIONS.items() if cls.elementwise]


def hidden_activations(text: str) -> str | tuple[str, ...]:
    """``"tanh"`` → "tanh" (every hidden layer), ``"tanh,relu"`` → ("tanh", "relu")
    (one per hidden layer; the count is checked against --hidden when the net is built)."""
    names = [part.strip().lower() for part in text.split(",")]
    for name in names:
        if name not in HIDDEN_ACTIVATIONS:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {name!r} (choose from {', '.join(HIDDEN_ACTIVATIONS)}: "
                "one for every hidden layer, or one per layer like tanh,relu)")
    return names[0] if len(names) == 1 else tuple(names)


def activation_text(activation: str | tuple[str, ...]) -> str:
    """The ``--activation`` text of a parsed value: "tanh" or "tanh,relu"."""
    return activation if isinstance(activation, str) else ",".join(activation)


def _non_negative(text: str) -> float:
    value = finite_number(text)
    if value < 0:
        raise ValueError(f"must be 0 or more, got {text}")
    return value


def _beta(text: str) -> float:
    value = finite_number(text)
    if not 0 <= value < 1:
        raise ValueError(f"must be from 0 to below 1, got {text}")
    return value


unit_interval = _argument(_beta)


#: Largest --noise σ accepted (the data lie in [-1, 1]²; more is only noise).
MAX_NOISE = 10.0


#: Largest --test-fraction: at least a tenth of the samples is left to train on.
MAX_TEST_FRACTION = 0.9


def _fraction(text: str) -> float:
    value = finite_number(text)
    if not 0.0 <= value <= MAX_TEST_FRACTION:
        raise ValueError(f"must be from 0 (no test set) to {MAX_TEST_FRACTION:g}, got {text}")
    return value


def _noise(text: str) -> float:
    value = finite_number(text)
    if not 0.0 <= value <= MAX_NOISE:
        raise ValueError(f"must be from 0 to {MAX_NOISE:g}, got {text}")
    return value


def _formula(text: str) -> str:
    try:
        Formula(text)
    except FormulaError as exc:
        raise ValueError(str(exc)) from None
    return text.strip()


test_fraction = _argument(_fraction)


noise_level = _argument(_noise)


target_formula = _argument(_formula)


def hidden_sizes(text: str) -> tuple[int, ...]:
    """``"2"`` → (2,), ``"16,8"`` → (16, 8), ``"0"`` or ``""`` → () (no hidden layer)."""
    text = text.strip()
    if text in ("", "0", "none"):
        return ()
    sizes = []
    for part in text.split(","):
        try:
            n = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r}: give layer sizes like 2 or 16,8") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"{text!r}: layer sizes must be at least 1")
        sizes.append(n)
    return tuple(sizes)


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
        argv += ["--optimizer", args.optimizer, "--momentum", repr(momentum_of(args))]
    if args.init != "default":
        argv += ["--init", args.init] + (["--sigma", repr(args.sigma)] if args.sigma else [])
    if args.batch is not None:
        argv += ["--batch", str(args.batch)]
    if args.weight_decay:
        argv += ["--weight-decay", repr(args.weight_decay)]
    return argv


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a directory, not a file")
    return path


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", choices=TASK_CHOICES,
                   help="built-in data set (default: the --load model's task, else xor)")
    p.add_argument("--data", type=existing_file, metavar="FILE.csv",
                   help="your own data: rows of x1,x2,y (overrides --task)")
    p.add_argument("--image", type=_argument(parse_image_size), metavar="HxW",
                   help="with --data: each row is H·W pixels and a class label, e.g. 8x8 "
                        "(up to 28x28)")
    p.add_argument("--hidden", type=hidden_sizes, metavar="SIZES",
                   help="hidden layer sizes, e.g. 2 or 16,8; 0 for none (default: per task)")
    p.add_argument("--activation", type=hidden_activations, metavar="NAMES",
                   help=f"hidden activation ({', '.join(HIDDEN_ACTIVATIONS)}): one for every "
                        "hidden layer, or one per layer, e.g. tanh,relu (default: per task)")
    p.add_argument("--lr", type=positive_float, help="learning rate (default: per task)")
    p.add_argument("--seed", type=seed_int, default=0, help="weight initialisation seed")
    p.add_argument("--load", type=existing_file, metavar="MODEL.npz",
                   help="start from a saved model")
    p.add_argument("--features", type=feature_list, metavar="LIST",
                   help=f"input features, e.g. x1,x2,x1^2,x2^2 (from {', '.join(FEATURES)}; "
                        "default x1,x2)")
    p.add_argument("--target", type=target_formula, metavar="FORMULA",
                   help='regression target, e.g. "sin(3*x1)*x2": numbers, x1, x2, + - * / ^, '
                        "( ), sin cos tan exp log sqrt abs tanh")
    p.add_argument("--test-fraction", type=test_fraction, default=None, metavar="F",
                   help="hold out this share of the samples as a test set, e.g. 0.2 "
                        "(seeded by --seed; default 0: none; digits and --image: 0.2, "
                        "stratified)")
    p.add_argument("--noise", type=noise_level, metavar="SIGMA",
                   help="noise level σ of a generated task (default: the task's own)")
    p.add_argument("--loss", choices=LOSS_CHOICES,
                   help="loss (default: mse; softmax-ce for the 3-class tasks); cross-entropy "
                        "= bce on a sigmoid output, softmax-ce on a softmax one")
    p.add_argument("--optimizer", choices=OPTIMIZER_CHOICES, default=None,
                   help="gd (plain gradient descent, default), momentum, nesterov, adam "
                        "(digits and --image: adam)")
    p.add_argument("--momentum", type=unit_interval, metavar="BETA",
                   help="β of momentum / nesterov, from 0 to below 1 (default 0.9)")
    p.add_argument("--init", choices=list(INITS), default="default",
                   help="weight initialisation (default: per activation, see README)")
    p.add_argument("--sigma", type=non_negative, metavar="SIGMA",
                   help="σ of --init normal (default 1)")
    p.add_argument("--batch", type=positive_int, metavar="B",
                   help="mini-batch size: an epoch is ⌈N/B⌉ steps over a seeded shuffle "
                        "(default: all samples; digits and --image: 32)")
    p.add_argument("--weight-decay", type=non_negative, default=None, metavar="LAMBDA",
                   help="L2 penalty λ/2·Σw² on the weights (default 0; digits and --image: "
                        "0.001)")




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
                     loss=args.loss, optimizer=args.optimizer,
                     momentum=momentum_of(args),
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
    check_momentum(args)
    if args.test_fraction and task in ("and", "xor"):
        raise ValueError(f"argument --test-fraction: {task} has only 4 samples; "
                         "a test set needs a generated task or --data")


def check_momentum(args: argparse.Namespace) -> None:
    """``--momentum`` only with an optimizer that has one (else it would be ignored)."""
    if args.momentum is not None and args.optimizer not in ("momentum", "nesterov"):
        raise ValueError("argument --momentum: only with --optimizer momentum or nesterov")


def momentum_of(args: argparse.Namespace) -> float:
    """``--momentum``, or :class:`RunConfig`'s default β when it was left out."""
    return RunConfig.momentum if args.momentum is None else args.momentum


def fail(message: str, status: int = 2) -> int:
    """One plain line on stderr (never markup, never a traceback); returns ``status``."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status

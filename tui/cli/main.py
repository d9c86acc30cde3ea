"""Command line: ``tinynet-tui`` (the app) and ``tinynet-tui train`` (headless).

Every bad value exits with status 2 and one line on stderr, before anything
else happens.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from nn.activations import ACTIVATIONS
from nn.datasets import GENERATED
from nn.features import FEATURES, parse_features
from nn.formula import Formula, FormulaError

from nn.images import parse_image_size
from nn.init import INITS

from tui.core.config import (IMAGE_TASKS, LOSS_CHOICES, OPTIMIZER_CHOICES, TASK_CHOICES,
                             TARGET_TASKS, RunConfig, task_defaults)
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
    if args.optimizer != "gd":
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


def make_parser() -> Parser:
    parser = Parser(prog=PROG, description="Watch a from-scratch NumPy neural network learn.")
    _add_model_options(parser)
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    train = sub.add_parser("train", help="train headless, print a summary",
                           description="Train without the app; rich progress, then a summary.")
    _add_model_options(train)
    train.add_argument("--epochs", type=epoch_count,
                       help="epochs to train (default: per task; Ctrl-C stops after the "
                            "current epoch and still saves and exports)")
    train.add_argument("--until-loss", type=positive_float, metavar="LOSS",
                       help="stop as soon as the loss is at or below LOSS")
    train.add_argument("--save", type=Path, metavar="MODEL.npz", help="save the trained model")
    train.add_argument("--export", type=Path, metavar="DIR",
                       help="write loss.png (and surface.png for regression) into DIR")
    train.add_argument("--force", action="store_true",
                       help="overwrite existing --save/--export files")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    serve = sub.add_parser("serve", help="serve the app to a web browser (textual-serve)",
                           description="Serve the same app to a browser on this machine.")
    _add_model_options(serve)
    serve.add_argument("--port", type=port_number, default=8000, help="port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--no-token", action="store_true",
                       help="do not require the secret ?token=… printed at start (not advised)")
    serve.add_argument("--max-clients", type=positive_int, default=4, metavar="N",
                       help="browser tabs (app processes) at once (default 4)")
    from tui.net.serve import add_follow_option

    add_follow_option(serve)
    from tui.lessons.catalogue import add_learn_parser
    from tui.net.share import add_share_parsers
    from tui.core.sweep import add_sweep_parser

    add_share_parsers(sub, _add_model_options, port_number)

    add_sweep_parser(sub)
    add_learn_parser(sub)
    parser.add_argument("--replay", type=existing_file, metavar="SESSION.json",
                        help="replay a saved session (S in the app) and show where it ended")
    parser.add_argument("--max-kbps", type=limit, metavar="N",
                        help="most KB/s the app sends to the terminal (default 50; 0 = no limit)")
    parser.add_argument("--fps", type=limit, metavar="N",
                        help="most screen updates a second (default: as the byte budget allows)")
    return parser


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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; Ctrl-C anywhere ends with one line and status 130."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return fail("interrupted", 130)


#: a replay of more epochs than this shows its progress (XOR plays ~60 000 epochs/s)
REPLAY_PROGRESS_EPOCHS = 100_000


@contextlib.contextmanager
def replay_progress(path, actions):
    """A ``before(k, action)`` callback that shows a long replay's progress on the
    terminal (which action, elapsed time) before the app starts; None for a short one."""
    from tui.core.actions import Play

    epochs = sum(a.epochs for a in actions or () if isinstance(a, Play))
    if epochs <= REPLAY_PROGRESS_EPOCHS:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(f"replaying {path}", total=len(actions))

        def step(k: int, action) -> None:
            what = f"play {action.epochs:,} epochs" if isinstance(action, Play) else action.name
            bar.update(task, completed=k, description=f"replaying {path}: action {k + 1} of "
                                                      f"{len(actions):,} ({what})")
        yield step


def _resolve_task(args: argparse.Namespace) -> None:
    """``--task`` left out: the loaded model's task, else xor.  Then the task's own
    defaults for ``--optimizer``, ``--batch`` and ``--test-fraction`` where they were left
    out (:func:`tui.config.task_defaults`: digits and ``--image`` train with Adam, batch 32,
    a 20 % test set)."""
    if args.task is None:
        from tui.core.config import saved_task

        args.task = (saved_task(args.load) if args.load and not args.data else None) or "xor"
    apply_task_defaults(args)


def apply_task_defaults(args: argparse.Namespace) -> None:
    """Fill ``--optimizer``, ``--batch``, ``--test-fraction`` and ``--weight-decay`` left out
    (None) from the task's defaults (:func:`tui.config.task_defaults`); with ``--load``,
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


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands' parsers by name (train, sweep, …)."""
    return next((a.choices for a in parser._actions
                 if isinstance(a, argparse._SubParsersAction)), {})


def _misplaced_option(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """For ``tinynet-tui --epochs 5``: the first option that only a subcommand has, as
    one line that names the subcommand(s), or None."""
    own = set(parser._option_string_actions)
    subs = _subparsers(parser)
    for word in argv:
        option = word.split("=", 1)[0]
        if not option.startswith("--") or option in own:
            continue
        having = [name for name, sub in subs.items() if option in sub._option_string_actions]
        if having:
            return (f"{option} is an option of {' and '.join(f'tinynet-tui {h}' for h in having)}"
                    f", not of the app (e.g. tinynet-tui {having[0]} {word} …)")
    return None


def _main(argv: list[str] | None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        words = sys.argv[1:] if argv is None else list(argv)
        message = str(exc)
        if message.endswith("expected one argument"):  # --lr -inf: argparse saw an option
            option = message.split(":")[0].removeprefix("argument ").split("/")[-1]
            if option in words and words.index(option) + 1 < len(words):
                value = words[words.index(option) + 1]
                if value.startswith("-"):
                    return fail(f"{message} (write {option}={value} for a value that "
                                f"starts with '-')")
        if words and words[0] not in _subparsers(parser):
            return fail(_misplaced_option(parser, words) or message)
        return fail(message)
    if args.command == "sweep":  # its own options (lists of seeds and learning rates)
        from tui.core.sweep import run_sweep

        return run_sweep(args)
    if args.command == "learn":
        from tui.lessons.catalogue import run_learn

        return run_learn(args)
    if args.command == "follow":
        from tui.net.follow import run_follow

        return run_follow(args.address, args.code)
    try:
        _resolve_task(args)
        check_data_options(args)
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    config = config_from_args(args)
    from tui.core.config import build

    actions = None
    replaying = getattr(args, "replay", None) is not None and args.command is None
    if replaying:
        plain = make_parser().parse_args([])
        _resolve_task(plain)
        if app_command(args) != app_command(plain):  # they would be silently ignored
            return fail("argument --replay: the session file holds the network and its "
                        "settings; leave out the model options (--task, --lr, --hidden, …)")
    try:
        if replaying:
            from tui.core.recording import load_session

            config, actions = load_session(args.replay)
        problem = build(config)
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    if args.command == "share":
        from tui.net.share import run_share

        try:
            return run_share(problem, args.host, args.port, args.code)
        except (ValueError, OSError) as exc:
            return fail(str(exc))
    if args.command == "serve":
        from tui.net.serve import follow_command, serve

        command = app_command(args)
        if args.follow:
            plain = make_parser().parse_args(["serve"])
            _resolve_task(plain)
            if command != app_command(plain):
                return fail("argument --follow: the teacher chooses the network; "
                            "leave out the model options (--task, --hidden, …)")
            try:
                command = follow_command(*args.follow)
            except ValueError as exc:
                return fail(f"argument --follow: {exc}")
        return serve(command, args.host, args.port, token=not args.no_token,
                     max_clients=args.max_clients, follow=args.follow and args.follow[0])
    if args.command == "train":
        from tui.cli.train import run_training

        return run_training(problem, until_loss=args.until_loss, save=args.save,
                            export=args.export, quiet=args.quiet, force=args.force)
    from tui.app.app import TinyNetApp

    try:
        with replay_progress(args.replay, actions) as step:
            app = TinyNetApp(problem, replay=actions, replay_step=step)
    except (ValueError, OSError) as exc:  # a replayed action that cannot be carried out
        return fail(f"{args.replay}: {exc}")
    app.max_kbps, app.fps = args.max_kbps, args.fps
    app.run()
    return app.return_code or 0  # Textual sets 1 after an unhandled exception


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Command line: ``tinynet-tui`` (the app) and ``tinynet-tui train`` (headless).

Every bad value exits with status 2 and one line on stderr, before anything
else happens.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from pathlib import Path

from tui.core.first_run import FirstRun
from tui.cli.options import (PROG, Parser, UsageError, _add_model_options, app_command,
                             apply_task_defaults, check_data_options, config_from_args,
                             existing_file, fail, limit, port_number, positive_float,
                             positive_int, train_epoch_count)

#: the end of ``tinynet-tui --help``: the three commands to try first
TRY_FIRST = """\
try first:
  tinynet-tui learn backprop        a ten-minute lesson: backprop on XOR, one step at a time
  tinynet-tui                       the app on XOR 2-2-1 (n steps, space plays, ? every key)
  tinynet-tui train --task spiral   train headless and print a summary

docs: README.md and docs/ (docs/cli.md: every subcommand and option)"""


class NeedsFullParser(Exception):
    """Raised by the app-only parser (:func:`make_parser` without subcommands) for
    ``-h``/``--help``: the help lists the subcommands, so the full parser prints it."""


class _FullHelp(argparse.Action):
    """``-h``/``--help`` of the app-only parser: hand over to the full parser."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show this help message and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        raise NeedsFullParser


#: the subcommands' names (tests/test_startup.py holds them to the full parser's)
SUBCOMMANDS = ("train", "serve", "share", "follow", "sweep", "learn", "record")


def make_parser(subcommands: bool = True) -> Parser:
    """The command line's parser.  ``subcommands=False``: the app's own options only (the
    same options, defaults and ``command=None``), without building the subcommands'
    parsers or importing their modules — :func:`parse_command_line` uses it for a plain
    ``tinynet-tui …`` (start-up time) and falls back to the full parser for ``--help``,
    any error and any subcommand."""
    parser = Parser(prog=PROG, description="Watch a from-scratch NumPy neural network learn.",
                    epilog=TRY_FIRST, formatter_class=argparse.RawDescriptionHelpFormatter,
                    add_help=subcommands)
    if not subcommands:
        parser.add_argument("-h", "--help", action=_FullHelp)
    _add_model_options(parser)
    if subcommands:
        _add_subcommands(parser)
    else:
        parser.set_defaults(command=None)
    _add_app_options(parser)
    return parser


def _add_subcommands(parser: Parser) -> None:
    """train, serve, share, follow, sweep, learn, record … (each its own parser)."""
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    train = sub.add_parser("train", help="train headless, print a summary",
                           description="Train without the app; rich progress, then a summary.")
    _add_model_options(train)
    train.add_argument("--epochs", type=train_epoch_count,
                       help="epochs to train (default: per task; Ctrl-C stops after the "
                            "current epoch and still saves and exports)")
    train.add_argument("--until-loss", type=positive_float, metavar="LOSS",
                       help="stop as soon as the loss is at or below LOSS")
    train.add_argument("--save", type=Path, metavar="MODEL.npz",
                       help="save the trained model (.npz; .safetensors: a PyTorch state dict)")
    train.add_argument("--export-pytorch", type=Path, metavar="SCRIPT.py",
                       help="write a standalone PyTorch script that trains this run again "
                            "from its initial weights and compares the losses (docs/pytorch.md)")
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
    # loaded only when this subcommand runs: start-up time
    from tui.net.serve import add_follow_option

    add_follow_option(serve)
    # loaded only when this subcommand runs: start-up time
    from tui.cli.learn import add_learn_parser
    # loaded only when this subcommand runs: start-up time
    from tui.net.share import add_share_parsers
    # loaded only when this subcommand runs: start-up time
    from tui.cli.sweep import add_sweep_parser

    add_share_parsers(sub, _add_model_options, port_number)

    add_sweep_parser(sub)
    add_learn_parser(sub)
    from tui.app.cast import add_record_parser  # loaded only when this is used: start-up time

    add_record_parser(sub)


def _add_app_options(parser: Parser) -> None:
    """The options of the app itself (not of a subcommand)."""
    parser.add_argument("--record", metavar="FILE.cast",
                        help="record what the terminal shows into an asciinema cast (in any "
                             "mode: the app, learn, share, follow; never overwrites)")
    parser.add_argument("--replay", type=existing_file, metavar="SESSION.json",
                        help="replay a saved session (S in the app) and show where it ended")
    parser.add_argument("--max-kbps", type=limit, metavar="N",
                        help="most KB/s the app sends to the terminal (default 50; 0 = no limit)")
    parser.add_argument("--fps", type=limit, metavar="N",
                        help="most screen updates a second (default: as the byte budget allows)")


def parse_command_line(words: list[str]) -> tuple[Parser, argparse.Namespace]:
    """The parser and the parsed ``words``.  Words that name no subcommand are first parsed
    by the app-only parser (the subcommands' parsers and modules are not needed to
    start the app: start-up time); ``--help``, a subcommand or any error goes to the full
    parser, which says what it has always said."""
    if not set(words) & set(SUBCOMMANDS):
        try:
            light = make_parser(subcommands=False)
            return light, light.parse_args(words)
        except (UsageError, NeedsFullParser):
            pass
    parser = make_parser()
    return parser, parser.parse_args(words)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; Ctrl-C anywhere ends with one line and status 130, SIGTERM
    with status 143 (both through the normal unwinding, so a file being written removes
    its temporary ``.part`` file)."""
    from tui.app import cast  # loaded only when this is used: start-up time

    with terminate_as_exit():
        try:
            argv, record = cast.take_record_option(sys.argv[1:] if argv is None else list(argv))
            if record is not None:
                if set(argv) & {"train", "sweep", "record", "serve"}:
                    return fail("argument --record: records the app, learn, share and follow "
                                "(tinynet-tui record SESSION.json FILE.cast renders a saved "
                                "session)")
                cast.enable(Path(record))
        except (ValueError, OSError) as exc:  # CastError: one line
            return fail(str(exc))
        try:
            return _main(argv)
        except KeyboardInterrupt:
            return fail("interrupted", 130)
        finally:
            for line in cast.finish():
                print(line, file=sys.stderr)


class Terminated(SystemExit):
    """SIGTERM, raised where the main thread is, so ``finally`` and ``except`` clauses run."""


@contextlib.contextmanager
def terminate_as_exit():
    """While the command line runs, SIGTERM raises :class:`Terminated` (exit status 143)
    instead of ending the process on the spot (which left 32 MB ``.part`` files behind)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def on_term(signum, frame) -> None:
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def replay_progress(path, actions, seconds: float | None = None):
    """A ``before(k, action)`` callback that shows a long replay's progress on the
    terminal (which action, elapsed time) before the app starts; None for one estimated
    (``seconds``) under a second."""
    from tui.core.actions import Play  # loaded only when this subcommand runs: start-up time
    from tui.core.replay_cost import PROGRESS_SECONDS  # loaded only when replaying

    if not actions or seconds is None or seconds <= PROGRESS_SECONDS:
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
    out (:func:`tui.core.config.task_defaults`: digits and ``--image`` train with Adam,
    batch 32, a 20 % test set, weight decay 0.001)."""
    if args.task is None:
        # loaded only when this subcommand runs: start-up time
        from tui.core.config import saved_task

        args.task = (saved_task(args.load) if args.load and not args.data else None) or "xor"
    apply_task_defaults(args)


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
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        parser, args = parse_command_line(words)
    except UsageError as exc:
        parser = make_parser()
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
        from tui.cli.sweep import run_sweep  # loaded only when this subcommand runs: start-up time

        return run_sweep(args)
    if args.command == "record":
        from tui.app.cast import run_record  # loaded only when this is used: start-up time

        return run_record(args)
    if args.command == "learn":
        from tui.cli.learn import run_learn  # loaded only when this subcommand runs: start-up time

        return run_learn(args)
    if args.command == "follow":
        # loaded only when this subcommand runs: start-up time
        from tui.net.follow import run_follow

        return run_follow(args.address, args.code, name=args.name)
    try:
        _resolve_task(args)
        check_data_options(args)
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    config = config_from_args(args)
    from tui.core.config import build  # loaded only when this subcommand runs: start-up time

    actions = None
    replaying = getattr(args, "replay", None) is not None and args.command is None
    if replaying:
        plain = make_parser(subcommands=False).parse_args([])
        _resolve_task(plain)
        if app_command(args) != app_command(plain):  # they would be silently ignored
            return fail("argument --replay: the session file holds the network and its "
                        "settings; leave out the model options (--task, --lr, --hidden, …)")
    try:
        if replaying:
            # loaded only when this subcommand runs: start-up time
            from tui.core.recording import load_session

            config, actions = load_session(args.replay)
        problem = build(config)
        if replaying:
            from tui.core.replay_cost import check_replay_cost  # only when replaying: start-up time

            check_replay_cost(args.replay, problem, actions)
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    if args.command == "share":
        from tui.net.share import run_share  # loaded only when this subcommand runs: start-up time

        try:
            return run_share(problem, args.host, args.port, args.code,
                             lesson=getattr(args, "lesson", None)
                             if getattr(args, "share_command", None) == "learn" else None)
        except (ValueError, OSError) as exc:
            return fail(str(exc))
    if args.command == "serve":
        # loaded only when this subcommand runs: start-up time
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
        # loaded only when this subcommand runs: start-up time
        from tui.cli.train import run_training

        return run_training(problem, until_loss=args.until_loss, save=args.save,
                            export=args.export, quiet=args.quiet, force=args.force,
                            export_pytorch=args.export_pytorch)
    with collections_after_first_frame(not replaying):
        from tui.app.app import TinyNetApp  # loaded only when the app runs: start-up time

        try:
            seconds = None
            if actions:
                from tui.core.replay_cost import replay_estimate  # only when replaying: start-up

                seconds = replay_estimate(problem, actions)
            with replay_progress(args.replay, actions, seconds) as step:
                app = TinyNetApp(problem, replay=actions, replay_step=step,
                                 first_run=None if replaying else FirstRun())
        except (ValueError, OSError) as exc:  # a replayed action that cannot be carried out
            return fail(f"{args.replay}: {exc}")
        app.max_kbps, app.fps = args.max_kbps, args.fps
        app.run()
    return app.return_code or 0  # Textual sets 1 after an unhandled exception


@contextlib.contextmanager
def collections_after_first_frame(wanted: bool = True):
    """No cyclic garbage collection while the app is imported and builds its first frame
    (``wanted``): the App turns it back on once that frame is drawn
    (``TinyNetApp.on_main_screen_ready``), and leaving this block always does.  Start-up
    allocates ~10⁵ long-lived objects (modules, classes, widgets, styles), so the collector
    ran ~160 times before the first frame and a full pass (~50 ms) went over them all for
    no garbage; those are 10–15 % of the start-up (bench/README.md).  Not while replaying a
    session (a long replay makes garbage of its own)."""
    if not wanted or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`tinynet-tui sweep`: the subcommand — its options, the rich progress bar and table, the
CSV and PNG exports.  The grid runner itself is :mod:`tui.core.sweep`."""
from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

import numpy as np

from tui.cli.options import (HIDDEN_ACTIVATIONS, HYPER_SETTINGS, SETTINGS, Parser, UsageError,
                             _argument, add_setting_option, check_hyper, epoch_count,
                             existing_file, hidden_sizes, hyper_of, parse, positive_float,
                             positive_int)
from tui.core.config import OPTIMIZER_CHOICES, TASK_CHOICES, RunConfig, task_defaults, with_settings
from tui.core.output import atomic_write_text, atomic_write_with, check_output_files
from tui.core.text import printable
from tui.core.sweep import (PLATEAU_DROP, PLATEAU_PART, PROG, STATES, Sweep, app_command,
                            init_label, init_list, number_list, resolve_inits, run_grid,
                            run_states, seed_list, setting_rows)

def add_sweep_options(p: argparse.ArgumentParser) -> None:
    # loaded only when this is used: start-up time

    p.add_argument("--task", choices=TASK_CHOICES, default="xor", help="built-in data set (default: xor)")
    p.add_argument("--data", type=existing_file, metavar="FILE.csv",
                   help="your own data: rows of x1,x2,y (overrides --task)")
    p.add_argument("--hidden", type=hidden_sizes, metavar="SIZES",
                   help="hidden layer sizes, e.g. 2 or 16,8 (default: per task)")
    p.add_argument("--activation", choices=list(HIDDEN_ACTIVATIONS),
                   help="hidden activation (softmax is only an output)")
    p.add_argument("--seeds", type=_argument(seed_list), default=list(range(10)),
                   metavar="SEEDS", help="seeds, e.g. 0-99 or 0,3,7 (default 0-9)")
    p.add_argument("--lr", type=_argument(number_list), metavar="LRS",
                   help="learning rates, e.g. 0.5,1,2 (default: the task's)")
    p.add_argument("--init", type=_argument(init_list), metavar="INITS",
                   help="weight initialisations to compare, e.g. glorot,small: default, "
                        "glorot-uniform, glorot-normal, he, normal (σ from --sigma), zeros; "
                        "glorot means glorot-uniform, small means normal with σ 0.1 "
                        "(default: default, the per-activation rule)")
    p.add_argument("--sigma", type=positive_float, metavar="SIGMA",
                   help="σ of the normal init in --init (default 1)")
    p.add_argument("--optimizer", choices=OPTIMIZER_CHOICES, default=None,
                   help="optimizer of every run (default gd: plain gradient descent; "
                        "digits: adam)")
    for name in HYPER_SETTINGS:  # --momentum, --rho: each declared by its optimizer class
        s = SETTINGS[name]
        add_setting_option(p, name, type=_argument(lambda text, name=name: hyper_list(name, text)),
                           metavar=f"{s.metavar}S", help=f"{s.help}; several, e.g. "
                           f"{s.hyper.default:g},{s.hyper.ladder[-1] if s.hyper.ladder else s.high:g}"
                           ": a sweep for each (an axis of the grid)")
    p.add_argument("--epochs", type=epoch_count, help="epochs per run (default: per task)")
    p.add_argument("--target-loss", type=positive_float, metavar="LOSS",
                   help="success = loss at or below LOSS (default: 100%% accuracy, or R² ≥ 0.98)")
    p.add_argument("--check-every", type=positive_int, default=10, metavar="K",
                   help="check for success every K epochs (default 10)")
    p.add_argument("--export", type=Path, metavar="DIR",
                   help="write sweep.csv, heatmap.png (success rate over lr × init), "
                        "seeds.png (success per seed) and losses.png into DIR")
    p.add_argument("--force", action="store_true",
                   help="overwrite those files when DIR already has them")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def hyper_list(name: str, text: str) -> list[float]:
    """``"0.5,0.9"`` → [0.5, 0.9]: values of an optimizer's hyper-parameter setting, each read
    by its one declaration (tui/core/settings.py: the same bounds as everywhere), each once."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r}: give values like 0.5,0.9")
    return list(dict.fromkeys(parse(name, p) for p in parts))


def hyper_axis(args: argparse.Namespace) -> list[dict]:
    """The grid's optimizer hyper-parameter axis: one {setting: value} per sweep, every
    combination of the lists given ([{}] when none is given)."""
    given = hyper_of(args)
    return [dict(zip(given, values)) for values in itertools.product(*given.values())]


def add_sweep_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``sweep`` to ``tinynet-tui``'s subcommands."""
    p = subparsers.add_parser("sweep", help="train many seeds × learning rates × inits at once",
                              description="Train every seed × learning rate × init together; "
                                          "success rates, quantiles, reproducible commands.")
    add_sweep_options(p)
    return p


#: the report's column headers, a line each (the table fits 80 columns; no number is cut)
REPORT_HEADERS = [("", "lr"), ("", "init"), ("", "ok"), ("not", "yet"), ("", "stuck"),
                  ("", "epochs"), ("", "div."), ("loss", "10 %"), ("", "50 %"), ("", "90 %")]


def table_lines(headers: list[tuple[str, ...]], rows: list[list[str]],
                left: tuple[int, ...] = ()) -> list[str]:
    """A plain table: every column as wide as its widest cell or header line, one
    space between columns, numbers right-aligned (columns in ``left`` left-aligned).
    Nothing is ever cut: a narrow terminal wraps a line instead."""
    widths = [max([len(h) for h in head] + [len(r[k]) for r in rows])
              for k, head in enumerate(headers)]

    def line(cells) -> str:
        return " ".join(c.ljust(w) if k in left else c.rjust(w)
                        for k, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line([head[i] for head in headers]) for i in range(len(headers[0]))]
    out.append(" ".join("─" * w for w in widths))
    return out + [line(r) for r in rows]


def print_report(sweep: Sweep, rows: list[dict], args, console) -> None:
    net = sweep.problem.net
    cfg = sweep.problem.config
    trains = "" if cfg.optimizer == "gd" else f" {cfg.optimizer_text()},"
    console.print(f"{cfg.label}: {net.describe()},{trains} {len(sweep.seeds)} seeds × "
                  f"{len(sweep.lrs)} lr × {len(sweep.inits)} init, {sweep.epochs} epochs — "
                  f"success: {sweep.criterion}", highlight=False)
    cells = [[f"{row['lr']:g}", init_label((row["init"], row["sigma"])),
              f"{row['success']:.0%}", str(row["not_yet"]), str(row["stuck"]),
              "—" if math.isnan(row["median_epochs"]) else f"{row['median_epochs']:g}",
              str(row["diverged"]), *(f"{row[k]:.3g}" for k in
                                      ("loss_q10", "loss_median", "loss_q90"))]
             for row in rows]
    for line in table_lines(REPORT_HEADERS, cells, left=(1,)):
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    console.print("ok: success; epochs: median epochs to success; not yet / stuck: runs still "
                  "falling / on a plateau; div.: diverged; loss: final loss over the seeds "
                  "(10 %, 50 %, 90 %)", highlight=False, style="dim")
    runs = len(sweep.seeds) * len(sweep.settings)
    console.print(f"{runs} runs in {sweep.seconds:.2f} s; success checked every "
                  f"{args.check_every if args else 10} epochs (epochs = updates done)")
    if not sweep.fit.success.any() and sweep.criterion.startswith("accuracy"):
        console.print(f"no run reached 100 % accuracy in {sweep.epochs:,} epochs: give more "
                      "--epochs, or, where classes overlap (circle's noisy labels, blobs) and "
                      "it cannot be reached, set a bar with --target-loss", highlight=False)
    stuck, later = sum(r["stuck"] for r in rows), sum(r["not_yet"] for r in rows)
    if stuck or later:
        console.print(f"not yet: {later} run(s) still falling at {sweep.epochs:,} epochs (more "
                      f"--epochs may succeed); stuck: {stuck} run(s) whose loss fell by less "
                      f"than {PLATEAU_DROP:.1%} over the last {PLATEAU_PART:.0%} of the epochs "
                      "(a plateau: it can still end, much later)", highlight=False)
    for row in rows:
        init = (row["init"], row["sigma"])
        where = f"lr {row['lr']:g}" + (f", init {init_label(init)}" if len(sweep.inits) > 1 else "")
        for label, seed in (("is stuck", row["stuck_seed"]), ("is not there yet",
                                                              row["not_yet_seed"]),
                            ("succeeds", row["good_seed"])):
            if seed is not None:
                console.print(f"{where}, seed {seed} {label}: "
                              f"{app_command(sweep, seed, row['lr'], args, init, budget=True)}",
                              highlight=False, soft_wrap=True)


#: the files ``--export DIR`` writes
EXPORT_NAMES = ("sweep.csv", "heatmap.png", "seeds.png", "losses.png")


def export(sweep: Sweep, rows: list[dict], folder: Path) -> list[Path]:
    """sweep.csv (the table, one row per lr × init), heatmap.png (success rate over
    lr × init), seeds.png (success per seed × setting), losses.png (median loss per
    epoch and the 10–90 % band, one colour per setting); each written atomically."""
    import csv
    import io

    from tui.view.plots import _pyplot  # loaded only when this is used: start-up time

    paths = [folder / name for name in EXPORT_NAMES]
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(paths[0], table.getvalue())

    def save(fig, path: Path) -> None:
        atomic_write_with(path, lambda f: fig.savefig(f, format="png"))
        plt.close(fig)

    plt = _pyplot()
    S, L, I = len(sweep.seeds), len(sweep.lrs), len(sweep.inits)
    names = [init_label(i) for i in sweep.inits]
    rate = np.array([row["success"] for row in rows]).reshape(L, I).T   # (init, lr)
    fig, ax = plt.subplots(figsize=(3.2 + 0.9 * L, 1.6 + 0.5 * I), dpi=110)
    # cividis: luminance rises with the rate, so the map reads in greyscale too
    shown = ax.imshow(rate, aspect="auto", cmap="cividis", vmin=0, vmax=1,
                      interpolation="nearest")
    for (i, j), value in np.ndenumerate(rate):
        ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=9,
                color="black" if value > 0.55 else "white")
    ax.set_xticks(range(L), [f"{lr:g}" for lr in sweep.lrs])
    ax.set_yticks(range(I), names)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("initialisation")
    bar = fig.colorbar(shown, ax=ax)
    bar.set_label("success rate")
    ax.set_title(f"success rate over {S} seeds ({sweep.criterion}), {sweep.epochs} epochs",
                 fontsize=9)
    fig.tight_layout()
    save(fig, paths[1])
    settings = [f"{lr:g}" + (f"\n{init_label(i)}" if I > 1 else "") for lr, i in sweep.settings]
    codes = {state: k for k, state in enumerate(STATES)}
    grid = np.array([codes[st] for st in run_states(sweep.fit)]).reshape(L * I, S).T
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    # one grey per state, light to dark, and a hatch for the two failures: no colour needed
    greys = ["#f2f2f2", "#a6a6a6", "#595959", "#111111"]
    hatches = {"stuck": "xx", "diverged": ".."}
    fig, ax = plt.subplots(figsize=(3.4 + 0.8 * L * I, 1.5 + min(8.0, 0.12 * S)), dpi=110)
    ax.imshow(grid, aspect="auto", cmap=ListedColormap(greys), vmin=-0.5, vmax=3.5,
              interpolation="nearest")
    for state, hatch in hatches.items():
        rows_, cols_ = np.nonzero(grid == codes[state])
        for r, c in zip(rows_, cols_):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch=hatch,
                                       edgecolor="white" if state == "diverged" else "black",
                                       lw=0))
    ax.set_xticks(range(L * I), settings, fontsize=8)
    step = max(1, S // 20)
    ax.set_yticks(range(0, S, step), [str(s) for s in sweep.seeds[::step]])
    ax.set_xlabel("learning rate" + (", init" if I > 1 else ""))
    ax.set_ylabel("seed")
    ax.legend(handles=[Patch(facecolor=g, edgecolor="black", hatch=hatches.get(st, ""),
                             label=st) for st, g in zip(STATES, greys)],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="run")
    ax.set_title(f"each run ({sweep.criterion}, {sweep.epochs} epochs)", fontsize=9)
    fig.tight_layout()
    save(fig, paths[2])
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    epochs = np.arange(sweep.epochs)
    for i, (lr, init) in enumerate(sweep.settings):
        losses = sweep.fit.losses[sweep.runs(i)]
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
                lo, med, hi = np.nanquantile(losses, [0.1, 0.5, 0.9], axis=0)
        label = f"lr {lr:g}" + (f", {init_label(init)}" if I > 1 else "")
        line, = ax.plot(epochs, med, lw=1.5, label=label)
        ax.fill_between(epochs, lo, hi, color=line.get_color(), alpha=0.2)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"loss, {sweep.problem.net.loss.name} (median, 10–90 %)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    save(fig, paths[3])
    return paths


def run_sweep(args: argparse.Namespace, console=None) -> int:
    """Run ``tinynet-tui sweep``; returns the exit status (2: bad input)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    # loaded only when this is used: start-up time

    console = console or Console()
    defaults = task_defaults(args.task) if args.data is None else {}  # digits: Adam, batch 32…
    config = RunConfig(task=args.task, data=args.data, hidden=args.hidden,
                       activation=args.activation, epochs=args.epochs,
                       optimizer=args.optimizer or defaults.get("optimizer", "gd"),
                       batch=defaults.get("batch"),
                       test_fraction=defaults.get("test_fraction", 0.0),
                       weight_decay=defaults.get("weight_decay", 0.0))
    axis = hyper_axis(args)
    # several hyper-parameter values: a grid for each, exported into a folder each
    folders = ([args.export] * len(axis) if len(axis) == 1 or args.export is None else
               [args.export / "_".join(f"{k}-{v:g}" for k, v in values.items())
                for values in axis])
    progress = Progress(TextColumn("[bold]sweep[/]"), BarColumn(),
                        TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(),
                        console=console, transient=True, disable=args.quiet)
    try:
        check_hyper(args)
    except ValueError as exc:
        print(f"{PROG}: error: {printable(exc)}", file=sys.stderr)
        return 2
    # checked before any training, so a sweep never runs for minutes and then fails
    for folder in folders if args.export is not None else ():  # (each grid's own folder)
        if why := check_output_files(folder, EXPORT_NAMES, args.force):
            print(f"{PROG}: error: {printable(why)}", file=sys.stderr)
            return 2
    for values, folder in zip(axis, folders):
        status = _one_grid(with_settings(config, **values), args, progress, console, folder)
        if status:
            return status
    return 0


def _one_grid(config: RunConfig, args: argparse.Namespace, progress, console,
              folder: Path | None) -> int:
    """Train, report and (into ``folder``) export the grid of one configuration."""
    try:
        inits = resolve_inits(args.init, args.sigma)
        with progress:
            bar = progress.add_task("sweep", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            sweep = run_grid(config, args.seeds, args.lr, args.epochs, args.target_loss,
                             args.check_every, progress=tick, inits=inits)
            progress.remove_task(bar)
    except (ValueError, OSError) as exc:
        print(f"{PROG}: error: {printable(exc)}", file=sys.stderr)
        return 2
    rows = setting_rows(sweep)
    print_report(sweep, rows, args, console)
    if folder is not None:
        try:
            written = export(sweep, rows, folder)
        except OSError as exc:
            print(f"{PROG}: error: cannot write to {printable(folder)}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 2
        console.print("exported " + ", ".join(str(p) for p in written))
    return 0


def make_parser():

    parser = Parser(prog=PROG, description="Train many seeds × learning rates × inits at once.")
    add_sweep_options(parser)
    return parser


def main(argv: list[str] | None = None, console=None) -> int:

    try:
        args = make_parser().parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {printable(exc)}", file=sys.stderr)
        return 2
    return run_sweep(args, console)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

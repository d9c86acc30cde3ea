"""``tinynet-tui sweep``: train every seed × learning rate × init at once and compare.

    tinynet-tui sweep --task xor --seeds 0-99 --lr 0.5,1,2,5,10
    tinynet-tui sweep --task regression --seeds 0-49 --lr 0.1,0.3,1 --init glorot,small \
        --export out/

All runs share one architecture, so they are trained together by
:class:`nn.stacked.StackedNetwork`.  Run (seed s, lr η, init i) starts from exactly
the network ``tinynet-tui --task … --seed s --lr η --init i`` builds, so every run
can be opened in the app: the table lists such a command per setting.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from nn.stacked import StackedNetwork, StackedFit, estimate_bytes, per_run_loss

from tui.core.config import TASK_CHOICES, Problem, RunConfig, build
from tui.core.output import atomic_write_text, atomic_write_with, check_output_files
from tui.core.parsing import positive_number, whole_number

PROG = "tinynet-tui sweep"
#: Largest grid (estimated bytes) a sweep may allocate.
MEMORY_LIMIT = 2 * 1024 ** 3
R2_SUCCESS = 0.98
#: short names ``--init`` accepts besides nn/init.py's: name → (scheme, σ or None)
INIT_ALIASES = {"glorot": ("glorot-uniform", None), "small": ("normal", 0.1)}
#: an initialisation: (scheme in nn.init.INITS, σ for ``normal``, else None)
InitSpec = tuple[str, "float | None"]
DEFAULT_INITS: list[InitSpec] = [("default", None)]


# ------------------------------------------------------------- reading lists
#: the most seeds one sweep takes (the memory check refuses far fewer for most grids;
#: this bounds the list itself, which a range like 0-99999999999 would exhaust memory on)
MAX_SEEDS = 100_000


def seed_list(text: str) -> list[int]:
    """``"0-99"`` → 0…99, ``"0,3,7"``, or both (``"0-4,9"``); each seed once, in order."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise ValueError(f"{text!r}: give seeds like 0-99 or 0,3,7")
        if "-" in part and not part.startswith("-"):
            lo_text, hi_text = part.split("-", 1)
            lo, hi = whole_number(lo_text, low=0), whole_number(hi_text, low=0)
            if hi < lo:
                raise ValueError(f"{part}: a range must go up (like {hi}-{lo})")
            if len(seeds) + hi - lo + 1 > MAX_SEEDS:
                raise ValueError(f"{text}: at most {MAX_SEEDS:,} seeds in one sweep")
            seeds.extend(range(lo, hi + 1))
        else:
            seeds.append(whole_number(part, low=0))
    return list(dict.fromkeys(seeds))


def number_list(text: str) -> list[float]:
    """``"0.5,1,2"`` → [0.5, 1.0, 2.0]; every value a positive number."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r}: give values like 0.5,1,2")
    return list(dict.fromkeys(positive_number(p) for p in parts))


def init_list(text: str) -> list[str]:
    """``"glorot,small"`` → ["glorot", "small"]: each an nn/init.py scheme or an
    alias of :data:`INIT_ALIASES`, each once, in order (σ comes later: :func:`resolve_inits`)."""
    from nn.init import INITS

    parts = [p.strip().lower() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r}: give schemes like glorot,small")
    for part in parts:
        if part not in INITS and part not in INIT_ALIASES:
            raise ValueError(f"{part!r}: unknown init (choose from {', '.join(INITS)}, "
                             f"or {', '.join(INIT_ALIASES)})")
    return list(dict.fromkeys(parts))


def resolve_inits(names: list[str] | None, sigma: float | None = None) -> list[InitSpec]:
    """Schemes and aliases → (scheme, σ) pairs: ``normal`` gets ``sigma`` (default
    1), ``small`` is normal with σ 0.1, ``glorot`` is glorot-uniform.  ``sigma``
    without ``normal`` in the list is an error (ValueError)."""
    if sigma is not None and "normal" not in (names or []):
        raise ValueError("argument --sigma: only with normal in --init")
    specs: list[InitSpec] = []
    for name in names or ["default"]:
        if name in INIT_ALIASES:
            specs.append(INIT_ALIASES[name])
        else:
            specs.append((name, (1.0 if sigma is None else sigma) if name == "normal" else None))
    return list(dict.fromkeys(specs))


def init_label(spec: InitSpec) -> str:
    """``("normal", 0.1)`` → "normal σ 0.1"; other schemes by name."""
    name, sigma = spec
    return f"{name} σ {1.0 if sigma is None else sigma:g}" if name == "normal" else name


def add_sweep_options(p: argparse.ArgumentParser) -> None:
    from tui.cli.main import (HIDDEN_ACTIVATIONS, _argument, epoch_count, existing_file,
                      hidden_sizes, positive_float, positive_int, unit_interval)
    from tui.core.config import OPTIMIZER_CHOICES

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
    p.add_argument("--momentum", type=unit_interval, metavar="BETA",
                   help="β of --optimizer momentum or nesterov (default 0.9)")
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


def add_sweep_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``sweep`` to ``tinynet-tui``'s subcommands."""
    p = subparsers.add_parser("sweep", help="train many seeds × learning rates × inits at once",
                              description="Train every seed × learning rate × init together; "
                                          "success rates, quantiles, reproducible commands.")
    add_sweep_options(p)
    return p


# -------------------------------------------------------------- the sweep
@dataclass
class Sweep:
    """Runs are setting-major: run r has setting ``settings[r // S]`` (lr, init) and
    seed ``seeds[r % S]``; settings go lr by lr, each with every init."""

    problem: Problem           #: the first seed's problem (data, kind, resolved config)
    seeds: list[int]
    lrs: list[float]
    epochs: int
    criterion: str             #: e.g. "accuracy = 100 %"
    fit: StackedFit
    seconds: float
    inits: list[InitSpec] = field(default_factory=lambda: list(DEFAULT_INITS))

    @property
    def settings(self) -> list[tuple[float, InitSpec]]:
        return [(lr, init) for lr in self.lrs for init in self.inits]

    def runs(self, setting: int) -> slice:
        return slice(setting * len(self.seeds), (setting + 1) * len(self.seeds))


def success_check(problem: Problem, target_loss: float | None):
    """The per-run success test, vectorised over runs: (stack, ŷ) → bool (R,)."""
    with np.errstate(over="ignore", invalid="ignore"):  # targets near ±1e308: R² is nan
        return _success_check(problem, target_loss)


def _success_check(problem: Problem, target_loss: float | None):
    y = problem.y
    if target_loss is not None:
        loss = problem.net.loss
        return f"loss ≤ {target_loss:g}", lambda st, y_hat: per_run_loss(loss, y_hat, y)[0] \
            <= target_loss
    if problem.kind == "binary":
        truth = y > 0.5
        return "accuracy = 100 %", lambda st, y_hat: ((y_hat > 0.5) == truth).all(axis=(1, 2))
    if problem.kind == "multiclass":  # one-hot y (N, K): the largest output is the class
        labels = y.argmax(axis=1)
        return "accuracy = 100 %", lambda st, y_hat: (y_hat.argmax(axis=2) == labels).all(axis=1)
    if problem.config.target_function is not None:  # held-out grid, as `train` reports
        from nn import datasets

        Xg, yg = datasets.regression_grid(25)
        ss_tot = float(((yg - yg.mean(axis=0)) ** 2).sum())
        return (f"R² ≥ {R2_SUCCESS} (25×25 grid)",
                lambda st, y_hat: 1.0 - ((st.predict(Xg) - yg) ** 2).sum(axis=(1, 2)) / ss_tot
                >= R2_SUCCESS)
    ss_tot = float(((y - y.mean(axis=0)) ** 2).sum())
    return (f"R² ≥ {R2_SUCCESS}",
            lambda st, y_hat: 1.0 - ((y_hat - y) ** 2).sum(axis=(1, 2)) / ss_tot >= R2_SUCCESS)


def check_size(problem: Problem, runs: int, epochs: int) -> None:
    """Refuse (ValueError) a grid whose estimated memory exceeds MEMORY_LIMIT."""
    need = estimate_bytes(problem.net.sizes, runs, len(problem.X), epochs, extra_samples=625)
    if need > MEMORY_LIMIT:
        raise ValueError(f"{runs:,} runs × {epochs:,} epochs would need about "
                         f"{need / 1024 ** 3:,.1f} GiB (limit {MEMORY_LIMIT / 1024 ** 3:.0f} GiB); "
                         f"use fewer seeds, learning rates or epochs")


def run_grid(config: RunConfig, seeds: list[int], lrs: list[float] | None = None,
             epochs: int | None = None, target_loss: float | None = None,
             check_every: int = 10, progress=None,
             inits: list[InitSpec] | None = None) -> Sweep:
    """Build every run exactly as the app would (``inits``: (scheme, σ) pairs,
    default: ``config``'s own) and train them stacked.
    ``progress(done, total)`` is called now and then with run-epochs."""
    inits = inits or [(config.init, config.sigma)]

    def with_init(cfg: RunConfig, spec: InitSpec) -> RunConfig:
        return replace(cfg, init=spec[0], sigma=spec[1] if spec[0] == "normal" else None)

    problem = build(with_init(replace(config, seed=seeds[0], epochs=epochs), inits[0]))
    lrs = lrs or [problem.config.lr]
    epochs = problem.config.epochs
    check_size(problem, len(seeds) * len(lrs) * len(inits), epochs)
    if problem.config.image_shape is not None and problem.X_test is not None:
        # each seed has its own stratified split: one stack per seed, on its own data
        criterion = success_check(problem, target_loss)[0]
        start = time.perf_counter()
        fit = _fit_per_seed(config, seeds, lrs, inits, epochs, target_loss, check_every,
                            progress, with_init)
        return Sweep(problem, seeds, lrs, epochs, criterion, fit, time.perf_counter() - start,
                     list(inits))
    nets = {spec: [build(with_init(replace(config, seed=s), spec)).net for s in seeds]
            for spec in inits}
    stack = StackedNetwork([net.copy() for _ in lrs for spec in inits for net in nets[spec]],
                           [lr for lr in lrs for _ in inits for _ in seeds])
    criterion, check = success_check(problem, target_loss)
    start = time.perf_counter()
    total = len(stack) * epochs
    fit = stack.fit(problem.X, problem.y, epochs, check=check, check_every=check_every,
                    callback=None if progress is None else lambda done: progress(done, total),
                    batch=problem.config.batch)  # digits: mini-batches, as a single run
    return Sweep(problem, seeds, lrs, epochs, criterion, fit, time.perf_counter() - start,
                 list(inits))


def _fit_per_seed(config, seeds, lrs, inits, epochs, target_loss, check_every, progress,
                  with_init) -> StackedFit:
    """A sweep whose data depends on the seed (an image task's split): the runs of each
    seed (every lr × init) are stacked on that seed's data, and the fits are put back in
    the sweep's run order (setting-major: run k·S + i is setting k of seed i)."""
    S = len(seeds)
    settings = [(lr, spec) for lr in lrs for spec in inits]
    R = len(settings) * S
    losses = np.full((R, epochs), np.nan)
    first = np.full(R, -1, dtype=np.int64)
    success, diverged = np.zeros(R, dtype=bool), np.zeros(R, dtype=bool)
    diverged_at = np.full(R, -1, dtype=np.int64)
    total = R * epochs
    for i, seed in enumerate(seeds):
        built = {spec: build(with_init(replace(config, seed=seed), spec)) for spec in inits}
        data = built[inits[0]]
        stack = StackedNetwork([built[spec].net.copy() for _, spec in settings],
                               [lr for lr, _ in settings])
        done = i * len(settings) * epochs
        fit = stack.fit(data.X, data.y, epochs, check=success_check(data, target_loss)[1],
                        check_every=check_every, batch=data.config.batch,
                        callback=None if progress is None
                        else lambda d, done=done: progress(done + d, total))
        rows = [k * S + i for k in range(len(settings))]
        losses[rows], first[rows] = fit.losses, fit.first_success
        success[rows], diverged[rows], diverged_at[rows] = (fit.success, fit.diverged,
                                                            fit.diverged_at)
    return StackedFit(losses, first, success, diverged, diverged_at)


# ------------------------------------------------------------ in the app
#: the app's small grid: this many seeds from the current one, and these multiples
#: of the current learning rate
APP_SEEDS = 10
APP_LR_FACTORS = (0.1, 0.5, 1.0, 2.0)
#: … and at most this many sample-epochs per run (XOR keeps its 5000 epochs; the
#: 400-point regression gets 2500: 40 runs take about 15 s on a busy 2-core machine)
APP_MAX_WORK = 1_000_000


def app_grid(config: RunConfig, seeds: list[int] | None = None, lrs: list[float] | None = None,
             epochs: int | None = None, progress=None,
             check_every: int = 100) -> tuple[Sweep, list[dict]]:
    """The app's sweep of the current task (``config``: the session's, lr and
    architecture resolved): every run as a row, setting-major, with ``seed``,
    ``lr``, ``success``, ``epochs_to_success`` (None if never), ``final_loss`` and
    ``diverged``; epochs to success are counted in steps of ``check_every``.
    Meant for a thread worker; :func:`run_config` opens a row."""
    config = replace(config.resolved(), load=None)
    seeds = seeds or list(range(config.seed, config.seed + APP_SEEDS))
    lrs = lrs or sorted({float(f"{config.lr * f:.6g}") for f in APP_LR_FACTORS})
    if epochs is None:
        n_samples = len(build(replace(config, epochs=1)).X)
        epochs = max(1, min(config.epochs, APP_MAX_WORK // max(1, n_samples)))
    sweep = run_grid(config, seeds, lrs, epochs=epochs, progress=progress,
                     check_every=check_every)
    fit, rows = sweep.fit, []
    final = fit.final_loss
    settings = sweep.settings
    for r in range(len(settings) * len(seeds)):
        first = int(fit.first_success[r])
        lr, init = settings[r // len(seeds)]
        rows.append(dict(seed=seeds[r % len(seeds)], lr=lr, init=init,
                         success=bool(fit.success[r]),
                         epochs_to_success=first if first >= 0 else None,
                         final_loss=float(final[r]), diverged=bool(fit.diverged[r])))
    return sweep, rows


def run_config(sweep: Sweep, row: dict) -> RunConfig:
    """The configuration that opens ``row``'s run in the debugger: built, it starts
    from exactly the network the sweep trained (its seed, lr and init)."""
    name, sigma = row.get("init", sweep.inits[0])
    return replace(sweep.problem.config, seed=row["seed"], lr=row["lr"], load=None,
                   init=name, sigma=sigma if name == "normal" else None)


# ------------------------------------------------------------ the report
def app_command(sweep: Sweep, seed: int, lr: float, args: argparse.Namespace | None,
                init: InitSpec | None = None) -> str:
    """The command that opens run (seed, lr, init) in the app."""
    cfg = sweep.problem.config
    parts = ["tinynet-tui"]
    parts += ["--data", str(cfg.data)] if cfg.data else ["--task", cfg.task]
    if args is not None and args.hidden is not None:
        parts += ["--hidden", ",".join(map(str, args.hidden)) or "0"]
    if args is not None and args.activation:
        parts += ["--activation", args.activation]
    parts += ["--seed", str(seed), "--lr", repr(lr)]
    if cfg.optimizer != "gd":
        parts += ["--optimizer", cfg.optimizer]
    if cfg.optimizer in ("momentum", "nesterov"):
        parts += ["--momentum", repr(cfg.momentum)]
    name, sigma = init or sweep.inits[0]
    if name != "default":
        parts += ["--init", name]
        if name == "normal":
            parts += ["--sigma", f"{1.0 if sigma is None else sigma:g}"]
    return " ".join(parts)


def setting_rows(sweep: Sweep) -> list[dict]:
    """One summary per setting (lr × init): success rate, epochs to success, loss
    quantiles; ``init`` is the scheme, ``sigma`` its σ (normal only, else None)."""
    fit, rows = sweep.fit, []
    final = fit.final_loss
    for i, (lr, (init, sigma)) in enumerate(sweep.settings):
        runs = sweep.runs(i)
        ok, div = fit.success[runs], fit.diverged[runs]
        firsts = fit.first_success[runs][ok]
        losses = final[runs][~div]
        q = np.quantile(losses, [0.1, 0.5, 0.9]) if len(losses) else [math.nan] * 3
        seeds = np.asarray(sweep.seeds)
        rows.append(dict(lr=lr, init=init, sigma=sigma, runs=len(sweep.seeds),
                         success=float(ok.mean()),
                         median_epochs=float(np.median(firsts)) if len(firsts) else math.nan,
                         diverged=int(div.sum()), loss_q10=q[0], loss_median=q[1], loss_q90=q[2],
                         good_seed=int(seeds[ok][0]) if ok.any() else None,
                         bad_seed=int(seeds[~ok][0]) if (~ok).any() else None))
    return rows


def print_report(sweep: Sweep, rows: list[dict], args, console) -> None:
    from rich.table import Table

    net = sweep.problem.net
    cfg = sweep.problem.config
    trains = "" if cfg.optimizer == "gd" else f" {cfg.optimizer}" + (
        f" β {cfg.momentum:g}," if cfg.optimizer in ("momentum", "nesterov") else ",")
    table = Table(title=f"{cfg.label}: {net.describe()},{trains} {len(sweep.seeds)} seeds"
                        f" × {len(sweep.lrs)} lr × {len(sweep.inits)} init, {sweep.epochs} epochs"
                        f" — success: {sweep.criterion}")
    for name in ("lr", "init", "success", "median epochs to success", "diverged",
                 "final loss 10 %", "median", "90 %"):
        if name == "init":  # never cut a scheme's name
            table.add_column(name, no_wrap=True,
                             min_width=max(len(init_label(i)) for i in sweep.inits))
        else:
            table.add_column(name, justify="right")
    for row in rows:
        table.add_row(f"{row['lr']:g}", init_label((row["init"], row["sigma"])),
                      f"{row['success']:.0%}",
                      "—" if math.isnan(row["median_epochs"]) else f"{row['median_epochs']:g}",
                      str(row["diverged"]), *(f"{row[k]:.3g}" for k in
                                              ("loss_q10", "loss_median", "loss_q90")))
    console.print(table)
    runs = len(sweep.seeds) * len(sweep.settings)
    console.print(f"{runs} runs in {sweep.seconds:.2f} s; success checked every "
                  f"{args.check_every if args else 10} epochs (epochs = updates done)")
    if not sweep.fit.success.any() and sweep.criterion.startswith("accuracy"):
        console.print(f"no run reached 100 % accuracy in {sweep.epochs:,} epochs: give more "
                      "--epochs, or, where classes overlap (circle's noisy labels, blobs) and "
                      "it cannot be reached, set a bar with --target-loss", highlight=False)
    for row in rows:
        init = (row["init"], row["sigma"])
        where = f"lr {row['lr']:g}" + (f", init {init_label(init)}" if len(sweep.inits) > 1 else "")
        for label, seed in (("fails", row["bad_seed"]), ("succeeds", row["good_seed"])):
            if seed is not None:
                console.print(f"{where}, seed {seed} {label}: "
                              f"{app_command(sweep, seed, row['lr'], args, init)}",
                              highlight=False, soft_wrap=True)


#: the files ``--export DIR`` writes
EXPORT_NAMES = ("sweep.csv", "heatmap.png", "seeds.png", "losses.png")


def export(sweep: Sweep, rows: list[dict], folder: Path) -> list[Path]:
    """sweep.csv (the table, one row per lr × init), heatmap.png (success rate over
    lr × init), seeds.png (success per seed × setting), losses.png (median loss per
    epoch and the 10–90 % band, one colour per setting); each written atomically."""
    import csv
    import io

    from tui.view.plots import _pyplot

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
    fig, ax = plt.subplots(figsize=(2.2 + 0.9 * L, 1.6 + 0.5 * I), dpi=110)
    ax.imshow(rate, aspect="auto", cmap="RdYlGn", vmin=0, vmax=1, interpolation="nearest")
    for (i, j), value in np.ndenumerate(rate):
        ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(L), [f"{lr:g}" for lr in sweep.lrs])
    ax.set_yticks(range(I), names)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("initialisation")
    ax.set_title(f"success rate over {S} seeds ({sweep.criterion})", fontsize=9)
    fig.tight_layout()
    save(fig, paths[1])
    settings = [f"{lr:g}" + (f"\n{init_label(i)}" if I > 1 else "") for lr, i in sweep.settings]
    grid = sweep.fit.success.reshape(L * I, S).T.astype(float)
    fig, ax = plt.subplots(figsize=(1.2 + 0.8 * L * I, 1.5 + min(8.0, 0.12 * S)), dpi=110)
    ax.imshow(grid, aspect="auto", cmap="RdYlGn", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(L * I), settings, fontsize=8)
    step = max(1, S // 20)
    ax.set_yticks(range(0, S, step), [str(s) for s in sweep.seeds[::step]])
    ax.set_xlabel("learning rate" + (", init" if I > 1 else ""))
    ax.set_ylabel("seed")
    ax.set_title(f"success per seed ({sweep.criterion})", fontsize=9)
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

    from tui.cli.main import check_momentum, momentum_of

    console = console or Console()
    from tui.core.config import task_defaults

    defaults = task_defaults(args.task) if args.data is None else {}
    config = RunConfig(task=args.task, data=args.data, hidden=args.hidden,
                       activation=args.activation, epochs=args.epochs,
                       optimizer=args.optimizer or defaults.get("optimizer", "gd"),
                       momentum=momentum_of(args), batch=defaults.get("batch"),
                       test_fraction=defaults.get("test_fraction", 0.0),
                       weight_decay=defaults.get("weight_decay", 0.0))
    progress = Progress(TextColumn("[bold]sweep[/]"), BarColumn(),
                        TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(),
                        console=console, transient=True, disable=args.quiet)
    try:
        check_momentum(args)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    # checked before any training, so a sweep never runs for minutes and then fails
    if args.export is not None and (why := check_output_files(args.export, EXPORT_NAMES,
                                                              args.force)):
        print(f"{PROG}: error: {why}", file=sys.stderr)
        return 2
    try:
        inits = resolve_inits(args.init, args.sigma)
        with progress:
            bar = progress.add_task("sweep", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            sweep = run_grid(config, args.seeds, args.lr, args.epochs, args.target_loss,
                             args.check_every, progress=tick, inits=inits)
    except (ValueError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    rows = setting_rows(sweep)
    print_report(sweep, rows, args, console)
    if args.export is not None:
        try:
            written = export(sweep, rows, args.export)
        except OSError as exc:
            print(f"{PROG}: error: cannot write to {args.export}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 2
        console.print("exported " + ", ".join(str(p) for p in written))
    return 0


def make_parser():
    from tui.cli.main import Parser

    parser = Parser(prog=PROG, description="Train many seeds × learning rates × inits at once.")
    add_sweep_options(parser)
    return parser


def main(argv: list[str] | None = None, console=None) -> int:
    from tui.cli.main import UsageError

    try:
        args = make_parser().parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    return run_sweep(args, console)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

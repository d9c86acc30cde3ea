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
import time
from dataclasses import dataclass, field, replace

import numpy as np

from nn.stacked import StackedNetwork, StackedFit, estimate_bytes

from tui.core.config import Problem, RunConfig, build
from tui.core.parsing import positive_number, whole_number
from nn.init import INITS
from nn import datasets

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
        return f"loss ≤ {target_loss:g}", lambda st, y_hat: loss.per_run(y_hat, y)[0] \
            <= target_loss
    if problem.kind == "binary":
        truth = y > 0.5
        return "accuracy = 100 %", lambda st, y_hat: ((y_hat > 0.5) == truth).all(axis=(1, 2))
    if problem.kind == "multiclass":  # one-hot y (N, K): the largest output is the class
        labels = y.argmax(axis=1)
        return "accuracy = 100 %", lambda st, y_hat: (y_hat.argmax(axis=2) == labels).all(axis=1)
    if problem.config.target_function is not None:  # held-out grid, as `train` reports

        Xg, yg = datasets.regression_grid(25)
        ss_tot = float(((yg - yg.mean(axis=0)) ** 2).sum())
        return (f"R² ≥ {R2_SUCCESS} (25×25 grid)",
                lambda st, y_hat: 1.0 - ((st.predict(Xg) - yg) ** 2).sum(axis=(1, 2)) / ss_tot
                >= R2_SUCCESS)
    ss_tot = float(((y - y.mean(axis=0)) ** 2).sum())
    return (f"R² ≥ {R2_SUCCESS}",
            lambda st, y_hat: 1.0 - ((y_hat - y) ** 2).sum(axis=(1, 2)) / ss_tot >= R2_SUCCESS)


#: a run that did not succeed is "stuck" when its loss fell by less than this fraction over
#: the last ``PLATEAU_PART`` of its budget (a plateau), else "not yet" (still falling)
PLATEAU_PART = 0.25
PLATEAU_DROP = 1e-3
STATES = ("success", "not yet", "stuck", "diverged")


def run_states(fit: StackedFit) -> list[str]:
    """Each run's verdict (R,): ``success``; ``diverged``; ``stuck`` — its loss has
    stopped falling (fell by less than ``PLATEAU_DROP`` of itself over the last
    ``PLATEAU_PART`` of the epochs) and is above the target; ``not yet`` — still falling,
    so more epochs may well succeed.  (A plateau can still end: XOR at lr 0.5 sits on
    one at loss 0.25 for 10 000+ epochs before it learns.)"""
    losses = fit.losses                                   # (R, epochs)
    epochs = losses.shape[1]
    start = min(epochs - 1, int(epochs * (1 - PLATEAU_PART)))
    with np.errstate(invalid="ignore"):
        a, b = losses[:, start], losses[:, -1]
        falling = (a - b) > PLATEAU_DROP * np.abs(a)
    return ["diverged" if fit.diverged[r] else "success" if fit.success[r] else
            "not yet" if falling[r] else "stuck" for r in range(len(losses))]


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
    states = run_states(fit)
    for r in range(len(settings) * len(seeds)):
        first = int(fit.first_success[r])
        lr, init = settings[r // len(seeds)]
        rows.append(dict(seed=seeds[r % len(seeds)], lr=lr, init=init,
                         success=bool(fit.success[r]), state=states[r],
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
                init: InitSpec | None = None, budget: bool = False) -> str:
    """The command that opens run (seed, lr, init) in the app; with ``budget``, the
    ``tinynet-tui train`` command that reruns it with the sweep's ``--epochs``."""
    cfg = sweep.problem.config
    parts = ["tinynet-tui"] + (["train"] if budget else [])
    parts += ["--data", str(cfg.data)] if cfg.data else ["--task", cfg.task]
    if args is not None and args.hidden is not None:
        parts += ["--hidden", ",".join(map(str, args.hidden)) or "0"]
    if args is not None and args.activation:
        parts += ["--activation", args.activation]
    parts += ["--seed", str(seed), "--lr", repr(lr)]
    if cfg.optimizer != "gd":
        parts += ["--optimizer", cfg.optimizer]
    for name in cfg.optimizer_settings():  # --momentum 0.9, --rho 0.9
        parts += ["--" + name.replace("_", "-"), repr(cfg.hyper_value(name))]
    name, sigma = init or sweep.inits[0]
    if name != "default":
        parts += ["--init", name]
        if name == "normal":
            parts += ["--sigma", f"{1.0 if sigma is None else sigma:g}"]
    if budget:
        parts += ["--epochs", str(sweep.epochs)]
    return " ".join(parts)


def setting_rows(sweep: Sweep) -> list[dict]:
    """One summary per setting (lr × init): success rate, epochs to success, loss
    quantiles; ``init`` is the scheme, ``sigma`` its σ (normal only, else None)."""
    fit, rows = sweep.fit, []
    final = fit.final_loss
    states = np.array(run_states(fit))
    for i, (lr, (init, sigma)) in enumerate(sweep.settings):
        runs = sweep.runs(i)
        ok, div = fit.success[runs], fit.diverged[runs]
        stuck, later = states[runs] == "stuck", states[runs] == "not yet"
        firsts = fit.first_success[runs][ok]
        losses = final[runs][~div]
        q = np.quantile(losses, [0.1, 0.5, 0.9]) if len(losses) else [math.nan] * 3
        seeds = np.asarray(sweep.seeds)
        rows.append(dict(lr=lr, init=init, sigma=sigma, runs=len(sweep.seeds),
                         success=float(ok.mean()),
                         median_epochs=float(np.median(firsts)) if len(firsts) else math.nan,
                         not_yet=int(later.sum()), stuck=int(stuck.sum()),
                         diverged=int(div.sum()), loss_q10=q[0], loss_median=q[1], loss_q90=q[2],
                         good_seed=int(seeds[ok][0]) if ok.any() else None,
                         not_yet_seed=int(seeds[later][0]) if later.any() else None,
                         stuck_seed=int(seeds[stuck][0]) if stuck.any() else None,
                         bad_seed=int(seeds[~ok][0]) if (~ok).any() else None))
    return rows

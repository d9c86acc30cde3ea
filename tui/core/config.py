"""What to train: a task or CSV file, an architecture, a learning rate, a seed.

``RunConfig`` is filled from the command line (or the app's keys) and
``build`` turns it into a network and data.  Unset fields fall back to the
task's preset (:mod:`nn.presets`).  The data can be noisier (``noise``), split into
training and test rows (``test_fraction``, seeded by ``seed``), fed to the network as
chosen input features (``features``, :mod:`nn.features`), and, for the regression task,
come from a target formula (``target``, :mod:`nn.formula`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from nn import NeuralNetwork, datasets, load
from nn.state_dict import recorded_meta
from nn.features import DEFAULT as DEFAULT_FEATURES
from nn.features import FEATURES, FeatureMap
from nn.digits import digits
from nn.formula import Formula, FormulaError
from nn.images import load_image_csv
from nn.metrics import accuracy, r_squared
from nn.losses import cross_entropy_for, get_loss
from nn.optimizers import from_word, hyper_settings, optimizer_words
from nn.split import stratified_split_indices
from nn.presets import CLASS_PRESETS, CSV_PRESETS, IMAGE_PRESETS, PRESETS, Preset

from tui.core import memory
from tui.core.text import printable

#: Every task's preset: the two-class and regression tasks, the 3-class ones, the images.
TASK_PRESETS: dict[str, Preset] = {**PRESETS, **CLASS_PRESETS, **IMAGE_PRESETS}
#: Tasks the app cycles through (t) and sweeps take.
TASKS = list(PRESETS)
#: Every 2-input task (``t`` in the app goes round them).
ALL_TASKS = TASKS + [t for t in CLASS_PRESETS if t not in PRESETS]
#: Built-in tasks whose inputs are images, with their (height, width).
IMAGE_TASKS: dict[str, tuple[int, int]] = {"digits": (8, 8)}
#: Every task ``--task`` takes: the 2-input ones and the images.
TASK_CHOICES = ALL_TASKS + list(IMAGE_TASKS)


def task_defaults(task: str | None, image: bool = False) -> dict:
    """The RunConfig fields a task trains with when the command line leaves them out:
    ``optimizer``, ``batch``, ``test_fraction``, ``weight_decay`` (digits: Adam, batch 32,
    20 % test, λ 0.001; the other tasks: gd, full batch, no test set, no decay).  ``image``: a ``--data --image`` file, which
    trains as digits does."""
    p = IMAGE_PRESETS["digits"] if image else TASK_PRESETS.get(task or "", PRESETS["xor"])
    return dict(optimizer=p.optimizer, batch=p.batch, test_fraction=p.test_fraction,
                weight_decay=p.weight_decay)


def task_config(task: str, **changes) -> "RunConfig":
    """A RunConfig for ``task`` with its own training defaults (:func:`task_defaults`), as
    ``tinynet-tui --task TASK`` builds it; ``changes`` override any field or optimizer
    hyper-parameter setting (``momentum=0.5``)."""
    return with_settings(RunConfig(task=task, **task_defaults(task)), **changes)


#: ``--optimizer`` words: the registry's (nn.optimizers), Nesterov momentum as its own word.
OPTIMIZER_CHOICES = tuple(optimizer_words())
#: ``--loss`` names: the registry's, and ``cross-entropy`` (bce or softmax-ce, by the output).
LOSS_CHOICES = ("mse", "bce", "softmax-ce", "cross-entropy")
#: Tasks a --target formula can replace the target of.
TARGET_TASKS = ("regression",)


#: Fixed memory the app may add on top of the network: the stepper's per-epoch θ history
#: (32 MiB) and its undo states (32 MiB), see :mod:`nn.stepper`.
HISTORY_BUDGET_BYTES = 64 * 1024 * 1024
#: A network may use at most this fraction of physical memory (estimated by
#: :func:`estimate_bytes`); 8 GiB is assumed where the size cannot be read.
MEMORY_FRACTION = 0.5


#: copies of the parameters the app holds at once: θ, gradients, the initial weights,
#: ≥ 2 epoch snapshots, the last change, and the frame's and a step event's copies for
#: the screen (with 5, a 2–4096×16–1 net passed the check and then peaked at 15.2 GB)
PARAM_COPIES = 8


def estimate_bytes(sizes, n_samples: int, itemsize: int = 8) -> int:
    """Bytes a network of layer widths ``sizes`` (inputs first) needs to train on
    ``n_samples`` rows in the app: :data:`PARAM_COPIES` copies of the parameters,
    5 arrays per neuron and sample (x, z, a, δ, ∂L/∂a), plus :data:`HISTORY_BUDGET_BYTES`."""
    params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    return itemsize * (PARAM_COPIES * params + 5 * n_samples * sum(sizes)) + HISTORY_BUDGET_BYTES


def memory_cap() -> int:
    """:data:`MEMORY_FRACTION` of the memory this process may really use (the least of
    physical memory, the cgroup limit and the address-space limit: :mod:`tui.core.memory`)."""
    return int(memory.available().bytes * MEMORY_FRACTION)


def memory_limit_source() -> str:
    """Which limit :func:`memory_cap` comes from, in words."""
    return memory.available().source


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def _a(word: str) -> str:
    """``identity`` → ``an identity``, ``sigmoid`` → ``a sigmoid``."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def check_fits(sizes, n_samples: int, cap: int | None = None,
               advice: str = "use smaller --hidden sizes") -> None:
    """Raise ``ValueError`` (one line, with the size needed) if the network would not fit."""
    need, cap = estimate_bytes(sizes, n_samples), memory_cap() if cap is None else cap
    if need > cap:
        shape = "–".join(map(str, sizes))
        on = f" on {n_samples} samples" if n_samples else ""
        raise ValueError(f"a {shape} network{on} would need about "
                         f"{_size(need)} of memory; the limit is {_size(cap)} "
                         f"(half of {memory_limit_source()}): {advice}")


def load_model(path: Path, defaults: dict | None = None):
    """``nn.load`` with the memory budget checked from the file's header, before any
    parameter array is read: (network, meta); ``ModelFileError`` (one line)."""
    return load(path, defaults, budget=lambda sizes: check_fits(
        sizes, 0, advice="this model is too large to train here"))


@dataclass(frozen=True)
class RunConfig:
    task: str = "xor"
    data: Path | None = None          #: a CSV file instead of a built-in task
    hidden: tuple[int, ...] | None = None
    #: the hidden layers' activation: one name for all, or a tuple with one per hidden layer
    activation: str | tuple[str, ...] | None = None
    lr: float | None = None
    seed: int = 0
    epochs: int | None = None
    load: Path | None = None          #: start from a saved model
    features: tuple[str, ...] | None = None  #: input features (nn.features); None: x1, x2
    target: str | None = None         #: a target formula for the regression task
    test_fraction: float = 0.0        #: share of rows held out for testing (0: none)
    noise: float | None = None        #: noise σ of a generated task (None: the task's own)
    loss: str | None = None           #: a LOSS_CHOICES name (None: the task's own, mse for most)
    optimizer: str = "gd"             #: an OPTIMIZER_CHOICES name
    #: the optimizers' hyper-parameter settings that differ from their declared defaults
    #: (nn.optimizers ``Hyper.setting``), sorted: (("momentum", 0.5),); read them with
    #: :meth:`hyper_value`, change them with :func:`with_settings`
    hyper: tuple[tuple[str, float], ...] = ()
    init: str = "default"             #: a scheme in nn.init.INITS
    sigma: float | None = None        #: σ of the ``normal`` init (None: 1)
    batch: int | None = None          #: mini-batch size (None: all samples, full batch)
    weight_decay: float = 0.0         #: L2 penalty λ on the weights

    #: (height, width) of each row's pixels for ``--data --image HxW`` (None: x1,x2,y rows)
    image: tuple[int, int] | None = None

    data_kind: str | None = None      #: "binary"/"regression"/"image", known once the CSV is read

    def __post_init__(self):
        declared = hyper_settings()
        values = dict(self.hyper)
        kept = tuple(sorted((k, float(v)) for k, v in values.items() if v is not None and (
            k not in declared or float(v) != declared[k][0].default)))
        object.__setattr__(self, "hyper", kept)

    def hyper_value(self, setting: str) -> float:
        """The value of an optimizer's hyper-parameter setting (its default when unset)."""
        return dict(self.hyper).get(setting, hyper_settings()[setting][0].default)

    @property
    def preset(self) -> Preset:
        if self.data and self.image:
            return IMAGE_PRESETS["digits"]
        if self.data:
            return CSV_PRESETS[self.data_kind or "regression"]
        return TASK_PRESETS[self.task]

    @property
    def image_shape(self) -> tuple[int, int] | None:
        """(height, width) when every input row is an image (digits, ``--image``), else None."""
        if self.data is not None:
            return self.image
        return IMAGE_TASKS.get(self.task)

    @property
    def target_function(self):
        """The true function behind the data (x₁² + x₂², or the ``target`` formula, for the
        regression task), or None: a callable (M, 2) → (M, 1)."""
        if self.data is not None or self.task not in TARGET_TASKS:
            return None
        return _formula(self.target) if self.target else datasets.regression_target

    @property
    def is_gate(self) -> bool:
        return self.data is None and self.task in ("and", "xor")

    @property
    def label(self) -> str:
        """The run's name on screen: the task, or the CSV file's name made printable."""
        return printable(self.data.name) if self.data else self.task

    def resolved(self) -> "RunConfig":
        """A copy with every unset field filled from the preset."""
        p = self.preset
        return replace(
            self,
            hidden=p.hidden if self.hidden is None else self.hidden,
            activation=self.activation or p.activation,
            lr=p.lr if self.lr is None else self.lr,
            epochs=p.epochs if self.epochs is None else self.epochs,
            loss=self.loss_name(p.output),
        )

    def loss_name(self, output: str) -> str:
        """The loss registry's name for this config with an ``output`` activation."""
        if self.loss is None:
            return self.preset.loss
        if self.loss == "cross-entropy":
            return cross_entropy_for(output)
        return self.loss

    def make_optimizer(self):
        """A fresh optimizer object for this config (nn.optimizers registry)."""
        return from_word(self.optimizer, **{k: self.hyper_value(k)
                                            for k in self.optimizer_settings()})

    def optimizer_settings(self) -> tuple[str, ...]:
        """The hyper-parameter settings this config's optimizer reads: ("momentum",)."""
        return tuple(k for k, (_, words) in hyper_settings().items() if self.optimizer in words)

    def optimizer_text(self) -> str:
        """The optimizer and its settable hyper-parameters: "nesterov β 0.9", "adam"."""
        declared = hyper_settings()
        return " ".join([self.optimizer] + [f"{declared[k][0].symbol} {self.hyper_value(k):g}"
                                            for k in self.optimizer_settings()])

    def training_parts(self) -> list[str]:
        """How this run trains, where it differs from plain full-batch gradient descent on
        the task's own loss: ["adam", "batch 16", "λ 0.001", "init zeros", "bce"]."""
        parts = []
        if self.optimizer != "gd":
            parts.append(self.optimizer_text())
        if self.batch is not None:
            parts.append(f"batch {self.batch}")
        if self.weight_decay:
            parts.append(f"λ {self.weight_decay:g}")
        if self.init != "default":
            parts.append(f"init {self.init}" + (f" σ {self.sigma:g}" if self.sigma else ""))
        if self.loss is not None and self.loss != self.preset.loss:
            parts.append(self.loss)
        return parts

    def hidden_activations(self) -> tuple[str, ...]:
        """Each hidden layer's activation name, of a resolved config: ("tanh", "relu");
        ``ValueError`` (one line) when a per-layer tuple has the wrong length."""
        n = len(self.hidden or ())
        if isinstance(self.activation, str):
            return (self.activation,) * n
        names = tuple(self.activation or ())
        if len(names) != n:
            shown = ",".join(map(str, self.hidden or ())) or "0"
            raise ValueError(f"--activation {','.join(names)}: {len(names)} names for {n} "
                             f"hidden layer{'' if n == 1 else 's'} (--hidden {shown}); give "
                             "one for all, or one per hidden layer")
        return names

    def init_options(self) -> dict:
        """Keyword arguments for ``NeuralNetwork.from_sizes``'s init."""
        return {"init": self.init, "sigma": self.sigma if self.init == "normal" else None}


def with_settings(config: RunConfig, **changes) -> RunConfig:
    """``dataclasses.replace`` that also takes optimizer hyper-parameter settings by name
    (``with_settings(cfg, optimizer="nesterov", momentum=0.5)``)."""
    declared = hyper_settings()
    hyper = {k: changes.pop(k) for k in list(changes) if k in declared}
    if hyper:
        changes["hyper"] = {**dict(config.hyper), **hyper}
    return replace(config, **changes)


@lru_cache(maxsize=8)
def _formula(text: str) -> Formula:
    """The parsed formula (parsed once per text: the screen asks on every redraw)."""
    return Formula(text)


@dataclass
class Problem:
    """A network and the data it learns, plus how to score it."""

    config: RunConfig          #: resolved
    net: NeuralNetwork
    X: np.ndarray              #: (N, F) what the network trains on: features(points)
    y: np.ndarray              #: (N, K)
    kind: str                  #: "binary", "multiclass" (one-hot y) or "regression"
    X_test: np.ndarray | None = None       #: (T, F) held-out rows, None without a split
    y_test: np.ndarray | None = None       #: (T, K)
    points: np.ndarray | None = None       #: (N, 2) the raw training points (None: X is)
    points_test: np.ndarray | None = None  #: (T, 2) the raw test points
    #: raw points (M, 2) → network inputs (M, F); None when the inputs are x₁, x₂ as they are
    features: FeatureMap | None = None

    def __post_init__(self):
        if self.points is None:
            self.points = self.X
        if self.points_test is None:
            self.points_test = self.X_test

    @property
    def X2(self) -> np.ndarray:
        """The raw training points (N, 2) (another name for ``points``)."""
        return self.points

    @property
    def X2_test(self) -> np.ndarray | None:
        """The raw test points (T, 2) (another name for ``points_test``)."""
        return self.points_test

    def inputs(self, points: np.ndarray) -> np.ndarray:
        """What the network takes for raw points (M, 2): (M, F)."""
        return points if self.features is None else self.features(points)

    def _score(self, X: np.ndarray, y: np.ndarray) -> tuple[str, float]:
        if self.kind in ("binary", "multiclass"):
            return "accuracy", accuracy(self.net.predict(X), y)
        return "R²", r_squared(self.net.predict(X), y)

    def score(self) -> tuple[str, float]:
        """("accuracy", fraction) for class tasks (argmax for several classes), ("R²",
        value) for regression.  R² for the regression task is measured on a held-out
        25×25 grid of its true function."""
        truth = self.config.target_function
        if self.kind == "regression" and truth is not None:
            Xg, yg = datasets.regression_grid(25, truth)
            return "R²", r_squared(self.net.predict(self.inputs(Xg)), yg)
        return self._score(self.X, self.y)

    def test_score(self) -> tuple[str, float] | None:
        """:meth:`score`'s metric on the test rows, or None without a split."""
        return None if self.X_test is None else self._score(self.X_test, self.y_test)

    def train_loss(self) -> float:
        """The data loss on the training rows with the weights now (no weight-decay
        penalty: comparable with :meth:`test_loss`)."""
        return float(self.net.loss(self.net.predict(self.X), self.y))

    def test_loss(self) -> float | None:
        """The loss on the test rows, or None without a split."""
        if self.X_test is None:
            return None
        return float(self.net.loss(self.net.predict(self.X_test), self.y_test))


def build(config: RunConfig) -> Problem:
    """Make the data and the network.  Raises ``ValueError`` subclasses
    (``DataError``, ``ModelFileError``) with one-line messages on bad input."""
    if config.data is not None and config.image is not None:
        points, labels = load_image_csv(config.data, config.image)
        y = datasets.one_hot(labels, max(2, int(labels.max()) + 1))
        config = replace(config, data_kind="image")
    elif config.data is not None:
        points, y = datasets.load_csv(config.data)
        kind = "binary" if set(np.unique(y)) <= {0.0, 1.0} else "regression"
        config = replace(config, data_kind=kind)
    loaded = (load_model(config.load, state_dict_defaults(config)) if config.load is not None
              else None)
    if loaded is not None:
        config = _saved_inputs(config, loaded[1])
    if config.data is None:
        points, y = _task_data(config)
    points_test = y_test = None
    if config.test_fraction and config.image_shape is not None:
        train, test = stratified_split_indices(y.argmax(axis=1), config.test_fraction,
                                               config.seed)
        points, y, points_test, y_test = points[train], y[train], points[test], y[test]
    elif config.test_fraction and not config.is_gate:
        points, y, points_test, y_test = datasets.split(points, y, config.test_fraction,
                                                        config.seed)
    features = feature_map(config)
    X = points if features is None else features(points)
    X_test = None if points_test is None or features is None else features(points_test)
    if features is not None:
        _check_finite_features(config, features, points, X)
        if X_test is not None:
            _check_finite_features(config, features, points_test, X_test)
    cfg = config.resolved()
    kind = cfg.preset.kind
    if loaded is not None:
        net, meta = loaded
        cfg = _fit_loaded(config, cfg, net, meta, X, y)
        check_fits(net.sizes, len(X), advice="this model is too large to train on this data")
    else:
        # (an image file smaller than its default batch of 32 trains full batch, as
        # batch_order does with a batch ≥ the rows)
        if cfg.batch is not None and cfg.batch > len(X) and cfg.data_kind != "image":
            raise ValueError(f"--batch {cfg.batch}: the data has only {len(X)} training rows")
        try:
            net = new_network(cfg, X.shape[1], y.shape[1], len(X))
        except NetworkChoiceError as exc:
            raise ValueError(f"--loss {cfg.loss}: {exc}") from None
    return Problem(cfg, net, X, y, kind, X_test=points_test if features is None else X_test,
                   y_test=y_test, points=points, points_test=points_test, features=features)


def _check_finite_features(config: RunConfig, features: FeatureMap, points: np.ndarray,
                           X: np.ndarray) -> None:
    """ValueError naming the first point whose features are not finite (x₁² of a finite
    x₁ = 1e300 is inf: training would only say it diverged, and blame the learning rate)."""
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        source = config.data if config.data is not None else f"--task {config.task}"
        raise ValueError(f"{source}: feature {features.names[col]} is {X[row, col]} at the "
                         f"point x₁ = {points[row, 0]:g}, x₂ = {points[row, 1]:g}; use smaller "
                         "values or other --features")


def feature_map(config: RunConfig) -> FeatureMap | None:
    """The input features ``config`` asks for, or None when the inputs are x₁, x₂ as they are."""
    if config.features is None or tuple(config.features) == DEFAULT_FEATURES:
        return None
    return FeatureMap(config.features)


class NetworkChoiceError(ValueError):
    """The network refused a choice: most often a loss that needs another output layer
    (bce needs a sigmoid output)."""


def new_network(cfg: RunConfig, n_in: int, n_out: int, n_rows: int) -> NeuralNetwork:
    """A fresh network for the resolved ``cfg``: its hidden layers and activations, the
    task's output, seed, loss, optimizer, weight decay and initialisation.  ValueError
    when it would not fit in memory for ``n_rows`` samples or the counts are wrong;
    :class:`NetworkChoiceError` when the network refuses a choice (a loss that needs
    another output)."""
    sizes = [n_in, *cfg.hidden, n_out]
    check_fits(sizes, n_rows)
    activations = list(cfg.hidden_activations())
    try:
        return NeuralNetwork.from_sizes(sizes, activations, cfg.preset.output, seed=cfg.seed,
                                        loss=get_loss(cfg.loss), optimizer=cfg.make_optimizer(),
                                        weight_decay=cfg.weight_decay, **cfg.init_options())
    except ValueError as exc:
        raise NetworkChoiceError(str(exc)) from None


def _task_data(config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """A built-in task's points (N, 2) (digits: pixels (1797, 64)) and targets, with its noise and target formula; a
    formula that is NaN/±inf at a sample (or on the 25×25 grid R² is measured on) is a
    ``ValueError`` naming the point.  Options that do not apply to the task (a target
    formula for a class task, noise for a gate: the command line refuses them) are
    ignored, so the app can switch tasks keeping the rest of the configuration."""
    if config.task in IMAGE_TASKS:
        return digits()
    noise = config.noise if config.task in datasets.GENERATED else None
    if config.target is None or config.task not in TARGET_TASKS:
        return datasets.load_task(config.task, noise)
    try:
        formula = _formula(config.target)
        X, y = datasets.regression(noise=config.noise or 0.0, target=formula)
        formula.check_finite(X)
        formula.check_finite(datasets.grid(25), "grid point")
    except FormulaError as exc:
        raise ValueError(f"--target: {exc}") from None
    return X, y


def state_dict_defaults(config: RunConfig) -> dict:
    """What a ``.safetensors`` state dict saved by PyTorch does not record, from the
    command line: the hidden activation (``--activation``, never a preset's guess), the
    task's output activation, loss, optimizer, weight decay, seed (see nn.state_dict)."""
    output = config.preset.output
    return dict(hidden=config.activation, output=output, loss=config.loss_name(output),
                optimizer=config.make_optimizer(), weight_decay=config.weight_decay,
                seed=config.seed)


def _saved_inputs(config: RunConfig, meta: dict) -> RunConfig:
    """``config`` with the loaded model's input features (and target formula, unless
    ``--target`` is given): a model trained on x₁² must be fed x₁² again.  An explicit
    ``features`` that differs is an error."""
    where = config.load
    saved = meta.get("features")
    if saved is not None:
        if (not isinstance(saved, list) or not saved
                or not all(isinstance(k, str) and k in FEATURES for k in saved)):
            raise ValueError(f"{where}: bad features in the model file")
        saved = tuple(saved)
        if config.features is not None and tuple(config.features) != saved:
            raise ValueError(f"{where}: the model takes the features {','.join(saved)}, not "
                             f"--features {','.join(config.features)} (leave --features out)")
        config = replace(config, features=saved)
    target = meta.get("target")
    if target is not None and config.target is None and config.data is None \
            and config.task in TARGET_TASKS:
        if not isinstance(target, str):
            raise ValueError(f"{where}: bad target formula in the model file")
        config = replace(config, target=target)
    return config


def model_meta(cfg: RunConfig) -> dict:
    """What a model file records besides the network (``nn.save(net, path, **model_meta(cfg))``):
    the task, lr, data file, and the input features and target formula that rebuild the
    same input on ``--load``."""
    meta = dict(task=cfg.task, lr=cfg.lr, data=str(cfg.data) if cfg.data else None)
    if cfg.features is not None and tuple(cfg.features) != DEFAULT_FEATURES:
        meta["features"] = list(cfg.features)
    if cfg.target is not None:
        meta["target"] = cfg.target
    if cfg.image is not None:  # --data FILE --image HxW (recorded; --load needs --image again)
        meta["image"] = list(cfg.image)
    return meta


def _fit_loaded(config: RunConfig, cfg: RunConfig, net: NeuralNetwork, meta: dict,
                X: np.ndarray, y: np.ndarray) -> RunConfig:
    """The resolved config for a loaded model: what the file holds wins over presets; an
    explicit ``hidden``/``activation`` that differs, or a task whose output kind differs,
    is an error; an explicit ``lr`` overrides the saved one."""
    where = cfg.load
    if net.sizes[0] != X.shape[1] or net.sizes[-1] != y.shape[1]:
        raise ValueError(f"{where}: model takes {net.sizes[0]} inputs and gives "
                         f"{net.sizes[-1]} outputs; the data has {X.shape[1]} and {y.shape[1]}")
    hidden = tuple(net.sizes[1:-1])
    if config.hidden is not None and tuple(config.hidden) != hidden:
        shown = ",".join(map(str, hidden)) or "0"
        raise ValueError(f"{where}: the model has hidden layers {shown}, not --hidden "
                         f"{','.join(map(str, config.hidden)) or '0'} (leave --hidden out)")
    activation = cfg.activation
    if hidden:
        saved = tuple(net.activations[:-1])
        activation = saved[0] if len(set(saved)) == 1 else saved
        given = config.activation
        if given is not None and ((given,) * len(saved) if isinstance(given, str)
                                  else tuple(given)) != saved:
            has = (f" is {activation}" if isinstance(activation, str)
                   else f"s are {','.join(saved)}")
            shown = given if isinstance(given, str) else ",".join(given)
            raise ValueError(f"{where}: the model's hidden activation{has}, not --activation "
                             f"{shown} (leave --activation out)")
    if net.activations[-1] != cfg.preset.output:
        raise ValueError(f"{where}: the model has {_a(net.activations[-1])} output, but "
                         f"{cfg.label} is a {cfg.preset.kind} task that needs "
                         f"{_a(cfg.preset.output)} output")
    lr = config.lr if config.lr is not None else meta.get("lr") or cfg.lr
    saved = _training_of(net)
    declared = hyper_settings()
    for key, value in saved.items():
        if key in declared:
            given, default = dict(config.hyper).get(key), declared[key][0].default
        else:
            given, default = getattr(config, key), RunConfig.__dataclass_fields__[key].default
        if given is not None and given != default \
                and given != value and not (key == "loss" and cfg.loss == value):
            flag = "--" + key.replace("_", "-")
            raise ValueError(f"{where}: the model was trained with {key.replace('_', ' ')} "
                             f"{value}, not {flag} {given} (leave {flag} out)")
    return with_settings(cfg, hidden=hidden, activation=activation, lr=float(lr), **saved)


def _training_of(net: NeuralNetwork) -> dict:
    """The RunConfig fields a saved network carries: loss, optimizer (its ``--optimizer``
    word and its settable hyper-parameters, by their settings' names), weight decay."""
    opt = net.optimizer
    out = {"loss": net.loss.name, "weight_decay": float(net.weight_decay),
           "optimizer": opt.word()}
    for h in opt.hypers:
        if h.setting is not None:
            out[h.setting] = float(opt.hyper[h.name])
    return out


def saved_task(path: Path) -> str | None:
    """The task a model file was saved for (None if it has none we know); raises
    ``ModelFileError`` for a bad file."""
    if Path(path).suffix == ".safetensors":  # a PyTorch state dict records no task
        task = recorded_meta(path).get("task")
    else:
        task = load_model(path)[1].get("task")
    return task if task in TASK_PRESETS else None

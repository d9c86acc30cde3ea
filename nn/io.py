"""Save and load networks as ``.npz`` files that cannot run code on load.

The file holds ``W0, b0, W1, b1, …``, the optimizer's state vectors as
``opt_<slot>`` (momentum: ``opt_v``; Adam: ``opt_m``, ``opt_v``; each laid out
as θ) and a JSON string ``meta`` with the format version, sizes, activations,
seed, loss, optimizer (name, hyper-parameters, step count t), weight decay,
init and any extra fields the caller adds (task, lr).  Files written before
these members existed load as MSE, gradient descent, no weight decay.  Loading uses ``allow_pickle=False``; any problem becomes a
:class:`ModelFileError` whose one-line message names the file.
"""
from __future__ import annotations

import glob
import json
import os
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from .activations import ACTIVATIONS
from .init import INITS
from .layer import Layer
from .layout import ThetaLayout
from .losses import LOSSES
from .network import NeuralNetwork
from .optimizers import OPTIMIZERS
from .naming import layer_name

FORMAT = "tinynet-1"


class ModelFileError(ValueError):
    """A model file is missing, unreadable, corrupt or does not fit."""


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # another user's process (or a number no process has)
    return True


def remove_stale_parts(path: str | Path) -> list[Path]:
    """Remove the temporary files an earlier write of ``path`` left behind when its
    process was killed (SIGKILL, a power cut): ``.NAME.PID.XXXX.part`` whose process no
    longer runs.  A write in progress (its process alive) is left alone.  Returns them."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    try:
        candidates = list(folder.glob(f".{glob.escape(path.name)}.*.part"))
    except OSError:
        return removed
    for part in candidates:
        pid = part.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                part.unlink()
                removed.append(part)
            except OSError:
                pass
    return removed


def atomic_write(path: str | Path, write_fn: Callable[[BinaryIO], object]) -> Path:
    """Write a file so that ``path`` holds either its old content or the complete new one.

    ``write_fn(f)`` writes into ``f``, a binary file opened on a temporary file in the same
    folder; the data is flushed and fsynced, then ``os.replace`` puts it at ``path``.  On any
    failure (full disk, an exception in ``write_fn``, Ctrl-C) the temporary file is removed,
    the old file is untouched and the exception propagates.  The folder must exist.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_parts(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write_fn(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)   # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def npz_path(path: str | Path) -> Path:
    """``path`` with ``.npz`` appended if it has another suffix (where :func:`save` writes)."""
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def save(net: NeuralNetwork, path: str | Path, **extra) -> Path:
    """Write ``net`` to ``path`` (``.npz`` is appended if missing) atomically (see
    :func:`atomic_write`: a failure leaves an existing file as it was); returns the path."""
    path = npz_path(path)
    opt = net.optimizer
    meta = dict(format=FORMAT, sizes=net.sizes, activations=net.activations,
                seed=net.seed, dtype=str(net.dtype), loss=net.loss.name,
                optimizer=dict(name=opt.name, hyper=opt.hyper, t=opt.t),
                weight_decay=net.weight_decay, init=net.init, **extra)
    arrays = {"meta": np.array(json.dumps(meta))}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"] = layer.W
        arrays[f"b{i}"] = layer.b
    for slot, vec in opt.state.items():
        arrays[f"opt_{slot}"] = vec
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda f: np.savez(f, **arrays))
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


#: Limits on what :func:`load` accepts; far above any model this app builds (the largest
#: preset has a few hundred parameters), far below what would exhaust memory.
MAX_WIDTH = 4096                       #: neurons in one layer (the app's bound for --hidden too)
MAX_OPTIMIZER_STEPS = 2**53            #: an optimizer's step count t (exact as a float)
MAX_ARRAY_ELEMENTS = MAX_WIDTH ** 2    #: per W or b array (128 MiB as float64): a layer at the bound
MAX_TOTAL_ELEMENTS = 64 * 2**20        #: all arrays together (the app checks memory from the header)
MAX_META_CHARS = 100_000               #: the JSON metadata string
MAX_LAYERS = 1_000
MAX_SEED = 2**32 - 1                   #: the largest seed (NumPy's generators take any; the
                                       #: app's command line and session files take up to this)
FLOAT_DTYPES = ("float32", "float64")  #: accepted in either byte order; loaded native


def _read_member(zf: zipfile.ZipFile, name: str, fail, max_elements: int) -> np.ndarray:
    """One ``.npy`` member, checked from its header before any data is read:
    version 1.0/2.0, a real float (or, for ``meta``, unicode) dtype, a sane shape and size."""
    fmt = np.lib.format
    key = name[:-4]
    with zf.open(name) as f:
        try:
            version = fmt.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = fmt.read_array_header_2_0(f)
            else:
                raise fail(f"{key}: unsupported .npy version {version}")
        except ModelFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parse failure of a hostile header
            raise fail(f"{key}: corrupt array header ({type(exc).__name__})") from None
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise fail(f"{key}: bad shape {shape!r}")
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
            raise fail(f"{key}: dtype {dtype} is not allowed")
        if key == "meta":
            if dtype.kind != "U" or shape != () or dtype.itemsize // 4 > MAX_META_CHARS:
                raise fail(f"meta: expected a JSON string of at most {MAX_META_CHARS} "
                           f"characters, found {dtype} {shape}")
        elif dtype.kind != "f" or dtype.newbyteorder("=").name not in FLOAT_DTYPES:
            raise fail(f"{key}: dtype {dtype} is not allowed (expected float32 or float64)")
        count = int(np.prod(shape, dtype=object))
        if count > max_elements:
            raise fail(f"{key}: {count:,} values is more than the limit of {max_elements:,}")
        nbytes = count * dtype.itemsize
        data = f.read(nbytes)
        if len(data) != nbytes:
            raise fail(f"{key}: truncated array data")
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return array.astype(dtype.newbyteorder("="))  # a native, writable copy


def _read_members(path: Path, fail, on_meta=None) -> dict[str, np.ndarray]:
    """Every member of the ``.npz`` zip, by name without ``.npy``; unknown names refused.
    The metadata is read first, and ``on_meta(meta_array)`` runs before any parameter
    array is read (so a budget is checked from the header, before the work)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail("is a directory, not a model file")
    if not stat.S_ISREG(st.st_mode):
        raise fail("is not a regular file")
    files: dict[str, np.ndarray] = {}
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if len(names) != len(set(names)) or len(names) > 2 * MAX_LAYERS + 1:
                raise fail("not a model file (duplicate or too many members)")
            for name in sorted(names, key=lambda n: n != "meta.npy"):
                key = name[:-4] if name.endswith(".npy") else name
                if not (key == "meta" or (key[:1] in "Wb" and key[1:].isdigit()
                                          and key[1:] == str(int(key[1:])))
                        or (key.startswith("opt_") and key[4:].isalpha()
                            and len(key) <= 20)):
                    raise fail(f"unexpected member {name!r} (not saved by tinynet-tui?)")
                files[key] = _read_member(zf, name, fail,
                                          min(MAX_ARRAY_ELEMENTS, MAX_TOTAL_ELEMENTS - total))
                total += files[key].size
                if key == "meta" and on_meta is not None:
                    on_meta(files[key])
    except ModelFileError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, NotImplementedError,
            RuntimeError, zlib.error) as exc:
        raise fail(f"not a readable model file ({type(exc).__name__})") from None
    return files


def _real(value) -> bool:
    """Whether ``value`` is a JSON number (not a bool) that a float holds: an int past a
    float's range (``10**400``) is not one (``float()`` would raise OverflowError)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _check_meta(meta, fail) -> tuple[list[int], list[str]]:
    """``sizes`` (positive ints, at least 2) and ``activations`` (known names, one per layer)."""
    if not isinstance(meta, dict):
        raise fail("missing or corrupt metadata (not saved by tinynet-tui?)")
    if meta.get("format") != FORMAT:
        raise fail(f"unsupported format {meta.get('format')!r} (expected {FORMAT})")
    sizes, acts = meta.get("sizes"), meta.get("activations")
    if (not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_LAYERS + 1
            or not all(type(n) is int and 1 <= n <= MAX_WIDTH for n in sizes)):
        raise fail(f"bad sizes {str(sizes)[:60]} (need at least 2 whole numbers from 1 to "
                   f"{MAX_WIDTH}, the neurons of each layer)")
    if (not isinstance(acts, list) or len(acts) != len(sizes) - 1
            or not all(isinstance(a, str) and a in ACTIVATIONS for a in acts)):
        raise fail(f"bad activations {str(acts)[:60]} for sizes {sizes}")
    hidden_softmax = [i + 1 for i, a in enumerate(acts[:-1]) if not ACTIVATIONS[a].elementwise]
    if hidden_softmax:
        raise fail(f"hidden layer {hidden_softmax[0]} has a {acts[hidden_softmax[0] - 1]} "
                   "activation: it mixes a whole row, so only the output layer may have it")
    seed = meta.get("seed")
    if seed is not None and (type(seed) is not int or not 0 <= seed <= MAX_SEED):
        raise fail(f"bad seed {str(seed)[:30]} (a whole number from 0 to {MAX_SEED})")
    lr = meta.get("lr")
    if lr is not None and (not _real(lr) or not 0 < lr < float("inf")):
        raise fail(f"bad learning rate {str(lr)[:30]}")
    task = meta.get("task")
    if task is not None and not isinstance(task, str):
        raise fail(f"bad task {str(task)[:30]}")
    loss = meta.get("loss", "mse")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise fail(f"bad loss {str(loss)[:30]} (known: {', '.join(LOSSES)})")
    decay = meta.get("weight_decay", 0.0)
    if not _real(decay) or not 0 <= decay < float("inf"):
        raise fail(f"bad weight decay {str(decay)[:30]}")
    init = meta.get("init", "default")
    if not isinstance(init, str) or init not in (*INITS, "loaded"):  # loaded: a state dict's
        raise fail(f"bad init {str(init)[:30]} (known: {', '.join(INITS)})")
    return sizes, acts


def _optimizer(meta, files, n_params, dtype, fail):
    """The optimizer recorded in ``meta`` (default gradient descent) with its state
    vectors from ``files``, each checked: shape (n_params,), dtype, finite."""
    spec = meta.get("optimizer", {"name": "gd"})
    if (not isinstance(spec, dict) or not isinstance(spec.get("name"), str)
            or spec["name"] not in OPTIMIZERS
            or not isinstance(spec.get("hyper", {}), dict)
            or type(spec.get("t", 0)) is not int
            or not 0 <= spec.get("t", 0) <= MAX_OPTIMIZER_STEPS):
        raise fail(f"bad optimizer {str(spec)[:60]} (known: {', '.join(OPTIMIZERS)})")
    cls = OPTIMIZERS[spec["name"]]
    hyper = spec.get("hyper", {})
    allowed = cls().hyper
    for k, v in hyper.items():
        if k not in allowed or type(v) is not type(allowed[k]) and not (
                isinstance(allowed[k], float) and type(v) is int) or (
                isinstance(allowed[k], float) and not _real(v)):
            raise fail(f"bad optimizer setting {str(k)[:20]}={str(v)[:20]} for {cls.name}")
    try:
        opt = cls(**hyper)
    except ValueError as exc:
        raise fail(f"bad optimizer settings: {exc}") from None
    opt.bind(n_params, dtype)
    expected = {f"opt_{slot}" for slot in cls.slots}
    present = {k for k in files if k.startswith("opt_")}
    if present - expected:
        raise fail(f"unexpected arrays {', '.join(sorted(present - expected))} "
                   f"for optimizer {cls.name}")
    for slot in cls.slots:
        vec = files.get(f"opt_{slot}")
        if vec is None:
            if spec.get("t", 0):
                raise fail(f"optimizer {cls.name}: state {slot} is missing")
            continue
        if vec.shape != (n_params,) or vec.dtype != dtype:
            raise fail(f"optimizer state {slot} has shape {vec.shape} and dtype {vec.dtype}, "
                       f"expected ({n_params},) {dtype}")
        if not np.isfinite(vec).all():
            raise fail(f"optimizer state {slot} holds NaN or inf")
        opt.state[slot][...] = vec
    opt.t = spec.get("t", 0)
    return opt


def load(path: str | Path, budget=None) -> tuple[NeuralNetwork, dict]:
    """Read a network saved by :func:`save`; returns ``(net, meta)``.

    Every member's ``.npy`` header is checked before its data is read (see the ``MAX_*``
    limits); only float32/float64 arrays are accepted.  ``budget(sizes)`` (layer widths,
    inputs first) may refuse the network with a ``ValueError`` once the metadata is read,
    before any parameter is.  Any problem raises :class:`ModelFileError` with one line
    naming the file."""

    path = Path(path)

    def fail(why: str) -> ModelFileError:
        return ModelFileError(f"{path}: {why}")

    def read_meta(array: np.ndarray) -> tuple[dict, list[int], list[str]]:
        try:
            meta = json.loads(str(array[()]))
        except (ValueError, RecursionError):
            raise fail("missing or corrupt metadata (not saved by tinynet-tui?)") from None
        return (meta, *_check_meta(meta, fail))

    def check_budget(array: np.ndarray) -> None:
        sizes = read_meta(array)[1]
        if budget is not None:
            try:
                budget(sizes)
            except ValueError as exc:
                raise fail(str(exc)) from None

    files = _read_members(path, fail, on_meta=check_budget)
    if "meta" not in files:
        raise fail("missing or corrupt metadata (not saved by tinynet-tui?)")
    meta, sizes, acts = read_meta(files["meta"])
    n_layers = len(sizes) - 1
    extra = set(files) - {"meta"} - {f"{p}{i}" for i in range(n_layers) for p in "Wb"}
    extra = {k for k in extra if not k.startswith("opt_")}
    if extra:
        raise fail(f"unexpected arrays {', '.join(sorted(extra))} for sizes {sizes}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        name = layer_name(i, n_layers)
        W, b = files.get(f"W{i}"), files.get(f"b{i}")
        if W is None or b is None:
            raise fail(f"{name}: parameters are missing")
        if W.shape != (n_in, n_out) or b.shape != (n_out,):
            raise fail(f"{name} has shape {W.shape}/{b.shape}, expected ({n_in}, {n_out})")
        if W.dtype != b.dtype or W.dtype != files["W0"].dtype:
            raise fail(f"all layers must have the same dtype ({name} has {W.dtype}/{b.dtype}, "
                       f"{layer_name(0, n_layers)} {files['W0'].dtype})")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise fail(f"{name} holds NaN or inf")
        layers.append(Layer(W, b, acts[i]))
    n_params = ThetaLayout(tuple(layer.W.shape for layer in layers)).size
    optimizer = _optimizer(meta, files, n_params, layers[0].dtype, fail)
    try:
        return NeuralNetwork(layers, seed=meta.get("seed"), loss=meta.get("loss", "mse"),
                             optimizer=optimizer, weight_decay=meta.get("weight_decay", 0.0),
                             init=meta.get("init", "default")), meta
    except ValueError as exc:
        raise fail(str(exc)) from None

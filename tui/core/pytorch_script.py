"""The text of the PyTorch script :mod:`tui.core.pytorch_export` writes.

:func:`script` turns a :class:`~tui.core.pytorch_export.Plan` into one readable Python file
that imports only ``torch`` (and NumPy for the mini-batch order): the network as an
``nn.Sequential``, the initial weights as its state dict, the data, the loss, the optimizer,
the training loop and the comparison with the engine's recorded losses, commented where
the mapping is not obvious (weight layout, fused losses, weight decay on weights only).
The numbers come last, after the code.  Pure: no textual or rich.
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from nn import NeuralNetwork
from nn.state_dict import optimizer_state, state_dict

if TYPE_CHECKING:
    from .pytorch_export import Plan

#: the largest relative difference of the losses the script accepts (float64)
LIMIT = 1e-9


def _num(v) -> str:
    """A float as Python reads it back exactly."""
    return repr(float(v))


def _matrix(a: np.ndarray, indent: str = "    ") -> str:
    """A 2-D array as a list of rows, one row a line."""
    rows = ",\n".join(f"{indent}  [{', '.join(map(_num, row))}]" for row in a)
    return f"[\n{rows},\n{indent}]"


def _vector(a: np.ndarray) -> str:
    return f"[{', '.join(map(_num, a))}]"


# ----------------------------------------------------------------- the pieces
_MODULES = {"sigmoid": "torch.nn.Sigmoid()", "tanh": "torch.nn.Tanh()",
            "relu": "torch.nn.ReLU()", "identity": "torch.nn.Identity()",
            "softmax": "torch.nn.Softmax(dim=1)"}

_LOSSES = {
    "mse": ("torch.nn.MSELoss()",
            "mean over all N·K entries of (ŷ − y)², as this engine"),
    "bce": ("torch.nn.BCEWithLogitsLoss()",
            "binary cross-entropy, mean over N·K, taking the logits z: the sigmoid output\n"
            "# layer is inside it (the model ends at z), as this engine's fused BCE computes\n"
            "# it from z (stable when σ(z) saturates).  A prediction is model(x).sigmoid()"),
    "softmax-ce": ("torch.nn.CrossEntropyLoss()",
                   "softmax + cross-entropy fused, mean over the N samples: it takes the\n"
                   "# logits z (the model ends at z; the softmax is inside the loss) and the\n"
                   "# one-hot rows of Y as class probabilities.  A prediction is\n"
                   "# model(x).softmax(dim=1)"),
}


def _model_lines(net: NeuralNetwork) -> list[str]:
    """``torch.nn.Sequential(...)``'s arguments: Linear, activation, Linear, … at positions
    0, 1, 2, … so that layer ℓ's parameters are ``{2ℓ}.weight``/``{2ℓ}.bias``."""
    lines = []
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        lines.append(f"torch.nn.Linear({layer.n_in}, {layer.n_out}),"
                     f"  # {2 * i}: {layer.n_in} inputs → {layer.n_out} neurons")
        act = layer.activation.name
        if i < last:
            lines.append(f"{_MODULES[act]},")
        elif net.loss.fused:
            lines.append(f"# ({act} output: inside the loss below, which takes the logits z)")
        elif act == "identity":
            lines.append("# (identity output: ŷ = z)")
        else:
            lines.append(f"{_MODULES[act]},  # the output layer's activation")
    return lines


def check_exportable(net: NeuralNetwork) -> None:
    """ValueError (one line) when the network's optimizer declares no torch.optim equivalent."""
    if net.optimizer.torch_call is None:
        raise ValueError(f"the PyTorch export has no torch.optim equivalent of the optimizer "
                         f"{net.optimizer.word()}: choose another optimizer to export")


def _optimizer_call(net: NeuralNetwork, params: str) -> tuple[str, str]:
    """(the torch.optim call, a comment saying what it computes), as the optimizer class
    declares them (``torch_call``, ``torch_note``)."""
    check_exportable(net)
    opt = net.optimizer
    numbers = {h.name: _num(opt.hyper[h.name]) for h in opt.hypers}
    return opt.torch_call.format(params=params, **numbers), opt.torch_note


def _header(plan: "Plan", sidecar: str | None) -> str:
    run = plan.run
    net = run.net
    opt = net.optimizer.describe()
    label = ascii(run.label)[1:-1].replace('"""', "'''")
    batch = "full batch" if run.batch is None else f"mini-batches of {run.batch}"
    where = (f"in {sidecar} beside this file" if not plan.embed
             else "written below, after the code")
    needs = "torch" if run.batch is None else "torch and NumPy"
    chaos = "" if not plan.chaos else "\n" + textwrap.fill(
        f"This run is chaotic: {plan.chaos}.  Rounding differences of 1e-16 grow like "
        "that too, so no float64 reimplementation can follow it freely: each compared "
        "epoch starts from the engine's own weights and optimizer state at that epoch's "
        f"start (kept in {sidecar}), and its difference shows that one epoch's arithmetic "
        "(set RESTART = False to see the free run drift apart).", 88) + "\n"
    return f'''"""{label}: a {net.describe()} network of tinynet-tui, trained again in PyTorch.

Loss {net.loss.name}, {opt}, lr {run.lr:g}, {batch}, weight decay {net.weight_decay:g},
seed {net.seed}, {plan.epochs} epochs, float64.  The data and initial weights are {where}.

Run it with `python {{this file}}` (needs {needs}).  It trains the same network
on the same data in the same order and prints, every few epochs:

    epoch                 the epoch (0-based) whose loss is shown
    PyTorch loss          the loss this script measured in that epoch
    tinynet-tui loss      the loss the NumPy engine recorded in the same epoch
    relative difference   |PyTorch − tinynet-tui| / |tinynet-tui|

An epoch's loss is the loss before each update (with mini-batches: the batch losses
averaged, weighted by their sizes), plus the weight-decay penalty λ/2·Σw².  Both
compute in float64, so they agree to rounding (about 1e-15, growing slowly with the
steps); the script exits with status 1 if the largest difference exceeds {LIMIT:g}.
{chaos}"""'''


def script(plan: "Plan", sidecar: str | None = None) -> str:
    """The script's text.  ``sidecar``: the name of the ``.safetensors`` file beside the
    script holding what is not written into it (the data and initial weights unless
    ``plan.embed``; the engine's states at the compared epochs of a chaotic run)."""
    run, epochs, compare = plan.run, plan.epochs, plan.compare
    net = run.net
    decay = net.weight_decay
    params = "groups" if decay else "model.parameters()"
    opt_call, opt_note = _optimizer_call(net, params)
    state = optimizer_state(net)
    L = []
    add = L.append
    add(_header(plan, sidecar))
    add("import sys")
    if sidecar:
        add("import json\nimport struct\nfrom pathlib import Path")
    add("")
    if run.batch is not None:
        add("import numpy  # only for the mini-batch order (NumPy's generator draws it)")
    add("import torch\n")
    add("torch.set_default_dtype(torch.float64)  # float64, as the engine")
    add("torch.set_num_threads(1)  # matrices this small: more threads only wait on each other\n")
    add(f"LR = {_num(run.lr)}")
    add(f"EPOCHS = {epochs}")
    if run.batch is not None:
        add(f"BATCH = {run.batch}  # samples per mini-batch")
        add(f"SEED = {0 if net.seed is None else net.seed}  # seeds the mini-batch order")
    if decay:
        add(f"WEIGHT_DECAY = {_num(decay)}  # λ")
    add(f"LIMIT = {LIMIT!r}  # the largest relative difference accepted")
    if plan.chaos:
        add("RESTART = True  # restart each compared epoch from the engine's state: see above")
    add("\n")

    add("def make_model():")
    add('    """The network: Linear layers and their activations, in order."""')
    add("    return torch.nn.Sequential(")
    add("\n".join(f"        {line}" for line in _model_lines(net)))
    add("    )\n\n")

    if sidecar:
        add(_SIDECAR_READER)
    add("def load_initial_weights(model, initial):")
    add('''    """The engine's initial weights.  The engine stores a layer's W as (n_in, n_out) and
    computes z = a·W + b; torch.nn.Linear stores weight as (out, in) and computes
    z = a·weightᵀ + b.  So weight = Wᵀ: row j of "0.weight" holds the weights into
    neuron j of the first layer (``initial`` is already transposed)."""''')
    add("    model.load_state_dict({name: torch.as_tensor(value) for name, value in "
        "initial.items()})\n\n")

    add("def make_optimizer(model):")
    if decay:
        add('''    """Weight decay: the engine adds λ·w to each weight's gradient (the gradient of the
    penalty λ/2·Σw²) and never decays the biases.  torch's weight_decay=λ adds λ·p to
    the gradient of every parameter it is given, biases too (for Adam as well: L2
    added to the gradient, not AdamW's decoupled decay), so only the weights get it."""
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    groups = [{"params": weights, "weight_decay": WEIGHT_DECAY},
              {"params": biases, "weight_decay": 0.0}]''')
    else:
        add('    """The optimizer, with the engine\'s hyper-parameters."""')
    add(f"    optimizer = {opt_call}")
    add(f"    # {opt_note}")
    if state is not None:
        add(f'''    # The run continues a loaded model: the optimizer's running state after
    # {net.optimizer.t} steps, in torch's names (the engine keeps it as flat vectors).
    for name, p in model.named_parameters():
        optimizer.state[p] = {{key: torch.tensor(value) for key, value in STATE[name].items()}}''')
        if net.optimizer.torch_step:  # Adam, RMSprop count their steps
            add(f"        optimizer.state[p][\"step\"] = torch.tensor({float(net.optimizer.t)!r})")
    add("    return optimizer\n\n")

    if plan.chaos:
        add('''def restart_from_engine(model, optimizer, saved, epoch):
    """Set the parameters and the optimizer's running state to the engine's at the start
    of ``epoch`` (saved in the .safetensors file beside this one as "<epoch>/<name>" and
    "<epoch>/<name>/<state>", in torch's names and layout)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(saved[f"{epoch}/{name}"])
            prefix = f"{epoch}/{name}/"
            state = {key[len(prefix):]: value.clone() for key, value in saved.items()
                     if key.startswith(prefix)}
            optimizer.state[p] = state
''' + ("" if not net.optimizer.torch_step else '''            # {title} counts its steps in its state
            state["step"] = torch.tensor(float(STEPS[epoch]))
'''.format(title=net.optimizer.title)) + "\n")
    if decay:
        add('''def penalty(model):
    """λ/2·Σw² over the weights (not the biases): part of the loss the engine records.
    torch's weight_decay adds its gradient λ·w, not the term itself."""
    with torch.no_grad():
        return 0.5 * WEIGHT_DECAY * sum(float((p * p).sum())
                                        for name, p in model.named_parameters()
                                        if name.endswith("weight"))

''')
    plus = " + penalty(model)" if decay else ""
    if run.batch is None:
        add(f'''def train_epoch(model, loss_fn, optimizer, X, Y, epoch):
    """One full-batch step; returns the loss before the update, as the engine records it."""
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    recorded = loss.item(){plus}
    loss.backward()
    optimizer.step()
    return recorded

''')
    else:
        add(f'''def batches(n, epoch):
    """The samples of each mini-batch of ``epoch``, in the engine's order: a permutation
    of 0…n−1 that NumPy draws from the seed (SEED, epoch), cut into batches of BATCH (the
    last one smaller when BATCH does not divide n).  torch.randperm would draw another."""
    order = numpy.random.default_rng([SEED, epoch]).permutation(n)
    return [torch.from_numpy(order[i:i + BATCH]) for i in range(0, n, BATCH)]


def train_epoch(model, loss_fn, optimizer, X, Y, epoch):
    """One step per mini-batch; returns the epoch's loss as the engine records it: each
    batch's loss before its update, averaged with the batch sizes as weights."""
    total = 0.0
    for idx in batches(len(X), epoch):
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), Y[idx])
        total += (loss.item(){plus}) * len(idx)
        loss.backward()
        optimizer.step()
    return total / len(X)

''')
    loss_call, loss_note = _LOSSES[net.loss.name]
    loss_note = loss_note.replace("\n# ", "\n    # ")
    data = []
    if sidecar:
        data.append("    saved = read_safetensors(Path(__file__).with_name(SIDECAR))")
    if plan.embed:
        data.append("    X, Y = torch.tensor(X_DATA), torch.tensor(Y_DATA)")
        data.append("    initial = INITIAL")
    else:
        data.append('    X, Y = saved["X"], saved["Y"]')
        data.append('    initial = {name: saved[name] for name in model.state_dict()}')
    restart = ("        if RESTART and epoch in ENGINE_LOSS and epoch > 0:\n"
               "            restart_from_engine(model, optimizer, saved, epoch)\n"
               if plan.chaos else "")
    note = ('    if RESTART:\n'
            '        print("This run is chaotic: " + CHAOS + ".")\n'
            '        print("So each compared epoch starts from the engine\'s weights and "\n'
            '              "optimizer state at its start (RESTART = False: a free run).")\n'
            if plan.chaos else "")
    add(f'''def main():
    model = make_model()
{chr(10).join(data)}
    load_initial_weights(model, initial)
    # {loss_note}
    loss_fn = {loss_call}
    optimizer = make_optimizer(model)
{note}    worst = 0.0
    print(f"{{'epoch':>7}}  {{'PyTorch loss':>22}}  {{'tinynet-tui loss':>22}}  relative difference")
    for epoch in range(EPOCHS):
{restart}        loss = train_epoch(model, loss_fn, optimizer, X, Y, epoch)
        if epoch in ENGINE_LOSS:
            engine = ENGINE_LOSS[epoch]
            difference = abs(loss - engine) / max(abs(engine), 1e-300)
            if not difference <= worst:  # NaN counts as the worst
                worst = difference
            print(f"{{epoch:>7}}  {{loss:>22.15g}}  {{engine:>22.15g}}  {{difference:.2e}}")
    print(f"largest relative difference: {{worst:.2e}} (limit {{LIMIT:g}})")
    if not worst <= LIMIT:
        print("PyTorch does NOT reproduce this run")
        return 1
    print("PyTorch reproduces this run")
    return 0

''')
    add("# ---- the numbers: the engine's recorded loss at the compared epochs"
        + ("" if not plan.embed else ", the data (X: the network's\n# inputs, one row a "
           "sample; Y: the targets) and the initial weights (torch's state dict)"))
    add("ENGINE_LOSS = {\n" + "".join(f"    {e}: {_num(v)},\n" for e, v in compare.items())
        + "}")
    if plan.chaos:
        add(f"CHAOS = {plan.chaos!r}")
        add("STEPS = {" + ", ".join(f"{e}: {t}" for e, (_, _, t) in
                                     sorted(plan.restarts.items())) + "}  # the optimizer's step count")
    if sidecar:
        add(f"SIDECAR = {sidecar!r}  # beside this file")
    if plan.embed:
        add(f"X_DATA = {_matrix(run.X, '')}")
        add(f"Y_DATA = {_matrix(run.y, '')}")
        add("INITIAL = {")
        for name, value in state_dict(net).items():
            text = _matrix(value, "    ") if value.ndim == 2 else _vector(value)
            add(f'    "{name}": {text},')
        add("}")
    if state is not None:
        add("STATE = {")
        for name, slots in state.items():
            add(f'    "{name}": {{')
            for key, value in slots.items():
                text = _matrix(value, "        ") if value.ndim == 2 else _vector(value)
                add(f'        "{key}": {text},')
            add("    },")
        add("}")
    add('\nif __name__ == "__main__":\n    sys.exit(main())')
    return "\n".join(L) + "\n"


_SIDECAR_READER = '''def read_safetensors(path):
    """The tensors of a .safetensors file: an 8-byte little-endian header length N, a
    JSON header {name: {dtype, shape, data_offsets}}, then the raw float64 values."""
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        begin, end = (8 + n + offset for offset in entry["data_offsets"])
        values = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float64)
        tensors[name] = values.reshape(entry["shape"])
    return tensors

'''

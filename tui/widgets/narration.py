"""Chain-rule narration: the equation of the step just taken, with the
engine's numbers in it (for one sample and one neuron)."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nn import Phase, StepEvent

from ..format import input_name, neuron_name, num, paren, sub

MAX_TERMS = 3


def _col(event: StepEvent, neuron: int) -> int:
    start, stop = event.neurons
    return neuron - start if start <= neuron < stop else 0


def narrate(event: StepEvent | None, neuron: int, sample: int, n_layers: int,
            activation_symbol: str, n_samples: int) -> Text:
    """A Text explaining ``event`` for ``neuron`` (when the event computed it) and ``sample``."""
    t = Text()
    if event is None:
        t.append("Press ", style="dim")
        t.append("n", style="bold")
        t.append(" to take a step. Each step's equation appears here, with its real numbers.",
                 style="dim")
        return t
    if event.problem:
        t.append("⚠ " + event.problem + "\n", style="bold red")
        t.append("Training paused. Press r to reset, or l for a smaller learning rate.")
        return t
    v = event.values
    i = sample
    if event.phase is Phase.LOSS:
        y_hat, y, k = v["y_hat"], v["y"], y_hat_cols(v)
        t.append(f"Loss · MSE over {n_samples} samples", style="bold")
        t.append(f" · sample {i}\n", style="dim")
        t.append(f"L = 1/{y.size} · Σ (ŷ − y)² = ")
        t.append(num(v["loss"]), style="bold")
        t.append(f"\nŷ = {num(y_hat[i, 0])}, y = {num(y[i, 0])}\n")
        t.append(f"∂L/∂ŷ = 2/{y.size} · (ŷ − y) = {num(v['scale'])} · ({num(y_hat[i, 0])} − "
                 f"{paren(y[i, 0])}) = ")
        t.append(num(v["dL_dyhat"][i, 0]), style="bold")
        if k > 1:
            t.append(f"   (output 0 of {k})", style="dim")
        return t

    c = _col(event, neuron)
    j = event.neurons[0] + c
    layer = event.layer
    name = neuron_name(layer, j, n_layers)
    f = activation_symbol
    kind = "output" if layer == n_layers - 1 else "hidden"
    t.append(f"{event.phase.value.capitalize()} · {name} ({kind} layer {layer}, neuron {j})",
             style="bold")
    t.append(f" · sample {i}\n", style="dim")
    if event.phase is Phase.FORWARD:
        x, w = v["x"][i], v["w"][:, c]
        terms = [f"{paren(w[k])}·{paren(x[k])}" for k in range(min(len(w), MAX_TERMS))]
        more = f" + … {len(w) - MAX_TERMS} more" if len(w) > MAX_TERMS else ""
        names = " + ".join(f"w{sub(k + 1)}{input_name(layer, k, n_layers)}"
                           for k in range(min(len(w), MAX_TERMS)))
        t.append(f"z = {names}{' + …' if more else ''} + b\n")
        t.append(f"  = {' + '.join(terms)}{more} + {paren(v['b'][c])}\n")
        t.append("  = ")
        t.append(num(v["z"][i, c]), style="bold")
        t.append(f"\na = {f}(z) = {f}({num(v['z'][i, c])}) = ")
        t.append(num(v["a"][i, c]), style="bold")
    elif event.phase is Phase.BACKWARD:
        if "next_delta" in v:
            nd, nw = v["next_delta"][i], v["next_w"][c]
            terms = [f"{paren(nd[k])}·{paren(nw[k])}" for k in range(min(len(nw), MAX_TERMS))]
            more = f" + … {len(nw) - MAX_TERMS} more" if len(nw) > MAX_TERMS else ""
            t.append(f"∂L/∂a = Σₖ δₖ·wₖ (from layer {layer + 1}) = {' + '.join(terms)}{more} = ")
        else:
            t.append("∂L/∂a = ∂L/∂ŷ = ")
        t.append(num(v["dA"][i, c]), style="bold")
        t.append(f"\nδ = ∂L/∂z = ∂L/∂a · {f}'(z) = {paren(v['dA'][i, c])} · "
                 f"{paren(v['fprime'][i, c])} = ")
        t.append(num(v["delta"][i, c]), style="bold")
        x = v["x"][i]
        for k in range(min(len(x), MAX_TERMS)):
            src = input_name(layer, k, n_layers)
            t.append(f"\ndw{sub(k + 1)} = Σₙ δ·{src}: ")
            if "dw_terms" in v:
                t.append(f"this sample {paren(v['delta'][i, c])}·{paren(x[k])} = "
                         f"{num(v['dw_terms'][i, k])}; ", style="dim")
            t.append(f"all {n_samples} → ")
            t.append(num(v["dw"][k, c]), style="bold")
        if len(x) > MAX_TERMS:
            t.append(f"\n… and {len(x) - MAX_TERMS} more weights (see the inspector)", style="dim")
        t.append("\ndb = Σₙ δ = ")
        t.append(num(v["db"][c]), style="bold")
    else:  # UPDATE
        lr = v["lr"]
        wb, wa, dw = v["w_before"][:, c], v["w_after"][:, c], v["dw"][:, c]
        t.append(f"gradient descent, lr = {num(lr)}\n")
        for k in range(min(len(wb), MAX_TERMS)):
            t.append(f"w{sub(k + 1)} ← w{sub(k + 1)} − lr·dw{sub(k + 1)} = {num(wb[k])} − "
                     f"{num(lr)}·{paren(dw[k])} = ")
            t.append(num(wa[k]), style="bold")
            t.append("\n")
        if len(wb) > MAX_TERMS:
            t.append(f"… and {len(wb) - MAX_TERMS} more weights\n", style="dim")
        t.append(f"b ← b − lr·db = {num(v['b_before'][c])} − {num(lr)}·{paren(v['db'][c])} = ")
        t.append(num(v["b_after"][c]), style="bold")
    return t


def y_hat_cols(values) -> int:
    return values["y_hat"].shape[1]


class Narration(Static):
    """Shows :func:`narrate` for the session's last step."""

    _shown: Text | None = None

    def show(self, text: Text) -> None:
        if self._shown is not None and text == self._shown:
            return  # unchanged (e.g. while playing): no repaint
        self._shown = text
        self.update(text, layout=False)

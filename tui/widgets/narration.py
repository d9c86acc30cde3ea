"""Chain-rule narration: the equation of the step just taken, with the engine's
numbers in it (for the selected neuron, and the selected sample where the step
depends on one).  Sums over samples are written out term by term when they are
short, so a learner sees how the per-sample terms add up to dw and db."""
from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from nn import Phase
from nn.naming import input_name, layer_name, neuron_name, sample_name, sub

from ..format import num, paren
from ..views import NarrationView

MAX_TERMS = 3        #: terms of z = Σ w·x (and of Σₖ δₖ·wₖ) written out
MAX_SAMPLE_TERMS = 4  #: sums over samples are written out in full up to this many samples

HALTED_HELP = ("Training is stopped. Press r to reset to the initial weights, b to step back in "
               "time to before the blow-up, or l to choose a smaller learning rate and then r.")


def _sum_over_samples(factors: list[tuple[float, float]]) -> str:
    """``(δ₁)·(x₁) + (δ₂)·(x₂) … = total`` for few samples."""
    terms = " + ".join(f"{paren(a)}·{paren(b)}" for a, b in factors)
    return f"{terms} = "


def narrate(view: NarrationView) -> Text:
    """The narration of ``view.event`` for ``view.neuron`` and ``view.sample``."""
    t = Text()
    if view.halted:
        t.append("⚠ " + view.halted + "\n", style="bold red")
        t.append(HALTED_HELP)
        return t
    event = view.event
    if event is None:
        t.append("Press ", style="dim")
        t.append("n", style="bold")
        t.append(" to take a step. Each step's equation appears here, with its real numbers.",
                 style="dim")
        return t
    v = event.values
    i = view.sample
    n = view.n_samples
    sizes = view.sizes
    n_layers = len(sizes) - 1
    if event.phase is Phase.LOSS:
        y_hat, y = v["y_hat"], v["y"]
        t.append(f"Loss · mean squared error over {n} samples\n", style="bold")
        t.append(f"L = 1/{y.size} · Σₙ (ŷₙ − yₙ)² = ")
        t.append(num(v["loss"]), style="bold")
        t.append(f"\n{sample_name(i)}: ŷ = {num(y_hat[i, 0])}, y = {num(y[i, 0])}\n")
        t.append(f"∂L/∂ŷ = 2/{y.size} · (ŷ − y) = {num(v['scale'])} · ({num(y_hat[i, 0])} − "
                 f"{paren(y[i, 0])}) = ")
        t.append(num(v["dL_dyhat"][i, 0]), style="bold")
        if y_hat.shape[1] > 1:
            t.append(f"   (output 1 of {y_hat.shape[1]})", style="dim")
        return t

    start = event.neurons[0]
    c = view.neuron - start
    layer = event.layer
    name = neuron_name(layer, view.neuron, sizes)
    f = view.activation_symbol
    t.append(f"{event.phase.value.capitalize()} · {name} ({layer_name(layer, n_layers)}, "
             f"neuron {view.neuron + 1})", style="bold")
    if event.phase is Phase.FORWARD:
        t.append(f" · {sample_name(i)}\n", style="dim")
        x, w = v["x"][i], v["w"][:, c]
        shown = min(len(w), MAX_TERMS)
        terms = [f"{paren(w[k])}·{paren(x[k])}" for k in range(shown)]
        more = f" + … {len(w) - MAX_TERMS} more" if len(w) > MAX_TERMS else ""
        names = " + ".join(f"w{sub(k + 1)}{input_name(layer, k, sizes)}" for k in range(shown))
        t.append(f"z = {names}{' + …' if more else ''} + b\n")
        t.append(f"  = {' + '.join(terms)}{more} + {paren(v['b'][c])}\n")
        t.append("  = ")
        t.append(num(v["z"][i, c]), style="bold")
        t.append(f"\na = {f}(z) = {f}({num(v['z'][i, c])}) = ")
        t.append(num(v["a"][i, c]), style="bold")
    elif event.phase is Phase.BACKWARD:
        _backward(t, view, v, c, f)
    else:  # UPDATE: the same for every sample
        t.append("\n")
        lr = v["lr"]
        wb, wa, dw = v["w_before"][:, c], v["w_after"][:, c], v["dw"][:, c]
        t.append(f"gradient descent, lr = {num(lr)}\n")
        for k in range(min(len(wb), MAX_TERMS)):
            t.append(f"w{sub(k + 1)} ← w{sub(k + 1)} − lr·dw{sub(k + 1)} = {num(wb[k])} − "
                     f"{num(lr)}·{paren(dw[k])} = ")
            t.append(num(wa[k]), style="bold")
            t.append("\n")
        if len(wb) > MAX_TERMS:
            t.append(f"… and {len(wb) - MAX_TERMS} more weights (see the neuron panel)\n",
                     style="dim")
        t.append(f"b ← b − lr·db = {num(v['b_before'][c])} − {num(lr)}·{paren(v['db'][c])} = ")
        t.append(num(v["b_after"][c]), style="bold")
    return t


def _backward(t: Text, view: NarrationView, v: dict, c: int, f: str) -> None:
    i, n, sizes = view.sample, view.n_samples, view.sizes
    layer = view.event.layer
    t.append(f" · {sample_name(i)} for δ\n", style="dim")
    if "next_delta" in v:
        nd, nw = v["next_delta"][i], v["next_w"][c]
        shown = min(len(nw), MAX_TERMS)
        terms = [f"{paren(nd[k])}·{paren(nw[k])}" for k in range(shown)]
        more = f" + … {len(nw) - MAX_TERMS} more" if len(nw) > MAX_TERMS else ""
        t.append(f"∂L/∂a = Σₖ δₖ·wₖ (from layer {layer + 2}) = {' + '.join(terms)}{more} = ")
    else:
        t.append("∂L/∂a = ∂L/∂ŷ = ")
    t.append(num(v["dA"][i, c]), style="bold")
    t.append(f"\nδ = ∂L/∂z = ∂L/∂a · {f}'(z) = {paren(v['dA'][i, c])} · "
             f"{paren(v['fprime'][i, c])} = ")
    t.append(num(v["delta"][i, c]), style="bold")
    delta, x = v["delta"][:, c], v["x"]
    full = n <= MAX_SAMPLE_TERMS
    if full:
        t.append(f"\ndw and db add up every sample's term (n = 1…{n}):", style="dim")
    for k in range(min(x.shape[1], MAX_TERMS)):
        src = input_name(layer, k, sizes)
        t.append(f"\ndw{sub(k + 1)} = Σₙ δₙ·{src}ₙ = ")
        if full:
            t.append(_sum_over_samples([(delta[m], x[m, k]) for m in range(n)]))
        else:
            t.append(f"({sample_name(i)}: {paren(delta[i])}·{paren(x[i, k])} = "
                     f"{num(delta[i] * x[i, k])}) + … all {n} → ", style="dim")
        t.append(num(v["dw"][k, c]), style="bold")
    if x.shape[1] > MAX_TERMS:
        t.append(f"\n… and {x.shape[1] - MAX_TERMS} more weights (see the neuron panel)",
                 style="dim")
    t.append("\ndb = Σₙ δₙ = ")
    if full:
        t.append(" + ".join(paren(d) for d in delta) + " = ")
    t.append(num(v["db"][c]), style="bold")
    if view.all_zero_inputs and layer == 0:
        t.append(f"\n{sample_name(i)}'s inputs are all 0, so its δ·x terms are 0: "
                 "only db gets its δ.", style="dim")


class Narration(VerticalScroll):
    """A scrolling panel showing :func:`narrate` for the frame; the scrollbar shows
    when the text is taller than the panel (small terminals)."""

    _shown: Text | None = None

    def compose(self):
        yield Static(id="narration-text")

    def show(self, view: NarrationView) -> None:
        text = narrate(view)
        if self._shown is not None and text == self._shown:
            return  # unchanged (e.g. while playing): no repaint
        self._shown = text
        self.query_one("#narration-text", Static).update(text)

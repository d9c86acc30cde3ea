"""Chain-rule narration: the equation of the step just taken, with the engine's
numbers in it (for the selected neuron, and the selected sample where the step
depends on one).  Sums over samples are written out term by term when they are
short, so a learner sees how the per-sample terms add up to dw and db.

The loss's and the optimizer's own equations come from their ``explain``
(:mod:`nn.losses`, :mod:`nn.optimizers`) as (template, numbers, result): this
module only fills in the numbers, so each formula has one home.  With
mini-batches the event's arrays hold the batch's rows: the view's ``rows`` say
which sample each row is, and a sample outside the batch is said to be so."""
from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.containers import VerticalScroll
from textual.visual import visualize
from textual.widgets import Static

from nn import BackwardEvent, LossEvent, Phase, UpdateEvent
from nn.losses import get_loss
from nn.optimizers import get_optimizer
from nn.naming import input_name, layer_name, neuron_name, sample_name, sub

from tui.view.equation import fitted
from tui.core.format import num, paren
from tui.view.views import NarrationView
from tui.app.widgets.mask import mask

MAX_TERMS = 3        #: terms of z = Σ w·x (and of Σₖ δₖ·wₖ) written out
MAX_SAMPLE_TERMS = 4  #: sums over samples are written out in full up to this many samples

HALTED_HELP = ("Training is stopped. Press r to reset to the initial weights, b to step back in "
               "time to before the blow-up, or l to choose a smaller learning rate and then r.")


def _sum_over_samples(factors: list[tuple[float, float]], digits: int = 4) -> str:
    """``(δ₁)·(x₁) + (δ₂)·(x₂) …`` for few samples."""
    return " + ".join(f"{paren(a, digits)}·{paren(b, digits)}" for a, b in factors)


def _equation(t: Text, build) -> None:
    """Append ``expression = result`` (result in bold), with the digits
    :func:`tui.view.equation.fitted` finds: recomputed from what is shown, the expression
    gives the result shown."""
    expr, result = fitted(build)
    t.append(f"{expr} = ")
    t.append(result, style="bold")


MAX_OUTPUTS = 4  #: outputs of the selected sample narrated at the loss


def fill(template: str, numbers, digits: int = 4) -> str:
    """The template's ``{}`` filled with ``numbers``: a number that starts an
    expression (after "= ", "(" or "[") is written plain, the others in
    parentheses when negative, as everywhere in the narration."""
    parts = template.split("{}")
    out = [parts[0]]
    for x, rest in zip(numbers, parts[1:]):
        before = out[-1]
        plain = before.endswith(("= ", "(", "[")) or before == ""
        out.append(num(x, digits) if plain else paren(x, digits))
        out.append(rest)
    return "".join(out)


def _lines(t: Text, lines, first: bool = False) -> None:
    """(template, numbers, result) lines: each filled, its result in bold; with more
    digits where the line needs them to recompute to its result."""
    for k, (template, numbers, result) in enumerate(lines):
        if k or not first:
            t.append("\n")
        _equation(t, lambda d, template=template, numbers=numbers, result=result:
                  (fill(template, numbers, d), num(result)))


def _row(view: NarrationView) -> int | None:
    """The row of the event's arrays holding the selected sample; None when the
    sample is not in the event's mini-batch."""
    if view.rows is None:
        return view.sample
    try:
        return view.rows.index(view.sample)
    except ValueError:
        return None


def _batch_name(view: NarrationView) -> str:
    return f"batch {view.event.batch + 1} of {view.n_batches}"


def _not_in_batch(view: NarrationView) -> str:
    rows = view.rows or ()
    names = ", ".join(str(r + 1) for r in rows[:4]) + (", …" if len(rows) > 4 else "")
    return (f"{sample_name(view.sample)} is not in batch {view.event.batch + 1} "
            f"(samples {names}); [ and ] choose a sample of this batch")


def _loss(t: Text, view: NarrationView, v: LossEvent, i: int | None,
          width: int | None = None) -> None:
    """The loss of the event's rows, the selected sample's part and each output's
    start of backpropagation, from the loss's own ``explain``."""
    y_hat, y = v.y_hat, v.y
    loss = get_loss(v.loss_name)
    batched = view.rows is not None
    n = len(y) if batched else view.n_samples
    head, over = f"Loss · {loss.title}", f"over {n} sample{'' if n == 1 else 's'}"
    # narrower than the whole header: 'over 4 samples' on its own line (it wrapped as
    # '… over 4' then 'samples' at 80×24)
    sep = "\n" if width and width < cell_len(head) + 1 + cell_len(over) else " "
    t.append(f"{head}{sep}{over}", style="bold")
    if batched:
        t.append(f" · {_batch_name(view)}", style="dim")
    t.append("\n")
    how = loss.explain(y_hat, y, 0 if i is None else i)
    decay = v.weight_decay
    data = v.data_loss
    t.append(fill(*how["value"]) + " = ")
    t.append(num(data if decay else v.loss), style="bold")
    if decay:
        sum_w2 = 2.0 * v.penalty / decay
        t.append("\nL = data + λ/2·Σw² = ")
        _equation(t, lambda d: (f"{num(data, d)} + {num(decay, d)}/2·{num(sum_w2, d)}",
                                num(v.loss)))
    if v.epoch_loss is not None:
        t.append(f"\nepoch loss (the {view.n_batches} batches' losses, weighted by size) = ")
        t.append(num(v.epoch_loss), style="bold")
    if i is None:
        t.append("\n" + _not_in_batch(view))
        return
    K = y.shape[1]
    if loss.fused:
        shown = "(" + ", ".join(num(a) for a in y_hat[i]) + ")" if K > 1 else num(y_hat[i, 0])
        target = "(" + ", ".join(num(a) for a in y[i]) + ")" if K > 1 else num(y[i, 0])
        t.append(f"\n{sample_name(view.sample)}: ŷ = {shown}, y = {target}")
        _lines(t, how["terms"])
        for k, lines in enumerate(how["outputs"][:MAX_OUTPUTS]):
            _lines(t, lines)
        if K > MAX_OUTPUTS:
            t.append(f"\n… and {K - MAX_OUTPUTS} more outputs", style="dim")
        t.append("\n" + loss.simplification, style="dim")
        return
    # MSE: the first output (as the narration has always shown it)
    t.append(f"\n{sample_name(view.sample)}: ŷ = {num(y_hat[i, 0])}, y = {num(y[i, 0])}\n")
    _lines(t, how["outputs"][0], first=True)
    if K > 1:
        t.append(f"   (output 1 of {K})", style="dim")


def _update(t: Text, v: UpdateEvent, c: int) -> None:
    """The optimizer's update of each weight and the bias, from its ``explain``."""
    lr = v.lr
    opt = get_optimizer(v.optimizer, **v.hyper)
    # the title and each hyper-parameter's symbol, as the optimizer class declares them
    parts = [f"{h.symbol} = {num(opt.hyper[h.name])}" for h in opt.hypers]
    parts.append(f"lr = {num(lr)}")
    if opt.slots:
        parts.append(f"t = {v.t}")
    t.append(f"{opt.display_title()}, {', '.join(parts)}")
    wb, dw = v.w_before[:, c], v.dw[:, c]
    for k in range(min(len(wb), MAX_TERMS)):
        state = {s: float(v.slots[s].w_before[k, c]) for s in opt.slots}
        _lines(t, opt.explain(float(wb[k]), float(dw[k]), lr, v.t, state,
                              name=f"w{sub(k + 1)}", grad=f"dw{sub(k + 1)}"))
    if len(wb) > MAX_TERMS:
        t.append(f"\n… and {len(wb) - MAX_TERMS} more weights (see the neuron panel)",
                 style="dim")
    state = {s: float(v.slots[s].b_before[c]) for s in opt.slots}
    _lines(t, opt.explain(float(v.b_before[c]), float(v.db[c]), lr, v.t, state,
                          name="b", grad="db"))


def narrate(view: NarrationView, width: int | None = None) -> Text:
    """The narration of ``view.event`` for ``view.neuron`` and ``view.sample``; where its
    header is wider than ``width``, the sample goes on a line of its own (not one word
    left over: "… · sample 2 for" then "δ")."""
    t = Text()
    if view.halted:
        t.append("⚠ " + view.halted + "\n", style="bold red")
        t.append(HALTED_HELP)
        return t
    event = view.event
    if event is None and view.epoch:  # played (or loaded) to here: no step shown yet
        t.append(f"Played to epoch {view.epoch}. Press ", style="dim")
        t.append("n", style="bold")
        t.append(" to step from here; each step's equation appears here with its real "
                 "numbers.", style="dim")
        return t
    if event is None:
        t.append("Press ", style="dim")
        t.append("n", style="bold")
        t.append(" to take a step. Each step's equation appears here, with its real numbers.",
                 style="dim")
        return t
    v = event
    sizes = view.sizes
    n_layers = len(sizes) - 1
    i = _row(view)
    if event.phase is Phase.LOSS:
        _loss(t, view, v, i, width)
        return t
    start = event.neurons[0]
    c = view.neuron - start
    layer = event.layer
    name = neuron_name(layer, view.neuron, sizes)
    if event.neurons[1] - start > 1:  # a layer or phase step: say which neurons it computed
        first, last = (neuron_name(layer, k, sizes) for k in (start, event.neurons[1] - 1))
        both = f"{first}, {last}" if event.neurons[1] - start == 2 else f"{first} … {last}"
        t.append(f"this step computed {both}; ↑↓ picks the one explained here\n", style="dim")
    f = view.activation_symbol
    head = _head(event.phase, name, layer, n_layers, view.neuron, width)
    t.append(head, style="bold")
    tail = sample_name(view.sample) + (" for δ" if event.phase is Phase.BACKWARD else "")
    # the sample on its own line where it does not fit on the header's (never the header's
    # last words and the sample wrapped together: "… neuron" then "1) · sample 2 for δ")
    sep = "\n" if width and width < cell_len(head) + 3 + cell_len(tail) else " · "
    if event.phase is not Phase.UPDATE:  # (the update is the same for every sample)
        t.append(f"{sep}{tail}\n", style="dim")
    if event.phase is Phase.FORWARD:
        if i is None:  # not in this batch: say so, never read another sample's row
            t.append(_not_in_batch(view))
            return t
        x, w = v.x[i], v.w[:, c]
        shown = min(len(w), MAX_TERMS)
        more = f" + … {len(w) - MAX_TERMS} more" if len(w) > MAX_TERMS else ""
        names = " + ".join(f"w{sub(k + 1)}{input_name(layer, k, sizes)}" for k in range(shown))
        t.append(f"z = {names}{' + …' if more else ''} + b\n")

        def z_line(d: int) -> tuple[str, str]:
            terms = " + ".join(f"{paren(w[k], d)}·{paren(x[k], d)}" for k in range(shown))
            return f"  = {terms}{more} + {paren(v.b[c], d)}\n  ", num(v.z[i, c])

        expr, result = fitted(z_line) if not more else z_line(4)
        t.append(expr + "= ")
        t.append(result, style="bold")
        if v.a_pending:
            t.append(f"\na = {f}(z) needs every z of the layer: computed with the layer's "
                     "last neuron", style="dim")
        elif f == "softmax":
            t.append("\na = e^zⱼ/Σₖ e^zₖ over the layer's z = ")
            t.append(num(v.a[i, c]), style="bold")
        else:
            t.append(f"\na = {f}(z) = ")
            _equation(t, lambda d: (f"{f}({num(v.z[i, c], d)})", num(v.a[i, c])))
    elif event.phase is Phase.BACKWARD:
        _backward(t, view, v, c, f)
    else:  # UPDATE: the same for every sample
        t.append("\n")
        _update(t, v, c)
    return t


def _head(phase: Phase, name: str, layer: int, n_layers: int, neuron: int,
          width: int | None) -> str:
    """"Backward · ŷ (output layer 2, neuron 1)"; where that is wider than ``width``, the
    short "Backward · ŷ (layer 2, neuron 1)" (at 80×24 the long one wrapped inside its
    parenthesis)."""
    step = phase.value.capitalize()
    head = f"{step} · {name} ({layer_name(layer, n_layers)}, neuron {neuron + 1})"
    if width and cell_len(head) > width:
        return f"{step} · {name} (layer {layer + 1}, neuron {neuron + 1})"
    return head


def _backward(t: Text, view: NarrationView, v: BackwardEvent, c: int, f: str) -> None:
    i = _row(view)
    n = view.n_samples if view.rows is None else len(v.x)
    layer = view.event.layer
    if i is None:
        t.append(_not_in_batch(view))
        _backward_sums(t, view, v, c, None, n)
        return
    if v.fused:  # the loss gave δ itself
        t.append("δ = ∂L/∂z from the loss step, (ŷ − y)·scale: f'(z) cancelled = ")
        t.append(num(v.delta[i, c]), style="bold")
        _backward_sums(t, view, v, c, i, n)
        return
    if v.next_delta is not None:
        nd, nw = v.next_delta[i], v.next_w[c]
        shown = min(len(nw), MAX_TERMS)
        more = f" + … {len(nw) - MAX_TERMS} more" if len(nw) > MAX_TERMS else ""
        t.append(f"∂L/∂a = Σₖ δₖ·wₖ (from layer {layer + 2}) = ")

        def da_line(d: int) -> tuple[str, str]:
            terms = " + ".join(f"{paren(nd[k], d)}·{paren(nw[k], d)}" for k in range(shown))
            return f"{terms}{more}", num(v.dA[i, c])

        expr, result = fitted(da_line) if not more else da_line(4)
        t.append(expr + " = ")
        t.append(result, style="bold")
    else:
        t.append("∂L/∂a = ∂L/∂ŷ = ")
        t.append(num(v.dA[i, c]), style="bold")
    if v.row_sum is not None:
        t.append(f"\nδ = ∂L/∂z = a·(∂L/∂a − Σⱼ ∂L/∂aⱼ·aⱼ) = a·({num(v.dA[i, c])} − "
                 f"{paren(v.row_sum[i, 0])}) = ")
    else:
        t.append(f"\nδ = ∂L/∂z = ∂L/∂a · {f}'(z) = ")
        _equation(t, lambda d: (f"{paren(v.dA[i, c], d)} · {paren(v.fprime[i, c], d)}",
                                num(v.delta[i, c])))
        _backward_sums(t, view, v, c, i, n)
        return
    t.append(num(v.delta[i, c]), style="bold")
    _backward_sums(t, view, v, c, i, n)


def _backward_sums(t: Text, view: NarrationView, v: BackwardEvent, c: int, i: int | None,
                   n: int) -> None:
    """dw and db as sums over the batch's samples (+ λ·w with weight decay)."""
    layer, sizes = view.event.layer, view.sizes
    name = sample_name(view.sample)
    decay = v.decay_w
    delta, x = v.delta[:, c], v.x
    full = n <= MAX_SAMPLE_TERMS
    if full:
        t.append(f"\ndw and db add up every sample's term (n = 1…{n}):", style="dim")
    for k in range(min(x.shape[1], MAX_TERMS)):
        src = input_name(layer, k, sizes)
        wd = "" if decay is None else f" + λ·w{sub(k + 1)}"
        t.append(f"\ndw{sub(k + 1)} = Σₙ δₙ·{src}ₙ{wd} = ")
        if full:
            def dw_line(d: int, k: int = k) -> tuple[str, str]:
                terms = _sum_over_samples([(delta[m], x[m, k]) for m in range(n)], d)
                if decay is not None:  # λ·w, the decay term (see the note below)
                    terms += f" + {paren(decay[k, c], d)}"
                return terms, num(v.dw[k, c])

            _equation(t, dw_line)
            continue
        part = ""
        if i is not None:  # the selected sample's term, with the digits it needs
            expr, result = fitted(lambda d, k=k: (f"{paren(delta[i], d)}·{paren(x[i, k], d)}",
                                                  num(delta[i] * x[i, k])))
            part = f"({name}: {expr} = {result}) + "
        wd = "" if decay is None else f" + (λ·w: {num(decay[k, c])})"
        t.append(f"{part}… all {n}{wd} → ", style="dim")
        t.append(num(v.dw[k, c]), style="bold")
    if x.shape[1] > MAX_TERMS:
        t.append(f"\n… and {x.shape[1] - MAX_TERMS} more weights (see the neuron panel)",
                 style="dim")
    t.append("\ndb = Σₙ δₙ = ")
    if full:
        _equation(t, lambda d: (" + ".join(paren(x, d) for x in delta), num(v.db[c])))
    else:
        t.append(num(v.db[c]), style="bold")
    if decay is not None:
        t.append(f"\nweight decay λ = {num(v.weight_decay)} adds λ·w to each dw, pulling the "
                 "weights toward 0 (biases are not decayed)", style="dim")
    if view.all_zero_inputs and layer == 0 and i is not None:
        t.append(f"\n{name}'s inputs are all 0, so its δ·x terms are 0: "
                 "only db gets its δ.", style="dim")


#: an equation's line: "z = …", "  = …", "dw₁ = Σₙ …", "w₁ ← w₁ − …" (not prose with an "=")
EQUATION = re.compile(r"^\s*(\S{1,12} )?[=←] ")
HANG = "    "  #: the indent of an equation's continued lines


def hang(text: Text, width: int | None) -> Text:
    """``text`` with each equation line wider than ``width`` broken at its spaces, the
    lines after its first indented by :data:`HANG`: at 80×24 '  = 0.265·(-0.28206) +' went
    on '0.16996·(-0.76064) + 0' at the panel's left edge, like a new line of prose.  (A dim
    note that starts like one, 'a = softmax(z) needs every z …', is prose.)"""
    if not width or width <= 2 * len(HANG):
        return text
    out = Text()
    for k, line in enumerate(text.split("\n", allow_blank=True)):
        if k:
            out.append("\n")
        note = "dim" in str(line.style) or any(span.start == 0 and "dim" in str(span.style)
                                               for span in line.spans)
        if cell_len(line.plain) <= width or not EQUATION.match(line.plain) or note:
            out.append_text(line)
            continue
        room = width
        while cell_len(line.plain) > room:
            cut = line.plain.rfind(" ", 0, room + 1)
            while cut > 0 and line.plain[:cut].endswith(("=", "←")):  # "= 0.1" stays whole
                cut = line.plain.rfind(" ", 0, cut - 1)
            if cut <= len(HANG):  # no space to break at: Rich wraps the rest
                break
            head, line = line.divide([cut])
            line = line[1:]  # (the space broken at)
            out.append_text(head)
            out.append("\n" + HANG)
            room = width - len(HANG)
        out.append_text(line)
    return out


class Narration(VerticalScroll):
    """A scrolling panel showing :func:`narrate` for the frame; the scrollbar shows
    when the text is taller than the panel (small terminals)."""

    _shown: Text | None = None
    #: (width, height) of the text last shown, at the Static's width then (layout check)
    _shown_size: tuple[int, int | None] = (0, None)
    #: a lesson question's answer, hidden while the question is open (None: nothing)
    secret: float | None = None

    def compose(self):
        yield Static(id="narration-text")

    def show(self, view: NarrationView) -> None:
        # the text's width with the scrollbar shown (it shows once the text is taller)
        width = self.content_size.width - self.styles.scrollbar_size_vertical
        width = width if width > 0 else None
        text = hang(mask(narrate(view, width), self.secret), width)
        if self._shown is not None and text == self._shown:
            return  # unchanged (e.g. while playing): no repaint
        self._shown = text
        self.show_text(text)

    def show_text(self, text: Text) -> None:
        """Put ``text`` in the panel."""
        static = self.query_one("#narration-text", Static)
        # a layout pass of the whole screen only when the text's height changes (while
        # playing "Played to epoch N" changes every frame, its height does not: a reflow
        # a frame, ≈ 1 ms of digits' redraw; bench/README.md)
        width = static.content_size.width
        height = visualize(static, text).get_height(static.styles, width) if width else None
        layout = height is None or (width, height) != self._shown_size
        self._shown_size = (width, height)
        static.update(text, layout=layout)

"""The per-step trace as tables: every value the stepper's events recorded,
one row per (step, neuron, sample), written as CSV and as Markdown."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

from nn import Phase, StepEvent

from tui.core.format import num
from tui.core.output import atomic_write_text

COLUMNS = ["epoch", "phase", "layer", "neuron", "sample", "z", "a", "delta",
           "w", "b", "dw", "db", "loss"]


def _vec(values) -> str:
    return ";".join(repr(float(v)) for v in values)


def rows(events: Iterable[StepEvent]) -> list[dict[str, object]]:
    """Rows with the engine's numbers (full float precision; w and dw as ``a;b;c``).

    Numbered as on screen (:mod:`nn.naming`): layer 1 is the first hidden layer, neurons
    and samples count from 1, epochs from 0."""
    out: list[dict[str, object]] = []
    for ev in events:
        base = dict.fromkeys(COLUMNS, "")
        base.update(epoch=ev.epoch, phase=ev.phase.value)
        if ev.phase is Phase.LOSS:
            out.append({**base, "loss": float(ev.loss)})
            continue
        start, stop = ev.neurons
        for c, j in enumerate(range(start, stop)):
            row = {**base, "layer": ev.layer + 1, "neuron": j + 1}
            if ev.phase is Phase.FORWARD:
                for i in range(len(ev.z)):
                    a = "" if ev.a is None else float(ev.a[i, c])  # softmax: a comes last
                    out.append({**row, "sample": i + 1, "z": float(ev.z[i, c]), "a": a,
                                "w": _vec(ev.w[:, c]), "b": float(ev.b[c])})
            elif ev.phase is Phase.BACKWARD:
                for i in range(len(ev.delta)):
                    out.append({**row, "sample": i + 1, "delta": float(ev.delta[i, c]),
                                "dw": _vec(ev.dw[:, c]), "db": float(ev.db[c])})
            else:
                out.append({**row, "w": _vec(ev.w_after[:, c]), "b": float(ev.b_after[c]),
                            "dw": _vec(ev.dw[:, c]), "db": float(ev.db[c])})
    return out


def write_csv(events: Iterable[StepEvent], path: Path) -> Path:
    """The trace as CSV at ``path``, written atomically (an old file survives a failure)."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows(events))
    return atomic_write_text(path, buf.getvalue())


def _md_cell(value) -> str:
    if isinstance(value, float):
        return num(value)
    if isinstance(value, str) and ";" in value:
        return ", ".join(num(float(x)) for x in value.split(";"))
    return str(value)


def write_markdown(events: Iterable[StepEvent], path: Path, title: str) -> Path:
    table = rows(events)
    lines = [f"# {title}", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(_md_cell(r[c]) for c in COLUMNS) + " |" for r in table]
    return atomic_write_text(path, "\n".join(lines) + "\n")

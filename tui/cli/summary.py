"""The class tasks' confusion matrix as a rich table, for ``tinynet-tui train``'s summary."""
from __future__ import annotations

import numpy as np
from rich.table import Table


def confusion_table(counts: np.ndarray, title: str) -> Table:
    """``counts`` (K, K) (rows: true class, columns: predicted) as a table: the diagonal
    green, other non-zero cells red, zeros as a dim '·', each row's recall at its end."""
    k = counts.shape[0]
    table = Table(title=title, caption="rows: true class · columns: predicted class",
                  padding=(0, 1))
    table.add_column("true", justify="right", style="bold")
    for j in range(k):
        table.add_column(str(j), justify="right")
    table.add_column("right", justify="right")
    for i in range(k):
        cells = []
        for j in range(k):
            n = int(counts[i, j])
            cells.append("[dim]·[/]" if n == 0 else f"[green]{n}[/]" if i == j else f"[red]{n}[/]")
        total = int(counts[i].sum())
        cells.append(f"{counts[i, i] / total:.0%}" if total else "–")
        table.add_row(str(i), *cells)
    return table

"""Which panels a lesson chapter shows: the ones it names.

A chapter names a panel three ways: ``panel: NAME`` (the panel it is about; the app
outlines it), ``show: NAME, NAME`` (more panels it needs on screen), and its prose
("watch the predictions panel", "the neuron maps", "the chain-rule panel": the phrases
in :data:`PANEL_WORDS`).  :func:`layout` turns the set of named panels into what the
lesson layout shows at a size — the one rule the app (:mod:`tui.app.lesson_mode`) and
``learn --check`` (:func:`unshown`) both use, so prose never points at a panel that is
not on screen:

* large (120×40 and up, beside the lesson panel): the diagram, the neuron panel and the
  chain rule always; one chart row below them holding the loss chart, the predictions or
  the selected neuron's map large (``maps``) — two of them side by side when both are
  named (the predictions and the large map share one area: not both);
* compact (80×24): the diagram and *one* more cell — the named panel (``v`` cycles the
  cell); a chapter that names two panels besides the diagram cannot show them both.

Image tasks (digits) have their own lesson layout (weight pictures, the digit diagram,
the loss chart): only ``panel:`` applies there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: every panel a chapter may name; ``maps``: the selected neuron's map, large, in the
#: predictions area (the diagram has no room for the small maps beside the lesson panel)
NAMES = ("diagram", "neuron", "narration", "loss", "predictions", "maps")

#: how prose names a panel → its name (matched case-insensitively, as whole words)
PANEL_WORDS = {
    "loss chart": "loss", "loss panel": "loss",
    "predictions panel": "predictions", "predictions table": "predictions",
    "neuron panel": "neuron",
    "chain-rule panel": "narration", "chain rule panel": "narration",
    "narration panel": "narration",
    "neuron maps": "maps", "neuron map": "maps", "neuron's map": "maps", "large map": "maps",
    "network diagram": "diagram", "diagram panel": "diagram",
}
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in
                                       sorted(PANEL_WORDS, key=len, reverse=True)) + r")\b",
                    re.IGNORECASE)

#: the compact layout's second cell, in the order ``v`` cycles it
SMALL_CELLS = ("narration", "neuron", "loss", "predictions", "maps")
#: the large layout's chart row
CHARTS = ("loss", "predictions", "maps")


def prose_panels(lines) -> list[tuple[int, str, str]]:
    """(line, words, panel) for every panel named in ``lines`` ((line, text) pairs)."""
    return [(line, m.group(1).lower(), PANEL_WORDS[m.group(1).lower()])
            for line, text in lines for m in _WORDS.finditer(text)]


def named(chapter) -> list[str]:
    """The panels ``chapter`` names, in order: its ``panel:``, its ``show:``, then its
    prose's (text and reveal); each once."""
    out: list[str] = []
    for p in ([chapter.panel] + list(chapter.show)
              + [p for _, _, p in prose_panels(chapter.text + chapter.reveal)]):
        if p is not None and p not in out:
            out.append(p)
    return out


@dataclass(frozen=True)
class Layout:
    """What the lesson layout shows: ``cells`` (panel names on screen, the diagram
    first) and ``missing`` (named panels it cannot show)."""

    cells: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def charts(self) -> tuple[str, ...]:
        return tuple(c for c in self.cells if c in CHARTS)


def layout(names, compact: bool) -> Layout:
    """The lesson layout for a chapter naming ``names`` (``compact``: 80×24)."""
    names = [n for n in names if n != "diagram"]
    if compact:
        second = names[0] if names else "narration"
        return Layout(("diagram", second), tuple(n for n in names if n != second))
    charts = [n for n in names if n in CHARTS]
    if "predictions" in charts and "maps" in charts:  # one area: the first named wins
        charts.remove("maps" if charts.index("predictions") < charts.index("maps")
                      else "predictions")
    shown = charts[:2] or ["loss"]
    return Layout(("diagram", "neuron", "narration", *shown),
                  tuple(n for n in names if n in CHARTS and n not in shown))


def unshown(chapter) -> list[tuple[int, str]]:
    """(line, message) for each panel ``chapter`` names that its lesson layout would not
    show, at 120×40 or at 80×24 (empty on an image task: its layout is its own)."""
    if chapter.settings.get("task") == "digits":
        return []
    names = named(chapter)
    where = {p: line for line, _, p in reversed(prose_panels(chapter.text + chapter.reveal))}
    out = []
    for compact, size in ((False, "120×40"), (True, "80×24")):
        lay = layout(names, compact)
        for p in lay.missing:
            out.append((where.get(p, chapter.lines.get("show", chapter.line)),
                        f"the chapter names the {p} panel, which the lesson layout at {size} "
                        f"cannot show beside {', '.join(c for c in lay.cells if c != 'diagram')} "
                        "(80×24 shows the diagram and one panel: name one, or split the chapter)"))
    return out


__all__ = ["NAMES", "PANEL_WORDS", "SMALL_CELLS", "CHARTS", "Layout", "layout", "named",
           "prose_panels", "unshown"]

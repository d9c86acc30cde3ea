"""A widget that shows pre-built lines through Textual's line API.

Panels that change every frame while playing (diagram, heatmaps) build their
lines as rich Segments once per update; ``render_line`` then only hands out
ready strips, which is several times cheaper than re-rendering a Text.
"""
from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


class LineCanvas(Widget):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[list[Segment]] = []

    def set_lines(self, lines: list[list[Segment]]) -> None:
        self._lines = lines
        self.refresh()

    def set_renderable(self, renderable) -> None:
        """Render any rich renderable (e.g. a Text) to lines at the current width."""
        console = self.app.console
        width = max(1, self.content_size.width)
        options = console.options.update(width=width, height=None, no_wrap=True)
        self.set_lines(console.render_lines(renderable, options, pad=False, new_lines=False))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        base = self.rich_style
        segments = [Segment(text, base + style if style else base)
                    for text, style, _ in self._lines[y]]
        return Strip(segments).crop_extend(0, width, base)


def runs(cells: list[tuple[str, Style | None]]) -> list[Segment]:
    """Merge neighbouring cells of the same style into one Segment each."""
    out: list[Segment] = []
    text: list[str] = []
    current = None
    for ch, style in cells:
        if style is not current and text:
            out.append(Segment("".join(text), current))
            text = []
        text.append(ch)
        current = style
    if text:
        out.append(Segment("".join(text), current))
    return out


class ViewCanvas(LineCanvas):
    """A LineCanvas that draws one view: :meth:`show` keeps it and draws, a resize draws it
    again at the new size.  Subclasses write ``_draw`` (it reads ``self.data``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = None

    def show(self, data) -> None:
        self.data = data
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        raise NotImplementedError

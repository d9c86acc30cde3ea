"""A widget that shows pre-built lines through Textual's line API.

Panels that change every frame while playing (diagram, heatmaps) build their
lines as rich Segments once per update; ``render_line`` then only hands out
ready strips, which is several times cheaper than re-rendering a Text.  Per screen
update the widget's own style is looked up once (Textual walks every ancestor's styles
for it) and each distinct segment style is combined with it once (a colour's picture
cells share a handful of styles), not once per segment.
"""
from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class LineCanvas(Widget):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[list[Segment]] = []
        self._base: Style | None = None       #: the widget's style during one render pass
        self._width = 0                        #: and its content width
        #: segment → (the segment in base + its style, its cells), for ``_combined_for``
        self._combined: dict = {}
        self._combined_for: Style | None = None
        self._lines_size = None                #: the size the shown lines were drawn at

    def set_lines(self, lines: list[list[Segment]]) -> None:
        """Show ``lines``; only the lines that differ from those shown are drawn again
        (while playing, most cells of a weight picture keep their colour from one frame to
        the next: their lines are not rendered again)."""
        old, self._lines = self._lines, lines
        size = self.size
        if len(old) != len(lines) or size != self._lines_size or not size.width:
            self._lines_size = size
            self.refresh()
            return
        changed = [Region(0, y, size.width, 1) for y, (a, b) in enumerate(zip(old, lines))
                   if a != b]
        if changed:
            self.refresh(*changed)

    def render_lines(self, crop):
        """(Textual) every line of one screen update: the widget's style looked up once."""
        self._base = self.rich_style
        self._width = self.content_size.width  # (a look-up of the widget on the screen)
        if self._base != self._combined_for:
            self._combined, self._combined_for = {}, self._base
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def set_renderable(self, renderable) -> None:
        """Render any rich renderable (e.g. a Text) to lines at the current width."""
        console = self.app.console
        width = max(1, self.content_size.width)
        options = console.options.update(width=width, height=None, no_wrap=True)
        self.set_lines(console.render_lines(renderable, options, pad=False, new_lines=False))

    def render_line(self, y: int) -> Strip:
        base = self._base
        if base is None:  # called on its own (tests, snapshots of one line)
            self._width = self.content_size.width
            base = self.rich_style
            if base != self._combined_for:
                self._combined, self._combined_for = {}, base
        width = self._width
        if y >= len(self._lines):
            return Strip.blank(width, base)
        combined = self._combined
        segments = []
        add = segments.append
        cells = 0
        for segment in self._lines[y]:
            # by value (text, style): a picture's cells are a few hundred ready-made segments,
            # each combined with the widget's style once per style change of the widget, not
            # once per cell per frame; a hit costs one hash, no Segment or Style is made
            entry = combined.get(segment)
            if entry is None:
                if len(combined) > 4096:  # segments made afresh every frame: keep it small
                    combined.clear()
                text, style, _ = segment
                entry = combined[segment] = (Segment(text, base + style if style else base),
                                             cell_len(text))
            add(entry[0])
            cells += entry[1]
        if cells < width:  # (what crop_extend gives, without its two intermediate strips)
            add(Segment(" " * (width - cells), base))
        elif cells > width:
            return Strip(segments, cells).crop(0, width)
        return Strip(segments, width)

def crop(line: list[Segment], width: int) -> list[Segment]:
    """The first ``width`` cells of ``line`` (segments of one-cell characters), the
    segment that crosses the edge cut there."""
    out, used = [], 0
    for seg in line:
        if used + len(seg.text) > width:
            out.append(Segment(seg.text[:width - used], seg.style))
            break
        out.append(seg)
        used += len(seg.text)
    return out


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

"""A tiny font, drawn here, for the app's symbols that common fonts lack (browser mode).

The served page writes with Roboto Mono (shipped with textual-serve) and lets the browser
fall back to the machine's fonts for other characters.  ⏸ (U+23F8) and ⋮ (U+22EE) are in
neither Roboto Mono nor DejaVu Sans Mono, so offline, on a plain Linux machine, they showed
as boxes.  This module draws them as simple shapes into a TrueType font (fontTools, which
matplotlib already depends on) that the page adds to "Roboto Mono" with a ``unicode-range``.
Units: 1000 per em; each glyph is one 600-unit terminal cell wide (as Roboto Mono's are).
"""
from __future__ import annotations

import io
from functools import lru_cache

ADVANCE = 600  # Roboto Mono's cell width in font units

# glyph name → (code point, rectangles (x0, y0, x1, y1) in font units)
SHAPES: dict[str, tuple[int, list[tuple[int, int, int, int]]]] = {
    "pause": (0x23F8, [(130, 0, 250, 700), (350, 0, 470, 700)]),          # ⏸
    "vellipsis": (0x22EE, [(245, 40, 355, 150), (245, 300, 355, 410),
                           (245, 560, 355, 670)]),                          # ⋮
}


def unicode_range() -> str:
    """The CSS ``unicode-range`` this font covers, e.g. ``U+23F8, U+22EE``."""
    return ", ".join(f"U+{code:04X}" for code, _ in SHAPES.values())


@lru_cache(maxsize=1)
def symbols_ttf() -> bytes | None:
    """The font file's bytes, or None without fontTools (then those glyphs stay boxes)."""
    try:
        from fontTools.fontBuilder import FontBuilder
        from fontTools.pens.ttGlyphPen import TTGlyphPen
    except ImportError:  # pragma: no cover - matplotlib brings it
        return None
    glyphs, metrics = {}, {}
    for name, rectangles in [(".notdef", [])] + [(n, r) for n, (_, r) in SHAPES.items()]:
        pen = TTGlyphPen(None)
        for x0, y0, x1, y1 in rectangles:  # clockwise outlines (TrueType fills those)
            pen.moveTo((x0, y0))
            pen.lineTo((x0, y1))
            pen.lineTo((x1, y1))
            pen.lineTo((x1, y0))
            pen.closePath()
        glyphs[name] = pen.glyph()
        metrics[name] = (ADVANCE, min((r[0] for r in rectangles), default=0))
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap({code: name for name, (code, _) in SHAPES.items()})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=1048, descent=-271)
    builder.setupNameTable({"familyName": "tinynet symbols", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=1048, sTypoDescender=-271, usWinAscent=1048,
                     usWinDescent=271)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()

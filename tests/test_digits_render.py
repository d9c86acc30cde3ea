"""The digits renderers, cell by cell against the numbers they draw."""
import numpy as np
import pytest

from nn.confusion import confusion_matrix
from tui.core.config import build, task_config
from tui.view.digits_frame import digits_view
from tui.core.digits_state import HALO, INK, DigitsState, digits_state
from tui.core.session import Session
from tui.app.widgets.confusion import render_confusion
from tui.app.widgets.digit_diagram import bar, render_digit_diagram
from tui.app.widgets.digit_image import (LEVELS, SHADES, diverging_levels, grey_levels, palette,
                                     render_image, render_weights, shade)
from tui.app.widgets.weight_grid import grid_layout, render_large, render_weight_grid


def cells(lines):
    """Each line as a list of (character, style)."""
    return [[(ch, seg.style) for seg in line for ch in seg.text] for line in lines]


@pytest.fixture(scope="module")
def session():
    s = Session(build(task_config("digits")))
    s.play_chunk(2)
    return s


@pytest.fixture(scope="module")
def view(session):
    return digits_view(session)


def grid_cells(view, layout, grid):
    """Each half-block cell of the weight grid: (neuron k, text row t, column c, its style,
    the neuron's 8×8 diverging levels); every cell must be "▀" (top pixel fg, bottom bg)."""
    for k, w in enumerate(view.weights):
        x, y = layout.origin(k)
        lv = diverging_levels(w.reshape(8, 8), np.abs(w).max())
        for t in range(4):
            for c in range(8):
                ch, style = grid[y + t][x + c]
                assert ch == "▀", (k, t, c)
                yield k, t, c, style, lv

def test_levels_scale_and_centre():
    assert grey_levels(np.array([0.0, 0.5, 1.0, 2.0, np.nan])).tolist() == [0, 8, 16, 16, 0]
    assert diverging_levels(np.array([-2.0, -1.0, 0.0, 0.5, 1.0]), 1.0).tolist() == \
        [0, 0, 8, 12, 16]
    assert LEVELS // 2 == 8  # 0 is the exact middle of the diverging scale


@pytest.mark.parametrize("system", ["truecolor", "256", "standard"])
def test_half_block_image_every_cell_is_its_two_pixels(system):
    rng = np.random.default_rng(0)
    pixels = rng.uniform(0, 1, 64)
    lines = render_image(pixels, (8, 8), system)
    pal = palette("grey", system)
    lv = grey_levels(pixels.reshape(8, 8))
    grid = cells(lines)
    assert len(grid) == 4 and all(len(row) == 8 for row in grid)
    for r in range(4):
        for c in range(8):
            ch, style = grid[r][c]
            assert ch == "▀"
            assert style.color == pal[lv[2 * r, c]] and style.bgcolor == pal[lv[2 * r + 1, c]]


def test_no_color_image_is_glyph_density_of_the_mean():
    pixels = np.zeros(64)
    pixels[:8] = 1.0           # top row ink, second row paper: the mean is half
    pixels[16:32] = 1.0        # rows 2 and 3: full ink
    grid = cells(render_image(pixels, (8, 8), None))
    assert {ch for ch, _ in grid[0]} == {shade(LEVELS / 2 - 0.5)}
    assert {ch for ch, _ in grid[1]} == {SHADES[-1]}
    assert {ch for ch, _ in grid[2]} == {SHADES[0]}


def test_block_image_repeats_each_pixel():
    pixels = np.linspace(0, 1, 64)
    grid = cells(render_image(pixels, (8, 8), "truecolor", px=(2, 1)))
    pal = palette("grey", "truecolor")
    lv = grey_levels(pixels.reshape(8, 8))
    assert len(grid) == 8 and len(grid[0]) == 16
    for r in range(8):
        for c in range(16):
            assert grid[r][c][1].bgcolor == pal[lv[r, c // 2]]


def test_weight_picture_is_scaled_to_its_largest_weight():
    w = np.zeros(64)
    w[0], w[1], w[8] = -0.5, 0.25, 0.5
    grid = cells(render_weights(w, (8, 8), "truecolor"))
    pal = palette("diverging", "truecolor")
    assert grid[0][0][1].color == pal[0]            # −max: the lowest level
    assert grid[0][0][1].bgcolor == pal[LEVELS - 1]  # +max below it
    assert grid[0][1][1].color == pal[12]           # half of max: 3/4 up the scale
    assert grid[0][2][1].color == pal[8]            # 0: the middle


def test_every_grid_cell_against_the_weights(view):
    lines, layout = render_weight_grid(view, 64, 22, "truecolor")
    grid = cells(lines)
    pal = palette("diverging", "truecolor")
    assert layout.across == 7 and layout.rows == 5 and layout.first_row == 0 \
        and layout.vgap == 0
    for k, t, c, style, lv in grid_cells(view, layout, grid):
        assert style.color == pal[lv[2 * t, c]] and style.bgcolor == pal[lv[2 * t + 1, c]]
    # the column left of each picture: the neuron's activation for the image shown
    a_levels = diverging_levels(view.hidden, 1.0)  # tanh: −1 … 1
    for k in range(len(view.weights)):
        x, y = layout.origin(k)
        for t in range(4):
            assert grid[y + t][x - 1][1].bgcolor == pal[a_levels[k]]
    x, y = layout.origin(view.selected) if view.selected is not None else (None, None)
    marks = [(r, c) for r, row in enumerate(grid) for c, (ch, _) in enumerate(row) if ch == "▶"]
    assert marks == ([] if x is None else [(y + 1, x - 1)])


@pytest.mark.parametrize("system, key", [("truecolor", ("blue", "orange", "stripe: a")),
                                         (None, ("·", "▒", "█", "left: a"))])
def test_the_grids_caption_keeps_its_colour_key_in_a_narrow_panel(view, system, key):
    """At 80×24 (a 38-cell panel) the caption read 'w of h₁…h₈ of 32, each to its max |w|':
    the colour key and the stripe's meaning were cut off. It takes a shorter wording."""
    for width in (38, 45, 60, 75):
        caption = "".join(seg.text for seg in render_weight_grid(view, width, 22, system)[0][0])
        assert len(caption) <= width and all(k in caption for k in key), (width, caption)
    wide = "".join(seg.text for seg in render_weight_grid(view, 90, 22, system)[0][0])
    assert wide.startswith("w of h₁…h₃₂, each to its max |w| (")


def test_grid_without_room_shows_the_rows_around_the_selected_neuron():
    layout = grid_layout(32, (8, 8), 38, 9, selected=20)
    assert layout.across == 4 and layout.rows == 2 and layout.vgap == 0
    assert layout.first_row <= 20 // 4 < layout.first_row + layout.rows
    assert layout.origin(0) is None and layout.origin(20) is not None


def test_grid_uses_a_blank_line_between_rows_when_all_fit():
    layout = grid_layout(8, (8, 8), 64, 22, selected=None)
    assert layout.vgap == 1 and layout.rows == 2


def test_large_picture_and_dw_cells(session):
    session.select(0, 3)
    while digits_view(session).dw is None:
        session.step()
    v = digits_view(session)
    lines = render_large(v, 56, 22, "truecolor")
    grid = cells(lines)
    pal = palette("diverging", "truecolor")
    w, dw = v.weights[3].reshape(8, 8), v.dw.reshape(8, 8)
    lw, ldw = diverging_levels(w, np.abs(w).max()), diverging_levels(dw, np.abs(dw).max())
    # 56 columns: 3 columns and 2 lines per pixel; dw starts 3 columns right of w
    for r in range(8):
        for c in range(8):
            for dy in (0, 1):
                assert grid[1 + 2 * r + dy][3 * c + 2][1].bgcolor == pal[lw[r, c]]
                assert grid[1 + 2 * r + dy][27 + 3 * c][1].bgcolor == pal[ldw[r, c]]
    text = "".join(ch for ch, _ in grid[0])
    assert text.startswith("h₄: incoming w") and "dw (max |dw|" in text


def test_the_large_pictures_captions_drop_their_scale_rather_than_cut_it(session):
    """At 80×24 (a 38×9 panel) the large picture's caption read 'h₁: incoming w (ma': a
    caption too wide for its picture drops its '(max |w| …)', never cut inside it."""
    session.select(0, 3)
    while digits_view(session).dw is None:
        session.step()
    v = digits_view(session)
    for width in (38, 44, 56, 80):
        text = "".join(ch for ch, _ in cells(render_large(v, width, 9, "truecolor"))[0])
        for caption in ("h₄: incoming w", "dw"):
            assert caption in text, (width, text)
        for part in text.split("  "):
            if "(" in part:
                assert part.strip().endswith(")"), (width, text)


def test_confusion_renderer_shows_each_count(view):
    grid = render_confusion(view, 60, 12)
    text = ["".join(seg.text for seg in line) for line in grid]
    assert text[0].split()[1:11] == [str(j) for j in range(10)]
    for i in range(10):
        row = text[1 + i].split()
        assert row[0] == str(i)
        assert [0 if v == "·" else int(v) for v in row[1:11]] == view.confusion[i].tolist()


def test_digits_view_matches_the_network(session):
    v = digits_view(session)
    p = session.problem
    assert np.allclose(v.probs, session.net.predict(p.X[session.sample][None])[0])
    assert np.array_equal(v.confusion, confusion_matrix(session.net.predict(p.X_test), p.y_test))
    direct = sum(int(np.argmax(session.net.predict(x[None]))) == int(np.argmax(t))
                 for x, t in zip(p.X_test, p.y_test))
    assert v.accuracy == pytest.approx(direct / len(p.X_test))
    assert v.mistakes == len(p.X_test) - direct
    first = session.net.layers[0]
    assert np.allclose(v.hidden, np.tanh(p.X[session.sample] @ first.W + first.b))


def test_walking_mistakes_shows_a_misclassified_test_sample(session):
    state = digits_state(session)
    state.mistake = 1
    try:
        v = digits_view(session)
        assert v.source == "test" and v.title.startswith("test mistake 2 of ")
        assert int(np.argmax(v.probs)) != v.label
    finally:
        state.mistake = None


def test_painting_inks_a_pixel_and_its_neighbours():
    state = DigitsState((8, 8))
    assert state.paint(0, 0)
    img = state.drawing.reshape(8, 8)
    assert img[0, 0] == INK and img[0, 1] == HALO and img[1, 0] == HALO and img[1, 1] == 0
    assert state.paint(0, 0, erase=True) and img[0, 0] == 0
    assert not state.paint(8, 0)
    assert state.clear() and state.drawing is None


def test_digit_diagram_marks_the_true_class_and_maps_clicks(view):
    lines, box = render_digit_diagram(view, 50, 12, "truecolor")
    text = ["".join(seg.text for seg in line) for line in lines]
    marked = [i for i, t in enumerate(text) if "◀" in t]
    assert marked == [1 + view.label]
    assert box.px == (2, 1) and box.pixel_at(0, 1) == (0, 0) and box.pixel_at(15, 8) == (7, 7)
    assert box.pixel_at(16, 1) is None
    for c in range(10):
        assert f"{view.probs[c]:4.0%}" in text[1 + c]


def test_bar_eighths():
    assert bar(0.0, 4) == "    " and bar(1.0, 4) == "████" and bar(0.5, 4) == "██  "
    assert bar(1 / 32, 4) == "▏   " and bar(float("nan"), 3) == "   "


def test_no_color_grid_cells_are_shades_of_the_weights(view):
    lines, layout = render_weight_grid(view, 64, 22, None)
    grid = cells(lines)
    a_levels = diverging_levels(view.hidden, 1.0)
    for k, w in enumerate(view.weights):
        x, y = layout.origin(k)
        lv = diverging_levels(w.reshape(8, 8), np.abs(w).max())
        for t in range(4):
            for c in range(8):
                assert grid[y + t][x + c][0] == shade((lv[2 * t, c] + lv[2 * t + 1, c]) / 2)
            if not (k == view.selected and t == 1):
                assert grid[y + t][x - 1][0] == shade(a_levels[k])
    assert all(style is None for row in grid[1:] for _, style in row)
    assert "· most −, ▒ 0, █ most +" in "".join(ch for ch, _ in grid[0])


def terminal_cells(lines, system: str) -> list[list[tuple[str, object]]]:
    """What a terminal with ``system`` colours gets: the lines written by a rich Console of
    that colour system (colours downgraded as a real one does), read back from its escape
    codes as (character, rich Style) per cell."""
    import io

    from rich.console import Console
    from rich.text import Text

    out = io.StringIO()
    console = Console(file=out, color_system=system, force_terminal=True, width=200,
                      legacy_windows=False)
    for line in lines:
        console.print(Text.assemble(*[(seg.text, seg.style) for seg in line]) if line else "")
    grid = []
    for row in out.getvalue().splitlines():
        text = Text.from_ansi(row)
        styles = [None] * len(text.plain)
        for span in text.spans:
            for i in range(span.start, span.end):
                styles[i] = span.style
        grid.append(list(zip(text.plain, styles)))
    return grid


@pytest.mark.parametrize("system", ["256", "standard"])
def test_grid_cells_in_256_and_16_colours_follow_the_weights(view, system):
    """Every picture cell as a 256- or 16-colour terminal shows it: colours that terminal
    has (no truecolor), the top pixel's level as the foreground and the bottom's as the
    background, blue where w > 0, orange/yellow where w < 0, dark at 0 — and the stripe's
    background is the neuron's activation."""
    from rich.color import ColorType
    from rich.color_triplet import ColorTriplet
    from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE

    lines, layout = render_weight_grid(view, 64, 22, system)
    grid = terminal_cells(lines, system)
    kinds = {"256": {ColorType.EIGHT_BIT, ColorType.STANDARD}, "standard": {ColorType.STANDARD}}
    table = EIGHT_BIT_PALETTE if system == "256" else STANDARD_PALETTE
    pal = palette("diverging", system)
    mid = LEVELS // 2

    def rgb(colour) -> ColorTriplet:
        assert colour.type in kinds[system], colour
        return table[colour.number]

    def check(colour, level: int, where) -> None:
        r, g, b = rgb(colour)
        assert (r, g, b) == pal[level].triplet, where  # the palette's, exactly
        if system == "256" or abs(level - mid) > 2:  # (16 colours: 5 bands, ±2 levels black)
            if level > mid:
                assert b > r, where      # w > 0: blue
            elif level < mid:
                assert r > b, where      # w < 0: orange
        if level == mid:
            assert max(r, g, b) < 80, where  # 0: dark

    for k, t, c, style, lv in grid_cells(view, layout, grid):
        check(style.color, int(lv[2 * t, c]), (k, 2 * t, c))
        check(style.bgcolor, int(lv[2 * t + 1, c]), (k, 2 * t + 1, c))
    a_levels = diverging_levels(view.hidden, 1.0)
    for k in range(len(view.weights)):
        x, y = layout.origin(k)
        assert rgb(grid[y][x - 1][1].bgcolor) == pal[a_levels[k]].triplet
    # the largest |w| of each picture is at an end of the scale, in both colour systems
    for k, w in enumerate(view.weights):
        lv = diverging_levels(w.reshape(8, 8), np.abs(w).max())
        assert lv.min() == 0 or lv.max() == LEVELS - 1


def test_crop_keeps_exactly_width_cells_and_cuts_the_segment_at_the_edge():
    from rich.segment import Segment

    from tui.app.widgets.canvas import crop

    def text(segs):
        return "".join(s.text for s in segs)

    line = [Segment("ab", "red"), Segment("cde", "blue"), Segment("f")]
    assert text(crop(line, 5)) == "abcde"                  # ends on a segment's edge
    assert [s for s in crop(line, 4) if s.text] == [Segment("ab", "red"), Segment("cd", "blue")]
    assert crop(line, 6) == line and crop(line, 9) == line
    assert text(crop(line, 1)) == "a" and text(crop(line, 0)) == ""


def test_docs_say_what_the_true_class_mark_looks_like():
    """docs/digits.md describes the bars as bar_lines draws them: the true class (◀) green
    even when the network is wrong, a wrong answer red (the page said "green when it is
    also the answer")."""
    import dataclasses
    from pathlib import Path

    from tui.app.widgets.digit_diagram import RIGHT, WRONG, bar_lines

    s = Session(build(task_config("digits")))
    view = digits_view(s)
    probs = np.full(10, 0.02)
    probs[7] = 0.82                                  # the answer: 7; the true class: 3
    wrong = dataclasses.replace(view, label=3, probs=probs)
    lines = bar_lines(wrong, 30)
    assert lines[3][1].style == RIGHT and lines[3][3].text == " ◀" and lines[3][3].style == RIGHT
    assert lines[7][1].style == WRONG and lines[7][0].style.bold
    doc = " ".join((Path(__file__).parent.parent / "docs" / "digits.md").read_text().split())
    assert "green when it is also the answer" not in doc
    assert "`◀` marks the true class, whose bar is green whether or not the network got it right" in doc
    assert "has a red bar when it is not the true class" in doc
    assert RIGHT.color.name == "green" and WRONG.color.name == "red"


@pytest.mark.parametrize("width,height", [(38, 10), (39, 12), (60, 12)])
def test_confusion_shows_every_class_and_its_share_right_in_the_panel(view, width, height):
    """At 80×24 (38×10 inside the panel) the % column lost its digits ('  0│'), the lines
    of 8 and 9 and the summary were cut: a narrow panel's lines lose their spare spaces, a
    short one drops the header line, never a class's line (the title carries the summary)."""
    from tui.app.widgets.confusion import title

    c = view.confusion
    text = ["".join(seg.text for seg in line) for line in render_confusion(view, width, height)]
    assert len(text) <= height and max(map(len, text)) <= width
    rows = [line.split() for line in text if line.split()[0].isdigit()]
    assert [row[0] for row in rows] == [str(i) for i in range(10)]
    for i, row in enumerate(rows):
        assert [0 if v == "·" else int(v) for v in row[1:11]] == c[i].tolist()
        assert row[11] == f"{c[i, i] / c[i].sum():.0%}"
    said = " ".join(text) + " " + title(view, width + 2, height)
    assert f"{view.accuracy:.1%}" in said and f"{view.mistakes} " in said and " i" in said
    # the share says what it is a share of (the title read 'confusion · 10.0% · 323 wrong')
    assert f"{view.accuracy:.1%} right" in said, said
    assert len(title(view, width + 2, height)) <= width - 4

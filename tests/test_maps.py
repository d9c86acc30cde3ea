"""Neuron maps: the engine's grid pass (nn/maps.py), the frame part built from
it, and the render functions (tui/app/widgets/neuron_map.py): values, where points
land, what is left untouched, and colour fallbacks."""
import io
import re
from dataclasses import replace

import numpy as np
import pytest
from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segments

from nn import NeuralNetwork, datasets
from nn.maps import Bounds, data_bounds, grid_points, layer_activations, neuron_maps, pixel_of
from tui.core.config import Problem, RunConfig, build
from tui.view.frame import PanelSizes, diagram_view, build_frame, maps_available, neuron_maps_view
from tui.core.session import Session
from tui.view.views import MapPoints, NeuronMapsView
from tui.app.widgets.diagram import render_diagram
from tui.app.widgets.neuron_map import (EMPTY, HIGH, LOW, MID, STANDARD, _caption_style, _rgb,
                                        _style, levels, point_cells)
from tui.app.widgets.neuron_map import (LEVELS, SHADES, heatmap, large_map_point, legend,
                                        map_with_points, palette, render_large)
from tui.view.layout import (MIN_GAP, MIN_LABEL_W, MIN_ROWS, VALUE_W, _NODE_SHAPES, label_widths,
                             node_map_shape)

from helpers import random_net

#: the sizes the app has at 120×40 (diagram content 58×35) with the large map on
BIG = PanelSizes(loss_width=60, map_cols=29, map_rows=14, diagram_width=58,
                 diagram_height=35, large_map=True)
SYSTEMS = ("truecolor", "256", "standard", None)


def manual_forward(net, X):
    """Each layer's a, by the training path's own Layer.forward on a copy."""
    copy = net.copy()
    a, out = X, []
    for layer in copy.layers:
        a = layer.forward(a)
        out.append(a.copy())
    return out


@pytest.mark.parametrize("hidden,output", [("tanh", "sigmoid"), ("relu", "identity"),
                                           ("sigmoid", "sigmoid")])
def test_maps_are_the_engines_activations_on_the_grid(hidden, output):
    net = random_net([2, 5, 3, 1], hidden, output, seed=3)
    bounds = Bounds(-1.5, 0.5, -0.25, 2.0)
    pts = grid_points(bounds, 7, 6)
    acts = layer_activations(net, pts)
    for mine, engine in zip(acts, manual_forward(net, pts)):
        np.testing.assert_allclose(mine, engine, rtol=0, atol=1e-14)
    np.testing.assert_allclose(acts[-1], net.predict(pts), rtol=0, atol=1e-14)
    maps = neuron_maps(net, bounds, 7, 6)
    assert [m.shape for m in maps] == [(5, 6, 7), (3, 6, 7), (1, 6, 7)]
    # pixel (r, c) of neuron j is the activation at that pixel's centre
    for r, c in ((0, 0), (5, 6), (2, 4)):
        x1 = -1.5 + (c + 0.5) / 7 * 2.0
        x2 = 2.0 - (r + 0.5) / 6 * 2.25
        here = manual_forward(net, np.array([[x1, x2]]))
        for l in range(3):
            np.testing.assert_allclose(maps[l][:, r, c], here[l][0], atol=1e-14)


def test_the_grid_covers_the_data_with_a_margin_and_stays_square():
    X, _ = datasets.xor()
    b = data_bounds(X, margin=0.1)
    assert (b.x1_lo, b.x1_hi, b.x2_lo, b.x2_hi) == pytest.approx((-0.1, 1.1, -0.1, 1.1))
    b = data_bounds(np.array([[0.0, -2.0], [1.0, 2.0]]), margin=0.0)
    assert (b.x1_lo, b.x1_hi, b.x2_lo, b.x2_hi) == pytest.approx((-1.5, 2.5, -2, 2))
    with pytest.raises(ValueError, match="2 inputs"):
        data_bounds(np.zeros((4, 3)))


def test_features_map_the_grid_to_the_networks_inputs():
    net = random_net([4, 3, 1], seed=1)

    def features(X2):
        return np.column_stack([X2, X2[:, 0] ** 2, X2[:, 0] * X2[:, 1]])

    pts = grid_points(Bounds(-1, 1, -1, 1), 4, 4)
    np.testing.assert_allclose(layer_activations(net, pts, features)[-1],
                               net.predict(features(pts)), atol=1e-14)
    with pytest.raises(ValueError, match="features="):
        layer_activations(net, pts)


def stepper_state(net):
    return [(layer.x, layer.z, layer.a, layer.delta, layer.dA) for layer in net.layers]


def test_computing_maps_leaves_the_steppers_cached_values_alone():
    problem = build(RunConfig(task="spiral"))
    session = Session(problem)
    for _ in range(5):  # mid forward pass: some neurons computed, some not
        session.step()
    net = session.net
    before = stepper_state(net)
    copies = [tuple(a.copy() for a in layer) for layer in before]
    with session.lock:
        f = build_frame(session, BIG)
    assert f.maps is not None and f.maps.small is not None and f.maps.large is not None
    layer_activations(net, grid_points(Bounds(-1, 1, -1, 1), 9, 9))
    for now, then, saved in zip(stepper_state(net), before, copies):
        for a, b, c in zip(now, then, saved):
            assert a is b
            np.testing.assert_array_equal(a, c)


def spiral_session(keys=0):
    session = Session(build(RunConfig(task="spiral")))
    session.play_chunk(keys) if keys else None
    return session


def test_frame_maps_equal_the_engine_at_the_sizes_the_panels_give():
    session = spiral_session(50)
    session.select(1, 3)
    with session.lock:
        f = build_frame(session, BIG)
    m = f.maps
    b = Bounds(*m.bounds)
    assert m.bounds == tuple(vars(data_bounds(session.problem.X)).values())
    lines, chars = node_map_shape(session.net.sizes, [8, 10, 10, 7], 58, 35)
    small = neuron_maps(session.net, b, chars, 2 * lines)
    for l in range(3):
        np.testing.assert_allclose(m.small[l], small[l], atol=1e-14)
    rows, cols = m.large.shape  # square on screen, or wider where the area is (issue 22)
    assert rows % 2 == 0 and rows <= cols <= 2 * rows
    np.testing.assert_allclose(m.large, neuron_maps(session.net, b, cols, rows)[1][3], atol=1e-14)
    assert f.diagram.maps is m and f.predictions.neuron_map is m
    assert m.name == "h²₄" and m.scales == ((-1, 1), (-1, 1), (0, 1))


def test_maps_are_recomputed_only_when_the_parameters_change():
    session = spiral_session()
    with session.lock:
        a = build_frame(session, BIG).maps
        session.select(0, 2)
        b = build_frame(session, BIG).maps
    assert b.small is a.small  # only the selection changed: the cached maps
    session.play_chunk(1)
    with session.lock:
        c = build_frame(session, BIG).maps
    assert c.small is not a.small
    assert not np.array_equal(c.small[-1], a.small[-1])


def test_no_maps_without_two_raw_inputs_or_without_room():
    session = spiral_session()
    with session.lock:
        assert build_frame(session, PanelSizes()).maps is None  # the app asked for none
        compact = replace(BIG, diagram_width=38, diagram_height=9, large_map=False)
        assert build_frame(session, compact).maps is None  # 80×24: no room, plain labels
    X = np.random.default_rng(0).normal(size=(20, 3))
    net = NeuralNetwork.from_sizes([3, 4, 1], seed=0)
    problem = Problem(RunConfig(task="regression").resolved(), net, X, X[:, :1] ** 2, "regression")
    s3 = Session(problem)
    with s3.lock:
        assert neuron_maps_view(s3, BIG, diagram_view(s3)) is None
    assert not maps_available(problem) and maps_available(session.problem)


def test_node_maps_only_where_the_diagram_has_room():
    assert node_map_shape([2, 2, 1], [8, 8, 7], 38, 9) is None          # 80×24 compact
    assert node_map_shape([2, 2, 1], [8, 8, 7], 58, 35) == (4, 8)       # 120×40
    assert node_map_shape([2, 16, 16, 1], [8, 10, 10, 7], 58, 35) == (1, 4)
    assert node_map_shape([2, 40, 1], [8, 10, 7], 58, 35) is None       # more nodes than rows


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 4, 1], [2, 3, 5, 2], [2, 8, 8, 1],
                                   [2, 16, 16, 1], [3, 12, 1], [2, 6, 6, 6, 6, 1]])
def test_node_maps_are_the_largest_shape_with_room_at_every_size(sizes):
    """The diagram's rule, stated once more without node_map_shape's shortcut: nodes sit
    rows // n apart (at most 6; rows = height − 2 lines of caption − 1 of titles), a map
    takes fewer lines than that (or 1), and the columns' labels, a map, a space and the gap
    must fit across the width.  node_map_shape gives the largest such shape, or None — at
    every width and height, so its early "not even the smallest" exit is never wrong."""
    n_cols = len(sizes)
    for label_w in ([MIN_LABEL_W] * n_cols, [8, 10, *([11] * (n_cols - 3)), 7]):
        for height in range(8, 46):
            rows = height - 3
            for width in range(10, 140):
                got = node_map_shape(sizes, label_w, width, height)
                if rows < MIN_ROWS or max(sizes[1:]) > rows:
                    assert got is None, (label_w, width, height)
                    continue
                spacing = min(min(6, rows // n) for n in sizes[1:])
                room = [(lines, chars) for lines, chars in _NODE_SHAPES
                        if lines <= max(1, spacing - 1)
                        and sum(label_w) + (n_cols - 1) * (chars + 1 + MIN_GAP) <= width]
                assert got == (room[0] if room else None), (label_w, width, height, got)


def test_label_widths_fit_each_columns_longest_name_and_value():
    """A column is its longest node name, a space and the value (5 cells: "+0.73"); a layer
    left out of the view is the narrowest column; the inputs' column grows by what their
    values need beyond 5 cells ("0.07503" for x₁², never less than 5)."""
    assert label_widths(("x₁", "x₂"), [("h₁", "h₂"), ("ŷ",)]) == [8, 8, 7]
    assert label_widths(("x₁",), [None, ("h²₁₀", "h²₉")]) == [8, MIN_LABEL_W, 4 + 1 + VALUE_W]
    assert label_widths(("x₁", "x₂"), [("ŷ",)], input_labels=("0.07503", "1")) == [10, 7]
    assert label_widths(("x₁", "x₂"), [("ŷ",)], input_labels=("0.5", "1")) == [8, 7]


def line_text(line) -> str:
    return "".join(seg.text for seg in line)


def view_with(points, values, bounds=(0.0, 4.0, 0.0, 4.0), kind="binary"):
    return NeuronMapsView(bounds=bounds, small=None, scales=((0.0, 1.0),), kind=kind,
                          points=points, selected=(0, 0), name="ŷ", large=values)


def test_points_are_drawn_in_the_cell_their_coordinates_map_to():
    values = np.full((8, 6), 0.5)
    b = (0.0, 6.0, 0.0, 8.0)  # 6 × 8 pixels of 1 × 1: pixel (row, col) = (7 - ⌊x₂⌋, ⌊x₁⌋)
    pts = MapPoints(np.array([[2.5, 7.5], [0.2, 0.2], [5.9, 4.1]]), np.array([1.0, 0.0, 1.0]))
    lines = [line_text(l) for l in map_with_points(values, 0, 1, (pts,), b, "binary")]
    expected = {(0, 2): "●", (3, 0): "○", (1, 5): "●"}  # (line = row // 2, col)
    for r, text in enumerate(lines):
        for c, ch in enumerate(text):
            assert ch == expected.get((r, c), "▀"), (r, c)
    test = MapPoints(np.array([[0.2, 0.2]]), np.array([1.0]), test=True)
    lines = [line_text(l) for l in map_with_points(values, 0, 1, (pts, test), b, "binary")]
    assert lines[3][0] == "◆"
    row, col = pixel_of(np.array([[2.5, 7.5], [6.0, 0.0], [-9.0, 99.0]]), Bounds(*b), 6, 8)
    assert row.tolist() == [0, 7, 0] and col.tolist() == [2, 5, 0]


def test_the_output_map_shows_the_training_points_and_a_scale():
    session = spiral_session(20)
    with session.lock:
        m = build_frame(session, BIG).maps
    lines = render_large(m, "truecolor")
    text = "\n".join(line_text(l) for l in lines)
    assert m.caption in text and "class ● 1  ○ 0" in text
    assert text.count("●") + text.count("○") > 20
    assert "1" in line_text(lines[1]) and "0" in line_text(lines[-1])
    session.select(0, 0)  # a hidden neuron: no points
    with session.lock:
        m = build_frame(session, BIG).maps
    text = "\n".join(line_text(l) for l in render_large(m, "truecolor"))
    assert "●" not in text and "○" not in text


def render_ansi(lines, system) -> str:
    """What a terminal with ``system`` colours (None: NO_COLOR) receives."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=system, width=200,
                      no_color=system is None)
    for line in lines:
        console.print(Segments(line))
    return out.getvalue()


def all_renders(system):
    values = np.linspace(0, 1, 12 * 10).reshape(12, 10)
    pts = (MapPoints(np.array([[1.0, 1.0], [3.0, 3.0]]), np.array([0.0, 1.0])),)
    return (heatmap(values, 0, 1, system) + legend(0, 1, 6, system)
            + render_large(view_with(pts, values), system))


@pytest.mark.parametrize("system", SYSTEMS)
def test_colour_fallbacks_send_no_truecolour(system):
    lines = all_renders(system)
    ansi = render_ansi(lines, system)
    truecolour = re.search(r"\x1b\[[0-9;]*[34]8;2;", ansi)
    assert bool(truecolour) == (system == "truecolor")
    colours = {c for line in lines for seg in line if seg.style
               for c in (seg.style.color, seg.style.bgcolor) if c is not None}
    if system is None:  # no colour at all, not even one Textual could grey out
        assert not colours
        assert not re.search(r"\x1b\[[0-9;]*(3|4|9|10)[0-9][;m]", ansi)
    elif system != "truecolor":
        # every colour is one the terminal has exactly: Textual turns colours into
        # RGB and downgrades them again on output, which then keeps them unchanged
        target, table = {"256": (ColorSystem.EIGHT_BIT, EIGHT_BIT_PALETTE),
                         "standard": (ColorSystem.STANDARD, STANDARD_PALETTE)}[system]
        for c in colours:
            assert tuple(table[c.downgrade(target).number]) == tuple(c.triplet), c


def test_the_scale_keeps_low_and_high_apart_in_every_colour_system():
    for system in ("truecolor", "256", "standard"):
        pal = palette(system)
        assert pal[0] != pal[LEVELS - 1] != pal[LEVELS // 2] != pal[0]
    pal = palette("standard")
    numbers = [c.downgrade(ColorSystem.STANDARD).number for c in pal[:LEVELS]]
    assert numbers == sorted(numbers, key=[3, 11, 15, 12, 4].index)  # orange → white → blue
    assert len(set(numbers)) == 5
    # NO_COLOR: glyph densities rise with the value
    row = heatmap(np.linspace(0, 1, 10).reshape(1, 10).repeat(2, axis=0), 0, 1, None)
    text = line_text(row[0])
    assert text[0] == SHADES[0] and text[-1] == SHADES[-1]
    assert [SHADES.index(ch) for ch in text] == sorted(SHADES.index(ch) for ch in text)


def test_the_diagram_draws_node_maps_only_when_there_is_room():
    session = Session(build(RunConfig(task="xor")))
    with session.lock:
        f = build_frame(session, replace(BIG, large_map=False))
        plain = build_frame(session, PanelSizes()).diagram
    d = f.diagram
    assert d.maps is not None
    lines, boxes = render_diagram(d, 58, 35)
    text = [line_text(l) for l in lines]
    assert sum(t.count("▀") for t in text) == 3 * 4 * 8  # h₁, h₂, ŷ: 4 lines × 8 cells
    # each node's map starts on the node's own line, right of its label
    for box in boxes:
        if box.layer >= 0:
            assert text[box.y][box.x + box.width - 8:box.x + box.width] == "▀" * 8
    # 80×24: the same lines as without maps
    small = [line_text(l) for l in render_diagram(d, 38, 9)[0]]
    assert small == [line_text(l) for l in render_diagram(plain, 38, 9)[0]]


def test_test_points_and_features_reach_the_output_map():
    """With a train/test split and extra input features (x₁², x₂²), the map's grid
    goes through the features and the test points are drawn with their own glyph."""
    from nn.features import FeatureMap

    fm = FeatureMap(("x1^2", "x2^2"))
    P, y = datasets.circle(60, seed=1)
    net = NeuralNetwork.from_sizes([2, 1], "sigmoid", "sigmoid", seed=0)
    problem = Problem(RunConfig(task="circle").resolved(), net, fm(P[:40]), y[:40], "binary",
                      X_test=fm(P[40:]), y_test=y[40:], points=P[:40], points_test=P[40:],
                      features=fm)
    session = Session(problem)
    with session.lock:
        m = build_frame(session, BIG).maps
    rows, cols = m.large.shape
    pts = grid_points(Bounds(*m.bounds), cols, rows)
    np.testing.assert_allclose(m.large.ravel(), net.predict(fm(pts))[:, 0], atol=1e-14)
    assert [p.test for p in m.points] == [False, True]
    np.testing.assert_array_equal(m.points[1].X, P[40:])
    text = "".join(line_text(l) for l in render_large(m, None))
    assert "◆" in text or "◇" in text


def test_a_cell_of_the_large_map_gives_the_point_that_is_drawn_there():
    values = np.zeros((8, 6))
    view = view_with((), values, bounds=(-3.0, 3.0, -2.0, 6.0))
    assert large_map_point(view, 0, 0) is None and large_map_point(view, 6, 1) is None
    assert large_map_point(view, 0, 5) is None
    for x, y in ((0, 1), (5, 4), (2, 3)):
        x1, x2 = large_map_point(view, x, y)
        row, col = pixel_of(np.array([[x1, x2]]), Bounds(*view.bounds), 6, 8)
        assert (row[0] // 2 + 1, col[0]) == (y, x)
        pts = (MapPoints(np.array([[x1, x2]]), np.array([1.0])),)
        lines = render_large(replace(view, points=pts), None)
        assert line_text(lines[y])[x] == "●"


def test_levels_put_lo_on_the_first_colour_hi_on_the_last_and_clip_beyond():
    """A value's palette index: lo → 0, hi → LEVELS − 1, linear between (rounded), values
    past the scale on its ends, NaN/inf on LEVELS ("no value"); a flat scale (lo = hi)
    counts one unit above lo."""
    nan, inf = float("nan"), float("inf")
    got = levels(np.array([[-1.0, 0.0, 0.5, 1.0, 2.0, nan, inf, -inf]]), 0.0, 1.0)
    assert got.tolist() == [[0, 0, 12, LEVELS - 1, LEVELS - 1, LEVELS, LEVELS, LEVELS]]
    assert got.dtype.kind == "i"
    steps = np.arange(LEVELS, dtype=float)  # one level per unit on a scale of LEVELS − 1
    assert levels(steps + 5.0, 5.0, 5.0 + LEVELS - 1).tolist() == list(range(LEVELS))
    assert levels(np.array([-2.0, 0.0, 2.0]), -2.0, 2.0).tolist() == [0, 12, LEVELS - 1]
    assert levels(np.array([3.0, 3.5, 4.0]), 3.0, 3.0).tolist() == [0, 12, LEVELS - 1]


def test_the_palette_runs_orange_through_white_to_blue_then_no_value():
    pal = palette("truecolor")
    assert len(pal) == LEVELS + 1
    assert [pal[0].triplet, pal[LEVELS - 1].triplet, pal[LEVELS].triplet] == [LOW, HIGH, EMPTY]
    assert _rgb(0.5) == MID and _rgb(0.0) == LOW and _rgb(1.0) == HIGH
    assert _rgb(0.25) == tuple(round((a + b) / 2) for a, b in zip(LOW, MID))
    assert palette(None) == [None] * (LEVELS + 1)
    standard = [c.triplet for c in palette("standard")]
    bands = [k * len(STANDARD) // LEVELS for k in range(LEVELS)]  # 5 bands, low → high
    assert bands == sorted(bands) and set(bands) == set(range(len(STANDARD)))
    assert standard[0] == STANDARD[0] and standard[LEVELS - 1] == STANDARD[-1]
    assert standard[LEVELS] == (0, 0, 0)


def test_a_map_cell_shows_its_top_pixel_in_front_and_its_bottom_behind():
    pal = palette("truecolor")
    style = _style("truecolor", 3, 20)
    assert (style.color.triplet, style.bgcolor.triplet) == (pal[3].triplet, pal[20].triplet)


def test_a_short_large_map_keeps_what_its_glyphs_mean():
    """At 80×24 the large output map has 6 lines: 3 beside the scale's labels are free for
    notes, and the axis ranges took two of them, so '◆ ◇ test points' was dropped while the
    map showed ◆ and ◇.  The glyphs' meaning comes first; the ranges share a line where it
    fits, else they give way (the caption names the axes)."""
    values = np.linspace(0, 1, 12 * 10).reshape(12, 10)
    pts = (MapPoints(np.array([[1.0, 1.0], [3.0, 3.0]]), np.array([0.0, 1.0])),
           MapPoints(np.array([[2.0, 2.0]]), np.array([1.0]), test=True))
    view = view_with(pts, values, bounds=(-1.0, 1.0, -1.0, 1.0))

    def notes(width):
        return [line_text(l)[14:].strip() for l in render_large(view, None, width)[1:]]

    assert notes(34) == ["1", "class ● 1  ○ 0", "0.5", "◆ ◇ test points", "", "0"]
    assert notes(60) == ["1", "x₁ → -1…1 · x₂ ↑ -1…1", "0.5", "class ● 1  ○ 0",
                         "◆ ◇ test points", "0"]
    train_only = view_with(pts[:1], values, bounds=(-1.0, 1.0, -1.0, 1.0))  # 3 notes, 3 rows
    assert [line_text(l)[14:].strip() for l in render_large(train_only, None, 34)[1:]] == [
        "1", "x₁ → -1…1", "0.5", "x₂ ↑ -1…1", "class ● 1  ○ 0", "0"]


def test_each_point_lands_in_its_cell_with_its_glyph_and_level():
    """point_cells: a character line holds two pixel rows, so pixel (row, col) is cell
    (row // 2, col).  A class point: ● class 1 (y > 0.5, the top colour) and ○ class 0 (the
    bottom one), ◆ ◇ for test rows; a regression target: ● (◆ test) at its own value's level
    on the scale (lo, hi), so a well-fitted point blends into the map."""
    b = (0.0, 6.0, 0.0, 8.0)  # 6 × 8 pixels of 1 × 1: pixel (row, col) = (7 − ⌊x₂⌋, ⌊x₁⌋)
    X = np.array([[2.5, 7.5], [0.2, 0.2], [5.9, 4.1], [3.5, 2.5]])
    train = MapPoints(X, np.array([1.0, 0.0, 0.5, 0.75]))
    test = MapPoints(np.array([[1.5, 5.5]]), np.array([0.0]), test=True)
    got = point_cells((train, test), (8, 6), b, "binary", 0.0, 1.0)
    assert got == {(0, 2): ("●", LEVELS - 1), (3, 0): ("○", 0), (1, 5): ("○", 0),
                   (2, 3): ("●", LEVELS - 1), (1, 1): ("◇", 0)}  # y = 0.5 is class 0
    values = MapPoints(X, np.array([0.0, 1.0, 0.5, 2.0]))
    got = point_cells((values, replace(test, y=np.array([-1.0]))), (8, 6), b, "regression",
                      0.0, 1.0)
    assert got == {(0, 2): ("●", 0), (3, 0): ("●", LEVELS - 1), (1, 5): ("●", 12),
                   (2, 3): ("●", LEVELS - 1), (1, 1): ("◆", 0)}  # past the scale: its end
    assert point_cells((MapPoints(np.zeros((0, 2)), np.zeros(0)),), (8, 6), b, "binary",
                       0.0, 1.0) == {}


def test_the_large_map_is_its_caption_map_scale_and_notes_line_by_line():
    """render_large, whole: the caption, then each map line, two spaces, the scale's bar
    (its labels on the first, middle and last lines) and a note on the lines between, in
    the captions' style; the caption loses " · weights now," where the panel is narrower."""
    values = np.linspace(0, 1, 12 * 10).reshape(12, 10)
    pts = (MapPoints(np.array([[1.0, 1.0], [3.0, 3.0]]), np.array([0.0, 1.0])),
           MapPoints(np.array([[2.0, 2.0]]), np.array([1.0]), test=True))
    view = replace(view_with(pts, values, bounds=(-1.234, 4.567, 0.0, 8.0)),
                   caption="ŷ over x₁, x₂ · weights now, epoch 2 start")
    lines = render_large(view, None)
    assert [line_text(l) for l in lines] == [
        "ŷ over x₁, x₂ · weights now, epoch 2 start",
        "··········  ██ 1",
        "░░░░░░░░░░  ▓▓   x₁ → -1.2…4.6 · x₂ ↑ 0…8",
        "░░░░░▒▒▒▒▒  ▒▒ 0.5",
        "▒▒▒▒▒▒▒●▒▒  ░░   class ● 1  ○ 0",
        "▓▓▓▓▓◆▓▓▓▓  ░░   ◆ ◇ test points",
        "███○██████  ·· 0"]
    grey = _caption_style("truecolor")
    coloured = render_large(view, "truecolor")
    assert coloured[0][0].style == grey
    for k in (2, 4, 5):
        assert coloured[k][-1].style == grey and coloured[k][-2].text == "▀▀", k
        assert [seg.text for seg in coloured[k]][-3] == "  "
    assert line_text(render_large(view, "truecolor", 30)[0]) == "ŷ over x₁, x₂ · epoch 2 start"

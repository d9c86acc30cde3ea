"""The frame's pictures: the target picture of the predictions panel (rasterise), the
large map's size in the predictions area, and each layer's colour scale for its maps.
Found by mutation testing (CONTRIBUTING.md): the frame tests compared the maps' values
with the engine's, whatever their size and scale, and never the target picture."""
from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide")

from nn import get_activation
from nn.layer import Layer
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.view.frame import (LEGEND_W, NOTES_W, PanelSizes, _large_shape, _scale, build_frame,
                            rasterise)


def test_rasterise_puts_each_sample_in_its_pixel_and_averages_them():
    """Pixel (row, col) of a rows × cols picture of bounds: col from x₁ (left = low),
    row from x₂ (top = high); the mean target of the samples in it, NaN where none."""
    X = np.array([[-0.9, 0.9],    # top left
                  [-0.6, 0.6],    # top left too (pixels are 1 wide, 1 tall here)
                  [0.9, -0.9],    # bottom right
                  [0.1, 0.9],     # top, right half
                  [1.0, -1.0],    # on the right and bottom edges: the last pixel, not past it
                  [-1.0, 1.0]])   # on the left and top edges: the first pixel
    y = np.array([[1.0], [0.0], [4.0], [7.0], [6.0], [2.0]])
    got = rasterise(X, y, 2, 2)
    expected = np.array([[(1.0 + 0.0 + 2.0) / 3, 7.0],
                         [np.nan, (4.0 + 6.0) / 2]])
    np.testing.assert_array_equal(got, expected)


def test_rasterise_uses_its_bounds_and_clips_what_lies_outside():
    X = np.array([[0.5, 9.5], [9.5, 0.5], [4.0, 6.0], [-3.0, 20.0], [30.0, -5.0],
                  [4.5, 16.0]])  # (x₂ = 16: a row of -1.2, truncated to -1: clipped to 0)
    y = np.array([[1.0], [2.0], [3.0], [10.0], [20.0], [5.0]])
    got = rasterise(X, y, 2, 5, bounds=(0.0, 10.0, 0.0, 10.0))
    expected = np.full((2, 5), np.nan)
    expected[0, 0] = (1.0 + 10.0) / 2   # (0.5, 9.5) and the clipped (-3, 20): top left
    expected[1, 4] = (2.0 + 20.0) / 2   # (9.5, 0.5) and the clipped (30, -5): bottom right
    expected[0, 2] = (3.0 + 5.0) / 2    # x₁ = 4 of 0…10 in 5 columns: column 2; x₂ = 6: top
    np.testing.assert_array_equal(got, expected)


def pixel_means(X, t, rows: int, cols: int) -> np.ndarray:
    """The oracle: each sample's pixel of [-1, 1]² (edges inside), one at a time."""
    sums, counts = {}, {}
    for (x1, x2), value in zip(X, t):
        c = min(max(int((x1 + 1) / 2 * cols), 0), cols - 1)
        r = min(max(int((1 - x2) / 2 * rows), 0), rows - 1)
        sums[r, c] = sums.get((r, c), 0.0) + value
        counts[r, c] = counts.get((r, c), 0) + 1
    out = np.full((rows, cols), np.nan)
    for rc, total in sums.items():
        out[rc] = total / counts[rc]
    return out


@pytest.mark.parametrize("task", ["spiral", "blobs"])
def test_the_target_picture_of_a_task_without_a_target_function_is_its_data(task):
    """Without a target function the picture is the samples' targets, each pixel the mean
    target of the samples in it (with classes, the mean class, rounded)."""
    s = Session(build(RunConfig(task=task)))
    assert s.config.target_function is None
    sizes = PanelSizes(loss_width=60, map_cols=12, map_rows=6)
    with s.lock:
        pred, target, lo, hi = build_frame(s, sizes).predictions.maps
    X, y = s.problem.X, s.problem.y
    if y.shape[1] > 1:  # blobs: 3 classes
        assert (lo, hi) == (0.0, y.shape[1] - 1.0)
        expected = np.round(pixel_means(X, y.argmax(axis=1), 6, 12))
    else:
        assert (lo, hi) == (y.min(), y.max())
        expected = pixel_means(X, y[:, 0], 6, 12)
    np.testing.assert_array_equal(target, expected)
    assert np.isnan(target).any() and np.isfinite(target).any()


@pytest.mark.parametrize("cols, rows, shape", [
    (27, 14, (16, 24)),   # 120×40: 8 lines below the caption; 2·27+2−12−20 = 24 beside the notes
    (40, 8, (10, 20)),    # wide and short: twice as wide as tall
    (40, 40, (42, 50)),   # tall: as many lines as there are (21), as wide as the notes leave
    (20, 40, (30, 30)),   # narrow: a square as wide as the scale leaves (2·20+2−12)
    (8, 40, (6, 6)),      # too narrow for the notes: still a square
    (4, 4, (2, 2)),       # no room at all: the smallest picture, 2 × 2
])
def test_the_large_map_fills_the_predictions_area_beside_its_scale(cols, rows, shape):
    """(pixel rows, pixel cols): a pixel row is half a line; rows = the area's lines below the
    caption, at most the width beside the colour scale (LEGEND_W) — even, at least 2; cols
    from square up to twice as wide, within what the scale and its notes leave."""
    got = _large_shape(PanelSizes(map_cols=cols, map_rows=rows))
    assert got == shape
    side, width = got
    room = 2 * cols + 2 - LEGEND_W
    assert side % 2 == 0 and side >= 2 and side <= max(2, room)
    assert side <= width <= max(side, min(2 * side, room - NOTES_W))


def layer(activation: str) -> Layer:
    return Layer(np.zeros((2, 2)), np.zeros(2), get_activation(activation))


MAPS = [np.array([[0.5, -3.0], [2.0, np.nan]]), np.array([[np.inf, 1.5]])]


@pytest.mark.parametrize("activation, last, kind, scale", [
    ("sigmoid", True, "binary", (0.0, 1.0)),
    ("softmax", True, "multiclass", (0.0, 1.0)),
    ("tanh", False, "regression", (-1.0, 1.0)),
    ("relu", False, "binary", (0.0, 3.0)),          # the largest |value| (NaN and inf left out)
    ("identity", False, "regression", (-3.0, 3.0)),  # a hidden layer: symmetric
    ("identity", True, "binary", (-3.0, 3.0)),
    ("identity", True, "regression", (-0.25, 4.0)),  # a regression output: the targets' range
])
def test_each_layer_maps_on_its_activations_range_or_its_values(activation, last, kind, scale):
    y = np.array([[4.0], [-0.25], [np.nan], [1.0]])
    assert _scale(layer(activation), MAPS, last, kind, y) == scale


def test_small_values_get_a_scale_as_small():
    small = [np.array([[0.25, -0.5]])]
    assert _scale(layer("identity"), small, False, "binary", np.zeros((0, 1))) == (-0.5, 0.5)
    assert _scale(layer("relu"), small, False, "binary", np.zeros((0, 1))) == (0.0, 0.5)


def test_a_scale_with_nothing_to_measure_is_one_wide():
    y = np.array([[2.0], [2.0]])
    assert _scale(layer("relu"), [], False, "binary", y) == (0.0, 1.0)
    assert _scale(layer("identity"), [np.zeros((2, 2))], False, "binary", y) == (-1.0, 1.0)
    # every target the same: one either side of it
    assert _scale(layer("identity"), MAPS, True, "regression", y) == (1.0, 3.0)
    # no targets: the values' range
    assert _scale(layer("identity"), MAPS, True, "regression", np.zeros((0, 1))) == (-3.0, 3.0)


def predictions(s, cols=12, rows=6):
    with s.lock:
        return build_frame(s, PanelSizes(loss_width=60, map_cols=cols, map_rows=rows)).predictions


def test_the_predictions_map_is_the_networks_output_on_the_pixel_grid():
    """A 2-input task that is not a gate: ŷ at each pixel's centre of [-1, 1]², the
    caption saying which weights (the epoch's start, or mid-epoch after a neuron's step)."""
    from nn import Granularity, datasets

    s = Session(build(RunConfig(task="circle")))
    s.play_chunk(2)
    p = predictions(s)
    pts = datasets.pixel_grid(12, 6)
    np.testing.assert_array_equal(p.maps[0], s.net.predict(pts)[:, 0].reshape(6, 12))
    assert p.maps[2:] == (float(s.problem.y.min()), float(s.problem.y.max()))
    assert p.caption == "ŷ with the weights now (epoch 2 start)" and p.bounds is None
    s.granularity = Granularity.NEURON
    s.step()
    assert predictions(s).caption == "ŷ with the weights now (epoch 2, mid-epoch)"


def test_with_classes_the_map_is_the_predicted_class_beside_the_true_one():
    from nn import datasets

    s = Session(build(RunConfig(task="blobs")))
    s.play_chunk(2)
    p = predictions(s)
    pts = datasets.pixel_grid(12, 6)
    np.testing.assert_array_equal(p.maps[0], s.net.predict(pts).argmax(axis=1)
                                  .astype(float).reshape(6, 12))
    assert p.maps[2:] == (0.0, 2.0) and p.classes == 3
    assert p.caption == "class = argmax ŷ with the weights now (epoch 2 start)"


def test_data_outside_the_unit_square_gets_the_square_around_it():
    """A CSV's x₁ in 0 … 10: the map covers the data (the neuron maps' square), not [-1, 1]²."""
    from dataclasses import replace as with_data

    from nn import datasets
    from nn.maps import data_bounds

    problem = build(RunConfig(task="circle"))
    X = problem.X * 5.0 + 5.0
    problem = with_data(problem, X=X, points=X)
    s = Session(problem)
    p = predictions(s)
    box = data_bounds(X)
    assert p.bounds == (box.x1_lo, box.x1_hi, box.x2_lo, box.x2_hi)
    pts = datasets.pixel_grid(12, 6, p.bounds)
    np.testing.assert_array_equal(p.maps[0], s.net.predict(pts)[:, 0].reshape(6, 12))
    np.testing.assert_array_equal(p.maps[1], rasterise(X, problem.y, 6, 12, p.bounds))


@pytest.mark.parametrize("task, scale", [("circle", 1.5), ("blobs", 5.0)])
def test_data_just_outside_the_unit_square_too(task, scale):
    """|x| up to 1.5 is outside [-1, 1]²: the map covers the data; with classes too."""
    from dataclasses import replace as with_data

    from nn.maps import data_bounds

    problem = build(RunConfig(task=task))
    X = problem.X * scale
    problem = with_data(problem, X=X, points=X)
    p = predictions(Session(problem))
    box = data_bounds(X)
    assert p.bounds == (box.x1_lo, box.x1_hi, box.x2_lo, box.x2_hi)
    t = problem.y.argmax(axis=1)[:, None].astype(float) if problem.y.shape[1] > 1 else problem.y
    target = rasterise(X, t, 6, 12, p.bounds)
    np.testing.assert_array_equal(p.maps[1], np.round(target) if problem.y.shape[1] > 1
                                  else target)


def test_two_classes_one_hot_are_classes_too():
    """A 2-column one-hot target (a CSV of 2 classes): the predicted class, not ŷ₁."""
    from dataclasses import replace as with_data

    from nn import NeuralNetwork, datasets

    problem = build(RunConfig(task="blobs"))
    keep = problem.y[:, 2] == 0
    X, y = problem.X[keep], problem.y[keep][:, :2]
    net = NeuralNetwork.from_sizes([2, 3, 2], "tanh", "softmax", seed=0, loss="softmax-ce")
    problem = with_data(problem, X=X, points=X, y=y, net=net)
    p = predictions(Session(problem))
    pts = datasets.pixel_grid(12, 6)
    assert p.classes == 2 and p.maps[2:] == (0.0, 1.0)
    np.testing.assert_array_equal(p.maps[0], net.predict(pts).argmax(axis=1)
                                  .astype(float).reshape(6, 12))


def test_with_features_the_pictures_are_over_the_raw_inputs():
    """The network takes x₁², x₂²: the table shows x₁, x₂, and the target picture is
    drawn from the raw points (not from the feature columns)."""
    xor = Session(build(RunConfig(task="xor", features=("x1^2", "x2^2", "x1x2"))))
    table = predictions(xor).table
    np.testing.assert_array_equal(table[0], xor.problem.X2)
    assert xor.problem.X.shape[1] == 3
    circle = Session(build(RunConfig(task="circle", features=("x1^2", "x2^2"))))
    p = predictions(circle)
    raw = circle.problem.X2
    assert not np.array_equal(raw, circle.problem.X)
    np.testing.assert_array_equal(p.maps[1], rasterise(raw, circle.problem.y, 6, 12))


def test_a_relu_layers_maps_take_their_values_range():
    """ReLU is unbounded: its maps' scale is 0 … the largest value they hold."""
    s = Session(build(RunConfig(task="circle", hidden=(3,), activation="relu")))
    s.play_chunk(2)
    with s.lock:
        maps = build_frame(s, PanelSizes(loss_width=60, map_cols=27, map_rows=14,
                                         diagram_width=100, diagram_height=30)).maps
    values = maps.small[0][np.isfinite(maps.small[0])]
    assert maps.scales[0] == (0.0, float(np.abs(values).max())) and values.max() > 0


def test_the_large_map_shows_the_selected_outputs_own_targets():
    """With classes, output neuron j's map is drawn over the points of class j ("1") and
    the others ("0"); a hidden neuron's, over output 1's."""
    s = Session(build(RunConfig(task="blobs")))
    y = s.problem.y
    for (layer, j), column in (((1, 2), 2), ((1, 1), 1), ((0, 2), 0)):
        s.select(layer, j)
        with s.lock:
            maps = build_frame(s, PanelSizes(loss_width=60, map_cols=27, map_rows=14,
                                             large_map=True)).maps
        np.testing.assert_array_equal(maps.points[0].y, y[:, column])


def test_the_output_maps_of_a_regression_take_the_targets_range():
    s = Session(build(RunConfig(task="regression", hidden=(3,))))
    with s.lock:
        maps = build_frame(s, PanelSizes(loss_width=60, map_cols=27, map_rows=14,
                                         large_map=True)).maps
    y = s.problem.y
    assert maps.scales[-1] == (float(y.min()), float(y.max()))
    hidden = s.net.layers[0].activation.name
    assert maps.scales[0] == {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}[hidden]


def large_map_frame(s, **sizes):
    panels = dict(loss_width=60, map_cols=27, map_rows=14, large_map=True)
    with s.lock:
        return build_frame(s, PanelSizes(**{**panels, **sizes}))


def test_the_large_maps_caption_says_which_weights_and_the_predictions_area_shows_it():
    from nn import Granularity
    from nn.naming import neuron_name

    s = Session(build(RunConfig(task="circle", hidden=(3,))))
    s.play_chunk(2)
    s.select(0, 1)
    f = large_map_frame(s)
    name = neuron_name(0, 1, s.net.sizes)
    assert f.maps.caption == f"{name} over x₁, x₂ · weights now, epoch 2 start"
    assert f.predictions.caption == f.maps.caption and f.predictions.neuron_map is f.maps
    s.granularity = Granularity.NEURON
    s.step()
    assert large_map_frame(s).maps.caption.endswith("weights now, epoch 2, mid-epoch")


def test_small_maps_only_where_asked_and_the_diagram_has_a_width():
    s = Session(build(RunConfig(task="circle", hidden=(3,))))
    assert large_map_frame(s, diagram_width=100, diagram_height=30).maps.small is not None
    assert large_map_frame(s, diagram_width=100, diagram_height=30,
                           neuron_maps=False).maps.small is None
    assert large_map_frame(s, diagram_width=0, diagram_height=30).maps.small is None
    assert large_map_frame(s, diagram_width=1, diagram_height=30).maps.small is None


@pytest.mark.parametrize("task, kind", [("circle", "binary"), ("blobs", "binary"),
                                        ("regression", "regression")])
def test_the_maps_kind_classes_are_drawn_as_binary(task, kind):
    """A class's map is "this class or not": drawn as a binary map."""
    assert large_map_frame(Session(build(RunConfig(task=task)))).maps.kind == kind


def test_held_out_points_on_the_map_and_inside_its_bounds():
    """With a test split the map's square covers the test points too, drawn apart."""
    from nn.maps import data_bounds

    s = Session(build(RunConfig(task="circle", test_fraction=0.3)))
    p = s.problem
    m = large_map_frame(s).maps
    assert [pts.test for pts in m.points] == [False, True]
    np.testing.assert_array_equal(m.points[1].X, p.X2_test)
    np.testing.assert_array_equal(m.points[1].y, p.y_test[:, 0])
    box = data_bounds(np.vstack([p.X2, p.X2_test]))
    assert m.bounds == (box.x1_lo, box.x1_hi, box.x2_lo, box.x2_hi)


# Mutants of tui/view/frame.py that no fast test kills (mutmut 3.8.1, names as `mutmut results`
# gives them; 115 of 1 565, after the tests above and in test_frame_panels.py):
# - Equivalent (change nothing shown): the forward cache's slot names and a key left for
#   predict to read itself (_predictions 34 40 41 84 91 92 137 144; the extra read is caught
#   by test_frame_reads' count where it can happen); batch_rows 3 4 6 7 12 (the order cache
#   only); getattr defaults and names for attributes every Problem and Session has (map_inputs
#   6 8 10 14 27 32 33 41 42 43, maps_available 10 11 15 16 17, input_names 6, _status 19 22 82,
#   neuron_maps_view 14 19 116, _predictions 27 30); astype(None)/dtype None on float arrays
#   (_predictions 98 112, _target_column 7 9 11); _target_column 16 (column ≤ K − 1 always);
#   _compute_maps 37 (two grids: the second starts at n either way); _large_shape 16 (an odd
#   bound rounded down to the same even side); _scale 20 (zeros(1) gives the same top of 1);
#   _neuron 14 19 24 26 72 79 (an empty cache copied is the empty array); _loss 1 (every
#   caller passes per_batch); neuron_maps_view 3 5 and _digits_view 3 5 (the reads made here
#   when none are passed: the same values); diagram_view 30 (known for a layer not read:
#   such a layer is not drawn); build_frame 2 (errstate: warnings only); _narration 9
#   (neuron == the event's first is the same neuron); _caption 1 (every caller passes missing).
# - Not equivalent, left: the drawn points on the output map (neuron_maps_view 138–154: the
#   drawing mode's Pilot tests hold it), a CSV with NaN rows (_predictions 49 51), the map
#   bounds' 1.0 edge with features (maps_available 4, _predictions 18 145 147 149 166,
#   map_inputs 17: tasks without 2 raw inputs, which are image tasks), the input labels'
#   feature keys (diagram_view 156 179–195: tests/test_equations.py's derived-input test
#   reaches them through the frame but not per mutant), the envelope's point counts at
#   width ≤ 10 (_loss 12 13 14 34 59 61), diagram_view 69 73 74 75 (a batch's empty cache),
#   neuron_maps_view 25 26 36 38 41 63 196, _first_batch_loss 1, build_frame 19.

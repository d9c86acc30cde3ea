"""A 1 000-layer network (the most hidden layers a model file may have) on screen: the
frame reads only the layers the diagram's width can show, and the diagram draws exactly
what it drew when the frame held every layer."""
from __future__ import annotations

import numpy as np
import pytest

from nn import NeuralNetwork
from tui.app.widgets.diagram import _window, render_diagram
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.view.frame import diagram_view
from tui.view.layout import MIN_GAP, MIN_LABEL_W, diagram_layers


def deep_session(n_hidden: int, batch: int | None = None) -> Session:
    net = NeuralNetwork.from_sizes([2] + [2] * n_hidden + [1], "tanh", "sigmoid", seed=0)
    problem = build(RunConfig(task="xor", batch=batch))
    problem.net = net
    return Session(problem)


def text(lines) -> list[str]:
    return ["".join(seg.text for seg in line) for line in lines]


def styled(lines) -> list[list[tuple[str, str]]]:
    return [[(seg.text, str(seg.style)) for seg in line] for line in lines]


@pytest.mark.parametrize("n_hidden", [1000, 40])
def test_the_diagram_of_a_deep_network_reads_only_what_it_can_show(n_hidden):
    s = deep_session(n_hidden)
    for _ in range(7):
        s.step()
    n_layers = n_hidden + 1
    cases = [(80, 20, (n_layers - 1, 0)), (120, 30, (3, 1)), (100, 20, (n_layers // 2, 0)),
             (60, 12, (n_layers - 2, 1)), (200, 40, (0, 0))]
    for width, height, selected in cases:
        s.select(*selected)
        windowed, full = diagram_view(s, width), diagram_view(s)
        assert full.layers is None
        held = windowed.layers
        assert held is not None and len(held) <= 3 * (width // 9 + 1) + 2, (width, held)
        assert sum(v is not None for v in windowed.values) == len(held)
        assert selected[0] in held and n_layers - 1 in held
        lines, boxes = render_diagram(windowed, width, height)
        full_lines, full_boxes = render_diagram(full, width, height)
        assert styled(lines) == styled(full_lines), (width, selected)
        assert boxes == full_boxes
        assert any((b.layer, b.index) == selected for b in boxes), (width, selected)


def test_a_network_that_fits_is_read_whole():
    s = deep_session(3)
    assert diagram_view(s, 80).layers is None and diagram_layers(4, 3, 80) is None
    assert diagram_layers(1000, 999, 0) is None  # width unknown: every layer


def test_mini_batches_on_a_deep_network_too():
    s = deep_session(300, batch=2)
    for _ in range(5):
        s.step()
    s.select(1, 0)
    windowed, full = diagram_view(s, 100), diagram_view(s)
    assert styled(render_diagram(windowed, 100, 24)[0]) == styled(render_diagram(full, 100, 24)[0])
    held = windowed.layers
    for l in held:
        np.testing.assert_array_equal(windowed.values[l], full.values[l])


def test_the_compare_view_of_deep_branches_reads_only_what_it_shows():
    from tui.app.widgets.compare import DIAGRAM_HEIGHT, diagram_width
    from tui.view.compare import compare_view

    s = deep_session(1000)
    s.step()
    s.fork()
    s.step()
    each = diagram_width(2, 118)
    windowed = compare_view(s, diagrams=True, diagram_width=each).diagrams
    full = compare_view(s, diagrams=True).diagrams
    assert len(windowed) == 2
    for w, f in zip(windowed, full):
        assert w.layers is not None and len(w.layers) <= 3 * (each // 9 + 1) + 2
        assert styled(render_diagram(w, each, DIAGRAM_HEIGHT - 1)[0]) == \
            styled(render_diagram(f, each, DIAGRAM_HEIGHT - 1)[0])


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4, 8, 9, 10, 11, 12, 17, 40, 1000])
def test_the_layers_read_hold_every_window_the_diagram_may_draw(n_layers):
    """For every width and selected layer: None exactly when every column fits (or the width
    is unknown); else a sorted set of O(width) layers holding the output, the selected layer
    and every window of k hidden layers the diagram's overflow layout may choose
    (``_window``, for each k that its narrowest columns allow)."""
    step = MIN_LABEL_W + MIN_GAP
    n_cols, n_hidden = n_layers + 1, n_layers - 1
    selections = (range(n_layers) if n_layers < 100
                  else [0, 1, 2, 3, 7, 8, 9, 10, 11, 500, 996, 997, 998, 999])
    for width in range(-1, 130):
        all_fit = width <= 0 or n_cols <= 2 or n_cols * step - MIN_GAP <= width
        for selected in selections:
            got = diagram_layers(n_layers, selected, width)
            if all_fit:
                assert got is None, (width, selected)
                continue
            assert got is not None and list(got) == sorted(set(got)), (width, selected)
            assert n_layers - 1 in got and selected in got, (width, selected, got)
            assert len(got) <= 3 * (width // step + 1) + 2, (width, len(got))
            assert all(0 <= layer < n_layers for layer in got)
            for k in range(min(n_hidden - 1, width // step) + 1):
                start = _window(n_hidden, k, selected + 1)  # (columns: the inputs are 0)
                shown = {col - 1 for col in range(start, start + k)}
                assert shown <= set(got), (width, selected, k, sorted(shown - set(got)))

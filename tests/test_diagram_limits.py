"""The diagram at its limits (issue 13): with more hidden layers than fit across
the panel it draws the inputs, as many hidden layers as fit, a marker saying how
many layers (and neurons) it leaves out, and always the output layer; nothing
is cut mid-label and nothing raises, down to the smallest screen (60×18)."""
import re

import pytest

from tui.core.config import RunConfig, build
from tui.view.frame import PanelSizes, build_frame
from tui.core.session import Session
from tui.app.widgets.diagram import render_diagram

#: the diagram's content size in the app at these terminal sizes (measured with Pilot)
CONTENT = {"60x18": (28, 6), "80x24": (38, 9), "120x40": (56, 24)}
#: the app's panel sizes at 120×40 with room for node maps (as in test_maps.py)
BIG = PanelSizes(loss_width=60, map_cols=29, map_rows=14, diagram_width=58,
                 diagram_height=35, large_map=False)


def diagram(hidden, task="regression", selected=None, sizes=PanelSizes()):
    session = Session(build(RunConfig(task=task, hidden=tuple(hidden))))
    if selected is not None:
        session.selected = selected
    with session.lock:
        return build_frame(session, sizes).diagram


def drawn(d, width, height):
    """The diagram's text lines and boxes, after checking that every node label
    is whole: inside the panel, its name where the box says, nothing drawn over
    it, and every "⋮ N" reading "⋮ N more"."""
    lines, boxes = render_diagram(d, width, height)
    text = ["".join(seg.text for seg in line) for line in lines]
    assert len(text) == height and all(len(t) == width for t in text)
    names = [d.input_names, *d.names]
    for box in boxes:
        assert 0 <= box.x and box.x + box.width <= width, (box, width)
        label = text[box.y][box.x:box.x + box.width]
        name = names[box.layer + 1][box.index]
        assert label.startswith(name), (label, name)
        assert not re.search("[⋯⋮\u2800-\u28ff]", label), label
    for t in text:
        for m in re.finditer(r"⋮ \d+", t):
            assert t[m.end():m.end() + 5] == " more", t
    return text, boxes


def hidden_shown(boxes) -> set[int]:
    return {b.layer for b in boxes if b.layer >= 0}


def left_out(text) -> int:
    """Hidden layers the markers say are not shown."""
    return sum(int(n) for n in re.findall(r"⋯ (\d+)", " ".join(text)))


def markers(text) -> list[str]:
    """Each marker's words: the lines from its "⋯" down, in its column."""
    found = []
    for r, t in enumerate(text):
        for x in (m.start() for m in re.finditer("⋯", t)):
            words = []
            for line in text[r:]:
                part = line[x:].split("  ")[0].strip()
                if not part:
                    break
                words.append(part)
            found.append(" ".join(words))
    return found


@pytest.mark.parametrize("hidden,size,at_least", [
    ((8,) * 5, "80x24", 1), ((8,) * 5, "120x40", 3), ((64, 64), "80x24", 1)])
def test_wide_networks_keep_the_output_and_say_what_they_leave_out(hidden, size, at_least):
    d = diagram(hidden)
    width, height = CONTENT[size]
    text, boxes = drawn(d, width, height)
    n_layers = len(hidden) + 1
    assert any(b.layer == n_layers - 1 for b in boxes), "the output node is drawn"
    assert "ŷ" in "".join(text)
    shown = hidden_shown(boxes) - {n_layers - 1}
    assert len(shown) >= at_least and shown == set(range(len(shown)))  # from the first on
    # the marker counts the layers (and neurons) it stands for
    assert left_out(text) == len(hidden) - len(shown)
    hid = hidden[len(shown):]
    (marker,) = markers(text)
    assert marker.startswith(f"⋯ {len(hid)} layer") and marker.endswith("not shown"), marker
    neurons = re.search(r"\((\d+) neurons?\)", marker)
    assert neurons is None or int(neurons.group(1)) == sum(hid)


@pytest.mark.parametrize("n_hidden", range(1, 11))
def test_nothing_raises_or_is_cut_for_1_to_10_hidden_layers(n_hidden):
    d = diagram((8,) * n_hidden)
    for width, height in (*CONTENT.values(), (33, 7), (46, 12), (58, 35), (90, 20), (160, 40)):
        text, boxes = drawn(d, width, height)
        assert any(b.layer == n_hidden for b in boxes), (width, height)
        assert len(hidden_shown(boxes)) - 1 + left_out(text) == n_hidden, (width, height)
        if len(hidden_shown(boxes)) > 1:  # a hidden layer less rather than a terse marker
            assert all(re.match(r"⋯ \d+ layers?", m) for m in markers(text)), markers(text)


def test_the_selected_neurons_layer_stays_in_view_with_the_layers_around_it():
    d = diagram((8,) * 8, selected=(5, 2))  # hidden layer 6
    text, boxes = drawn(d, *CONTENT["120x40"])
    shown = sorted(hidden_shown(boxes) - {8})
    assert 5 in shown and shown[0] > 0 and shown[-1] < 7  # layers before and after are left out
    assert 4 in shown or 6 in shown
    assert left_out(text) == 8 - len(shown) and len(markers(text)) == 2
    assert any(b.layer == 8 for b in boxes)
    # the last hidden layer selected: one marker, on the left
    text, boxes = drawn(diagram((8,) * 8, selected=(7, 0)), *CONTENT["120x40"])
    assert 7 in hidden_shown(boxes) and 0 not in hidden_shown(boxes)
    assert len(markers(text)) == 1


def test_networks_that_fit_are_drawn_whole_without_a_marker():
    text, boxes = drawn(diagram((8, 8)), *CONTENT["120x40"])
    assert hidden_shown(boxes) == {0, 1, 2} and "⋯" not in "".join(text)


def test_node_maps_still_drawn_where_they_fit_and_wide_networks_never_raise_with_maps():
    d = diagram((4, 4), task="xor", sizes=BIG)
    assert d.maps is not None
    text, boxes = drawn(d, 58, 35)
    assert "⋯" not in "".join(text) and sum(t.count("▀") for t in text) > 0
    for hidden in ((4,) * 6, (6,) * 9):
        d = diagram(hidden, task="xor", sizes=BIG)
        for width, height in ((58, 35), CONTENT["80x24"], CONTENT["60x18"]):
            text, boxes = drawn(d, width, height)
            assert any(b.layer == len(hidden) for b in boxes)
    # maps made for the big panel, drawn in a narrow one: plain labels and a marker
    d = diagram((4,) * 4, task="xor", sizes=BIG)
    text, boxes = drawn(d, *CONTENT["80x24"])
    assert "▀" not in "".join(text) and left_out(text) > 0

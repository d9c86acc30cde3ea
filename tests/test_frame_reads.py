"""A frame reads the network's O(layers) parts once (tui.view.frame.NetReads): its sizes,
its activations' names and the forward passes' key (the weights' bytes).  Each frame's
reads must be of the network as it is now: after a step, a rewind, a fork, an edit, a
rebuilt network or an activation changed in place, every number shown is the engine's."""
from __future__ import annotations

import numpy as np
import pytest

from nn import Granularity, get_activation
from nn.maps import Bounds, neuron_maps
from nn.naming import neuron_name
from nn.network import NeuralNetwork
from tui.core import forward_cache
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.view.frame import PanelSizes, build_frame

#: the diagram with its small maps, and ŷ's table (xor is a gate task)
TABLE = PanelSizes(loss_width=60, map_cols=16, map_rows=8, diagram_width=100, diagram_height=30)
#: the selected neuron's large map instead of the table
LARGE = PanelSizes(loss_width=60, map_cols=16, map_rows=8, diagram_width=100, diagram_height=30,
                   large_map=True)


def frames(s):
    with s.lock:
        return build_frame(s, TABLE), build_frame(s, LARGE)


def check_current(s) -> np.ndarray:
    """Every network-wide number of both frames is the network's now; returns ŷ shown."""
    table, large = frames(s)
    net, sizes = s.net, tuple(s.net.sizes)
    for f in (table, large):
        assert f.status.architecture == net.describe()
        assert f.diagram.sizes == sizes and f.narration.sizes == sizes
        assert len(f.diagram.names) == len(net.layers)
        l, j = s.selected
        assert f.neuron.name == neuron_name(l, j, sizes)
        assert f.maps.name == neuron_name(l, j, sizes)
        assert len(f.maps.scales) == len(net.layers)
    y_hat = table.predictions.table[2]
    np.testing.assert_array_equal(y_hat, net.predict(s.problem.X))
    m = large.maps
    rows, cols = m.large.shape
    engine = neuron_maps(net, Bounds(*m.bounds), cols, rows)
    np.testing.assert_allclose(m.large, engine[l][j], atol=1e-12)
    _, r, c = m.small[0].shape
    for mine, theirs in zip(m.small, neuron_maps(net, Bounds(*m.bounds), c, r)):
        np.testing.assert_allclose(mine, theirs, atol=1e-12)
    return y_hat


def xor_session(hidden=(3,)) -> Session:
    s = Session(build(RunConfig(task="xor", hidden=hidden, lr=5.0)))
    s.select(len(s.net.layers) - 1, 0)
    return s


def test_every_frame_reads_the_network_now_after_steps_rewinds_forks_and_edits():
    s = xor_session()
    s.granularity = Granularity.EPOCH  # (a step: a whole epoch, the weights updated)
    start = check_current(s)
    for _ in range(3):
        s.step()
    stepped = check_current(s)
    assert not np.array_equal(stepped, start)  # (the weights did change: lr 5)
    s.back()
    s.back()
    s.back()
    np.testing.assert_array_equal(check_current(s), start)  # rewound: as at the start
    s.play_chunk(4)
    played = check_current(s)
    s.go_to_epoch(1)
    check_current(s)
    s.play_chunk(3)  # (go_to_epoch rewound to epoch 1; 3 epochs on: as played)
    np.testing.assert_array_equal(check_current(s), played)
    s.fork()
    np.testing.assert_array_equal(check_current(s), played)  # the fork: the same weights
    s.edit(len(s.net.layers) - 1, 0, 0, 3.0)  # B's weight only
    edited = check_current(s)
    assert not np.array_equal(edited, played)
    s.play_chunk(2)  # (every branch plays)
    forked = check_current(s)
    s.switch_branch(0)
    assert not np.array_equal(check_current(s), forked)  # A's, not B's
    s.switch_branch(1)
    np.testing.assert_array_equal(check_current(s), forked)


def test_a_rebuilt_network_and_an_activation_changed_in_place_are_read_anew():
    s = xor_session()
    s.play_chunk(2)
    check_current(s)
    s.configure({"hidden": [4, 2]})  # a new network of other sizes
    assert tuple(s.net.sizes) == (2, 4, 2, 1)
    s.select(len(s.net.layers) - 1, 0)
    check_current(s)
    s.play_chunk(1)
    before = check_current(s)
    s.net.layers[0].activation = get_activation("relu")  # (as the lessons' planted bug does)
    assert not np.array_equal(check_current(s), before)


def counting(monkeypatch) -> dict:
    """Count the network's O(layers) reads: net.sizes, net.activations, the weights' bytes."""
    counts = {"sizes": 0, "activations": 0, "weights": 0}
    for name in ("sizes", "activations"):
        plain = getattr(NeuralNetwork, name)

        def read(net, plain=plain, name=name):
            counts[name] += 1
            return plain.fget(net)
        monkeypatch.setattr(NeuralNetwork, name, property(read))
    weights = forward_cache.weights_key

    def counted(net):
        counts["weights"] += 1
        return weights(net)
    monkeypatch.setattr(forward_cache, "weights_key", counted)
    return counts


@pytest.mark.parametrize("task, panels", [("xor", TABLE), ("xor", LARGE), ("circle", TABLE),
                                          ("blobs", TABLE)],
                         ids=["table", "large map", "predictions map", "classes map"])
def test_a_frame_reads_the_sizes_the_activations_and_the_weights_once(monkeypatch, task, panels):
    """Before: net.sizes 6–7 times a frame (≈ 0.7 ms each on 1 000 layers), the
    activations 2–3 times, the weights' bytes twice (the maps' key and ŷ's)."""
    s = Session(build(RunConfig(task=task, hidden=(3,))))
    s.granularity = Granularity.NEURON  # (the caption names the next neuron: its sizes)
    s.step()
    counts = counting(monkeypatch)
    with s.lock:
        f = build_frame(s, panels)
    assert f.maps is not None and f.neuron is not None  # (every part that reads them built)
    assert counts == {"sizes": 1, "activations": 1, "weights": 1}

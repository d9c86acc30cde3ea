"""The engine's parts, each on its own: typed step events, the θ layout, the schedule of
an epoch, and ``Stepper.copy``."""
import dataclasses

import numpy as np
import pytest

from nn import (BackwardEvent, ForwardEvent, Granularity, LossEvent, NeuralNetwork, SlotChange,
                Stepper, ThetaLayout, UpdateEvent, datasets)
from nn.schedule import Phase, Schedule

G = Granularity
KINDS = {Phase.FORWARD: ForwardEvent, Phase.LOSS: LossEvent, Phase.BACKWARD: BackwardEvent,
         Phase.UPDATE: UpdateEvent}


def _stepper(optimizer="adam", batch=None, **kw):
    X, y = datasets.regression(12)
    net = NeuralNetwork.from_sizes([2, 3, 2, 1], "tanh", "identity", seed=0, optimizer=optimizer,
                                   **kw)
    return Stepper(net, X, y, 0.05, batch=batch)


def test_each_phase_gives_its_own_frozen_event_with_the_engines_numbers():
    s = _stepper(weight_decay=0.01)
    events = s.finish_epoch()
    assert [type(e) for e in events] == [KINDS[e.phase] for e in events]
    assert [e.phase for e in events] == [Phase.FORWARD] * 3 + [Phase.LOSS] + \
        [Phase.BACKWARD] * 3 + [Phase.UPDATE] * 3
    fwd, loss, bwd, upd = events[0], events[3], events[4], events[-1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fwd.z = None
    np.testing.assert_array_equal(fwd.z, fwd.x @ fwd.w + fwd.b)
    assert not fwd.a_pending and fwd.a.shape == fwd.z.shape == (12, 3)
    assert loss.loss == pytest.approx(loss.data_loss + loss.penalty) and loss.epoch_loss is None
    assert bwd.layer == 2 and bwd.next_delta is None and bwd.decay_w is not None
    assert events[5].next_delta is not None and events[5].next_w.shape == (2, 1)
    assert upd.optimizer == "adam" and set(upd.slots) == {"m", "v"}
    assert isinstance(upd.slots["m"], SlotChange)
    np.testing.assert_array_equal(upd.change_w, upd.w_after - upd.w_before)
    np.testing.assert_array_equal(s.net.layers[2].W, upd.w_after)


def test_an_events_arrays_are_every_array_it_holds_slots_included():
    s = _stepper()
    for ev in s.finish_epoch():
        expected = [getattr(ev, f.name) for f in dataclasses.fields(ev)
                    if isinstance(getattr(ev, f.name), np.ndarray)]
        if isinstance(ev, UpdateEvent):
            expected += [a for slot in ev.slots.values()
                         for a in (slot.w_before, slot.w_after, slot.b_before, slot.b_after)]
        assert [id(a) for a in ev.arrays()] == [id(a) for a in expected]
        assert ev.object_bytes() > 0


def test_mini_batch_loss_events_say_which_batch_and_the_epochs_loss():
    s = _stepper(optimizer="gd", batch=5)
    losses = [e for e in s.finish_epoch() if isinstance(e, LossEvent)]
    assert [e.batch for e in losses] == [0, 1, 2] and losses[0].n_batches == 3
    assert [e.epoch_loss is None for e in losses] == [True, True, False]
    assert losses[-1].epoch_loss == s.losses[-1]
    assert sorted(np.concatenate([e.samples for e in losses])) == list(range(12))


@pytest.mark.parametrize("sizes", [[2, 1], [2, 3, 1], [3, 4, 5, 2]])
def test_the_theta_layout_is_where_the_layers_keep_their_parameters(sizes):
    net = NeuralNetwork.from_sizes(sizes, seed=1)
    layout = ThetaLayout.from_sizes(sizes)
    assert layout == net.layout and layout.size == net.n_params == len(net.theta)
    for layer, (W, b) in zip(net.layers, layout.split(net.theta)):
        assert np.shares_memory(W, layer.W) and np.shares_memory(b, layer.b)
        np.testing.assert_array_equal(W, layer.W)
    for l, layer in enumerate(net.layers):
        for j in range(layer.n_out):
            idx = layout.neuron_index(l, j, j + 1)
            np.testing.assert_array_equal(net.theta[idx], np.append(layer.W[:, j], layer.b[j]))
    stacked = np.stack([net.theta, 2 * net.theta])  # leading axes: a stack of runs
    for (W, b), layer in zip(layout.split(stacked), net.layers):
        np.testing.assert_array_equal(W[1], 2 * layer.W)
        np.testing.assert_array_equal(b[1], 2 * layer.b)
    for k in range(layout.size):  # every position of θ is one named parameter
        l, kind, index = layout.locate(k)
        array = net.layers[l].W if kind == "w" else net.layers[l].b
        assert net.theta[k] == array[index] and np.shares_memory(array, net.theta)
    with pytest.raises(IndexError):
        layout.locate(layout.size)
    copies = layout.copies(net.theta)
    copies[0][0][...] = 99.0
    assert not (net.layers[0].W == 99.0).any()


@pytest.mark.parametrize("granularity", list(Granularity))
@pytest.mark.parametrize("n_batches", [1, 3])
def test_stepping_back_retraces_the_boundaries_stepping_forward_made(granularity, n_batches):
    schedule = Schedule([2, 3, 1], n_batches)
    marks, cursor = [0], 0
    while cursor < len(schedule):
        cursor = schedule.end_of_step(cursor, granularity)
        marks.append(cursor)
    back, here = [], (1, 0)  # the end of epoch 0 is the start of epoch 1
    while here is not None and here != (0, 0):
        here = schedule.step_back(*here, granularity)
        back.append(here[1] if here[0] == 0 else None)
    assert back == marks[-2::-1]
    groups = list(schedule.groups(0, len(schedule)))
    assert sum(count for _, count in groups) == len(schedule)
    assert not any(a.joins(b) for (a, _), (b, _) in zip(groups, groups[1:]))


def test_a_copy_goes_on_exactly_as_the_original_and_alone():
    s = _stepper(batch=5)
    s.run_epochs(4)
    for _ in range(7):
        s.step(G.NEURON)
    c = s.copy()
    assert c.net.theta is not s.net.theta and c.X is s.X
    assert all(layer.W.base is c.net.theta for layer in c.net.layers)
    assert all(cw.base is c._change_flat for cw, _ in c.changes)
    for st in (s, c):
        st.step(G.PHASE)
        st.run_epochs(3)
        st.go_to(5, 9)  # back before the copy was made: the rings and undo came along
    np.testing.assert_array_equal(c.net.theta, s.net.theta)
    np.testing.assert_array_equal(c.losses.exact_values(), s.losses.exact_values())
    c.net.layers[0].W[0, 0] += 1.0
    assert c.net.layers[0].W[0, 0] != s.net.layers[0].W[0, 0]

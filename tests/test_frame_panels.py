"""The frame's other parts, headless: what an image task's frame holds (the digits panels,
no diagram or predictions), the loss chart per mini-batch, the status line's branch and
loss epoch, and the neuron panel's batch note.  Found by mutation testing (CONTRIBUTING.md):
only the app's (Pilot) tests reached these, and they are too slow to run per mutant."""
from __future__ import annotations

import numpy as np
import pytest

from nn import Granularity, Stepper
from nn.naming import neuron_name
from tui.core.config import RunConfig, build, with_settings
from tui.core.session import Session
from tui.view.frame import PanelSizes, build_frame

SIZES = PanelSizes(loss_width=60, map_cols=16, map_rows=8, diagram_width=100, diagram_height=30)


def frame(s, sizes=SIZES, neuron=True):
    with s.lock:
        return build_frame(s, sizes, neuron=neuron)


def batched(task: str, batch: int) -> Session:
    s = Session(build(with_settings(RunConfig(), task=task, hidden=(3,), batch=batch)))
    if s.stepper.batch != batch:
        p = s.problem
        s.branches[s.branch].stepper = Stepper(p.net, p.X, p.y, p.config.lr, batch=batch)
    return s


def test_an_image_tasks_frame_has_the_digits_panels_and_no_diagram_or_maps():
    s = Session(build(RunConfig(task="digits", hidden=(8,))))
    s.select(0, 3)
    f = frame(s)
    assert f.diagram is None and f.maps is None
    assert f.predictions.caption == "" and f.predictions.neuron_map is None
    assert [a.shape for a in f.predictions.table] == [(0, 2), (0, 1), (0, 1)]
    assert f.digits is not None and f.digits.selected_name == neuron_name(0, 3, s.net.sizes)
    assert f.neuron is not None and frame(s, neuron=False).neuron is None
    xor = frame(Session(build(RunConfig(task="xor"))))
    assert xor.digits is None and xor.diagram is not None


@pytest.mark.parametrize("width, points", [(60, 120), (5, 20)])
def test_the_loss_chart_per_batch_or_per_epoch(width, points):
    """2·width points (at least 20); per batch at x = epoch + k/⌈N/B⌉."""
    s = batched("circle", 64)
    s.play_chunk(3)
    s.granularity = Granularity.BATCH
    s.step()
    st = s.stepper
    per_batch = frame(s, PanelSizes(loss_width=width, batch_losses=True)).loss
    index, lo, hi = st.batch_losses.envelope(points)
    np.testing.assert_array_equal(per_batch.epochs, index / st.n_batches)
    np.testing.assert_array_equal(per_batch.lo, lo)
    np.testing.assert_array_equal(per_batch.hi, hi)
    assert per_batch.title == f"{s.config.label} · epoch 3 · loss of each batch"
    assert per_batch.epoch == 3 and per_batch.baseline == s.baseline_loss
    per_epoch = frame(s, PanelSizes(loss_width=width)).loss
    epochs, lo, hi = st.losses.envelope(points)
    np.testing.assert_array_equal(per_epoch.epochs, epochs)
    np.testing.assert_array_equal(per_epoch.lo, lo)
    assert per_epoch.title == f"{s.config.label} · epoch 3" and per_epoch.epoch == 3
    assert per_epoch.baseline == s.baseline_loss
    full = Session(build(RunConfig(task="circle")))  # full batch: always per epoch
    full.play_chunk(2)
    assert frame(full, PanelSizes(batch_losses=True)).loss.title.endswith("epoch 2")


def test_the_status_line_names_the_branch_and_the_losss_epoch():
    s = Session(build(RunConfig(task="xor")))
    status = frame(s).status
    assert status.branch is None and status.loss_epoch is None and status.link is None
    s.play_chunk(3)
    assert frame(s).status.loss_epoch == 2 == len(s.stepper.losses) - 1
    s.fork()
    assert frame(s).status.branch == "branch B of 2"
    s.fork()
    s.switch_branch(0)
    assert frame(s).status.branch == "branch A of 3"


def test_the_neuron_panel_says_whose_batch_its_rows_are():
    s = batched("circle", 64)
    s.select(0, 1)
    f = frame(s)
    assert f.neuron.rows == () and f.neuron.rows_note == "" and len(f.neuron.z) == 0
    assert len(f.neuron.a) == 0 and len(f.neuron.delta) == 0
    s.granularity = Granularity.BATCH
    s.step()
    s.step()  # batches 1 and 2 ran: the caches hold batch 2's rows
    v = frame(s).neuron
    assert v.rows_note == "batch 2 of 4" and len(v.rows) == 64 == len(v.z) == len(v.delta)
    full = Session(build(RunConfig(task="xor")))
    assert frame(full).neuron.rows is None and frame(full).neuron.rows_note == ""
    assert len(frame(full).neuron.z) == 0 and len(frame(full).neuron.a) == 0


def test_the_loss_chart_has_the_held_out_loss_beside_the_training_loss():
    s = Session(build(RunConfig(task="circle", test_fraction=0.3)))
    s.play_chunk(4)
    st = s.stepper
    loss = frame(s, PanelSizes(loss_width=5)).loss
    epochs, lo, hi = st.losses.envelope(20)
    t_epochs, t_lo, t_hi = st.test_history().envelope(20)
    for got, want in ((loss.epochs, epochs), (loss.lo, lo), (loss.hi, hi),
                      (loss.test_epochs, t_epochs), (loss.test_lo, t_lo),
                      (loss.test_hi, t_hi)):
        np.testing.assert_array_equal(got, want)
    assert loss.title == f"{s.config.label} · epoch 4" and loss.epoch == 4
    assert loss.baseline == s.baseline_loss is not None


def test_the_diagrams_caption_with_mini_batches():
    """The next step and its batch; a sample outside the batch the nodes hold shows "–"."""
    s = batched("circle", 64)
    s.step()  # forward h₁ of batch 1: sample 1 is not in it
    d = frame(s).diagram
    assert d.caption == ("epoch 0 · next: forward h₂ · batch 1 of 4",
                         "sample 1 (not in the batch: –) · nodes show a")
    assert d.known == (False, False)
    s.granularity = Granularity.BATCH
    s.step()  # the rest of batch 1: whole batches, no " · batch" after the next step
    assert frame(s).diagram.caption[0] == "epoch 0 · next: batch 2 of 4"

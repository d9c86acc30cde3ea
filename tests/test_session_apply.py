"""One way to change a session: every mutator builds a typed action and hands it to
``Session.apply``, which checks it, carries it out, records it and tells the listeners —
exactly once, whether the action came from a key, a dialog, a lesson, a replay or a teacher."""
from __future__ import annotations

import numpy as np
import pytest

from tui.core import actions as act
from tui.core.config import RunConfig, build
from tui.core.session import Session

CALLS = [
    ("step", (), act.Step),
    ("back", (), act.Back),
    ("play_chunk", (3,), act.Play),
    ("reset", (), act.Reset),
    ("new_seed", (), act.NewSeed),
    ("next_task", (), act.NextTask),
    ("set_lr", (0.3,), act.SetLr),
    ("edit", (0, 0, 0, 0.5), act.Edit),
    ("go_to_epoch", (0,), act.Jump),
    ("fork", (), act.Fork),
    ("configure", ({"hidden": [3]},), act.Configure),
    ("add_point", (0.5, 0.5, 1.0), act.AddPoint),
    ("clear_points", (), act.ClearPoints),
]


@pytest.fixture
def session():
    s = Session(build(RunConfig(task="xor")))
    s.step()
    return s


@pytest.mark.parametrize("method,args,kind", CALLS, ids=[c[0] for c in CALLS])
def test_each_mutator_goes_through_apply_once_and_is_checked_recorded_and_sent_once(
        session, monkeypatch, method, args, kind):
    checks, sent = [], []
    original = kind.check
    monkeypatch.setattr(kind, "check", lambda self, s: (checks.append(self), original(self, s)))
    session.listeners.append(sent.append)
    before = len(session.actions)
    getattr(session, method)(*args)
    assert len(checks) == 1 and isinstance(checks[0], kind)
    assert len(sent) == 1 and isinstance(sent[0], kind)
    assert isinstance(session.actions[-1], kind)
    assert len(session.actions) - before in (0, 1)  # 0: a play merged into the last play


def test_a_refused_action_changes_and_records_nothing(session):
    weights = [layer.W.copy() for layer in session.net.layers]
    n = len(session.actions)
    with pytest.raises(act.ActionError):
        session.apply(act.Edit(9, 0, 0, 1.0))
    with pytest.raises(act.ActionError):
        session.go_to_epoch(99)
    assert len(session.actions) == n
    for layer, w in zip(session.net.layers, weights):
        np.testing.assert_array_equal(layer.W, w)


def test_the_key_path_and_the_replay_path_end_in_the_same_state():
    keys = Session(build(RunConfig(task="xor")))
    keys.step()
    keys.play_chunk(40)
    keys.set_lr(2.0)
    keys.edit(0, 1, 0, 0.25)
    keys.fork()
    keys.step()
    keys.play_chunk(7)
    replay = Session(build(keys.start_config))
    replay.replay(list(keys.actions))
    for a, b in zip(keys.branches, replay.branches):
        for la, lb in zip(a.problem.net.layers, b.problem.net.layers):
            np.testing.assert_array_equal(la.W, lb.W)
            np.testing.assert_array_equal(la.b, lb.b)
    assert [x.to_json() for x in keys.actions] == [x.to_json() for x in replay.actions]


def test_plays_merge_and_a_breakpoint_stop_records_the_epochs_that_ran(session):
    session.play_chunk(5)
    session.play_chunk(6)
    assert session.actions[-1] == act.Play(11)
    assert "breakpoints" not in session.actions[-1].to_json()

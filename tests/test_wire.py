"""The action log end to end: what a teacher's session records, what its share server
coalesces and sends, and what a follower (live, or joining late and catching up) rebuilds
are one action list and one network — because one rule merges plays
(:func:`tui.core.actions.merged`), used by the session, the wire's logs and share."""
from __future__ import annotations

import numpy as np
import pytest

from tui.core import actions as act
from tui.core import wire
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.net.follow import fresh_session, replay_with_progress
from tui.net.share import ShareServer


def weights(session: Session) -> list[np.ndarray]:
    return [a for layer in session.net.layers for a in (layer.W, layer.b)]


def teach(session: Session, server: ShareServer) -> None:
    """Keys as a teacher presses them: plays in small chunks (as the play worker runs
    them), some inside one coalescing window and some across windows (``flush``)."""
    session.step()
    for _ in range(5):
        session.play_chunk(3)
    server.flush()                 # a coalescing window ends mid-play
    session.play_chunk(2)
    session.step()
    session.play_chunk(4)
    session.play_chunk(4)
    session.set_lr(0.7)
    for _ in range(3):
        session.play_chunk(5)
    server.flush()


def test_recorded_sent_coalesced_and_replayed_give_the_same_actions_and_weights(monkeypatch):
    monkeypatch.setattr(act, "MAX_PLAY_EPOCHS", 12)  # so the rule's bound is crossed too
    teacher = Session(build(RunConfig(task="xor", seed=4)))
    server = ShareServer(teacher)  # not started: what it would send is read off action_line
    sent: list[bytes] = []
    line_of = wire.action_line
    monkeypatch.setattr(wire, "action_line", lambda seq, a: sent.append(line_of(seq, a))
                        or sent[-1])
    teacher.listeners.append(server.publish)
    teach(teacher, server)

    # a follower that was there all along: every line applied as it arrives
    live = Session(build(teacher.start_config))
    received: list[act.Action] = []
    for line in sent:
        action = wire.decode_from_teacher(line).data["action"]
        act.append_merged(received, action)
        live.apply(action)
    # a follower that joins now: the hello and its log lines, replayed in catch-up chunks
    lines = wire.hello_lines("run", server.seq, teacher.start_config,
                             [a.to_json() for a in server.log])
    hello = wire.decode_from_teacher(lines[0]).data
    log = [a for line in lines[1:] for a in wire.decode_from_teacher(line).data["actions"]]
    late = fresh_session(hello["config"])
    replay_with_progress(late, log)

    # 11 plays and 3 other actions recorded; sent: step, 12, 3 | 2, step, 8, lr, 10, 5
    assert [wire.decode_from_teacher(line).data["action"].name for line in sent].count(
        "play") == 6 and len(sent) == 9
    assert [a.epochs for a in teacher.actions if isinstance(a, act.Play)] == [12, 5, 8, 10, 5]
    for other in (server.log, received, log, live.actions, late.actions):
        assert other == teacher.actions
    for other in (live, late):
        assert all(np.array_equal(a, b) for a, b in zip(weights(other), weights(teacher)))
        assert other.stepper.epoch == teacher.stepper.epoch == 40


@pytest.mark.parametrize("log,action,expected", [
    ([act.Play(3)], act.Play(4), [act.Play(7)]),
    ([act.Play(3)], act.Reset(), [act.Play(3), act.Reset()]),
    ([act.Reset()], act.Play(1), [act.Reset(), act.Play(1)]),
    ([], act.Play(2), [act.Play(2)]),
    ([act.Play(act.MAX_PLAY_EPOCHS - 1)], act.Play(2),
     [act.Play(act.MAX_PLAY_EPOCHS - 1), act.Play(2)]),
    ([act.Play(act.MAX_PLAY_EPOCHS - 2)], act.Play(2), [act.Play(act.MAX_PLAY_EPOCHS)]),
])
def test_the_one_rule_merges_consecutive_plays_within_the_bound(log, action, expected):
    log = list(log)
    act.append_merged(log, action)
    assert log == expected

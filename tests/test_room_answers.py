"""The room answers: each follower answers once over real TCP, the teacher's tally matches;
malformed, oversized and flooding answers are refused without affecting anyone else."""
import json
import socket

import pytest

from tui.core import wire
from tui.core.config import RunConfig, build
from tui.net.follow import Follower
from tui.net.room import Room, histogram_lines, normalise, number_checker, tally_line
from tui.core.session import Session
from tui.net.share import ShareServer

from helpers import FAST_BACKOFF, wait_until


@pytest.fixture
def room_server():
    session = Session(build(RunConfig(task="xor")))
    server = ShareServer(session)
    server.start()
    made = []
    yield server, made
    for f in made:
        f.stop()
    server.stop()


def class_of(server, made, names):
    fs = [Follower(server.host, server.port, server.code, backoff=FAST_BACKOFF, name=n).start()
          for n in names]
    made.extend(fs)
    wait_until(lambda: server.followers == len(made) and all(f.state == "following" for f in fs))
    return fs


def test_three_followers_answer_and_the_tally_matches(room_server):
    server, made = room_server
    fs = class_of(server, made, ["ana", None, "bo"])
    server.ask("quiz:1", "δ of h1 = ?", number_checker(0.25, "0.25", hint="δ = ∂L/∂a · f'(z)"))
    wait_until(lambda: all(f.question == ("quiz:1", "δ of h1 = ?") for f in fs))
    for f, typed in zip(fs, ["0.25", "0.5", ".250"]):
        assert f.send_answer(typed) is None
    wait_until(lambda: all("quiz:1" in f.verdicts for f in fs))
    assert [f.verdicts["quiz:1"][0] for f in fs] == [True, False, True]
    assert "Hint: δ = ∂L/∂a" in fs[1].verdicts["quiz:1"][1]
    t = server.room.tally()
    assert (t["answered"], t["of"], t["right"]) == (3, 3, 2)
    assert t["histogram"] == [("0.25", 2, True), ("0.5", 1, False)]
    assert tally_line(t) == "answered 3 of 3 · right 2"
    assert server.tally_text() == "answered 3 of 3 · right 2"
    assert histogram_lines(t)[0].startswith("✓ 0.25")
    # anonymous unless --name
    assert sorted(n for n, _, _ in server.room.who()) == ["ana", "bo"]
    # one per question per follower: a second answer is refused, the tally unchanged
    assert fs[1].send_answer("0.25") == "you have answered this question already"
    fs[1].sent.clear()
    assert fs[1].send_answer("0.25") is None
    wait_until(lambda: server.room.refused == 1)
    assert server.room.tally()["right"] == 2
    # a new question: answers start afresh; a late joiner sees the open question
    server.ask("quiz:2", "w₁ after the update = ?", number_checker(-1.0, "-1"))
    late = class_of(server, made, ["cy"])[0]
    wait_until(lambda: late.question is not None and late.question[0] == "quiz:2")
    assert server.room.tally()["answered"] == 0
    server.close_question()
    wait_until(lambda: all(f.question is None for f in fs + [late]))  # the late one too
    assert late.send_answer("1") == "no question is open on the teacher's screen"


def _join(server):
    sock = socket.create_connection((server.host, server.port), timeout=3)
    reader = sock.makefile("rb")
    nonce = json.loads(reader.readline())["nonce"]
    sock.sendall(wire.encode("join", proof=wire.join_proof(server.code, nonce), name=None))
    assert json.loads(reader.readline())["type"] == "hello"
    return sock, reader


def test_malformed_oversized_and_flooding_answers_change_nothing(room_server):
    server, made = room_server
    good = class_of(server, made, ["good"])[0]
    server.ask("q", "x = ?", number_checker(2.0, "2"))
    wait_until(lambda: good.question is not None)
    actions_before = list(server.session.actions)
    hostile = [b"{not json\n", b"\xff\xfe\n", b"[1]\n", b'{"v":1,"type":"answer"}\n',
               b'{"v":1,"type":"answer","q":"q","a":""}\n',
               b'{"v":1,"type":"answer","q":"q","a":' + json.dumps("9" * 65).encode() + b"}\n",
               b'{"v":1,"type":"answer","q":"other","a":"2"}\n',
               b'{"v":1,"type":"answer","q":"q","a":["2"]}\n',
               b'{"v":1,"type":"answer","q":7,"a":"2"}\n',
               b'{"v":1,"type":"action","seq":1,"action":{"do":"reset"}}\n',
               b'{"v":1,"type":"join","proof":"' + b"0" * 64 + b'"}\n',
               b'{"v":1,"type":"answer","q":"q","a":"\x1b]0;x\x07"}\n',
               b'{"v":1,"type":"answer","q":"q","a":"\\u001b]0;x\\u0007"}\n',
               b"[" * 900 + b"\n", b"z" * 5000 + b"\n"]
    sock, reader = _join(server)
    for line in hostile:
        sock.sendall(line)
    wait_until(lambda: server.dropped >= len(hostile) - 1)
    t = server.room.tally()
    assert t["answered"] == 0 and server.room.refused == 2   # none of them counts
    reader.close()
    sock.close()
    # a flood: closed by the rate limit, the good follower unaffected
    flooder, _ = _join(server)
    try:
        for _ in range(3000):
            flooder.sendall(b'{"v":1,"type":"answer","q":"q","a":"3"}\n')
    except OSError:
        pass
    wait_until(lambda: server.followers == 1, what=f"the flooder dropped ({server.followers})")
    flooder.close()
    assert good.send_answer("2") is None
    wait_until(lambda: "q" in good.verdicts)
    assert good.verdicts["q"][0] is True and good.state == "following"
    t = server.room.tally()
    # the flooder's first answer counted once (it is one follower), the rest did not
    assert (t["answered"], t["right"], t["of"]) == (2, 1, 2)
    assert server.session.actions == actions_before   # a follower can never send an action


def test_room_rules_without_sockets():
    room = Room()
    check = number_checker(1.0, "1")
    assert room.answer(1, "q", "1")[0] is False          # nothing open
    room.join(1, "\x1b[31mred")
    assert room.ask("q", "?", check) and not room.ask("q", "?", check)
    assert room.answer(1, "q", "abc") == (False, "not an answer here: 'abc' is not a number",
                                          None) or room.answer(1, "q", "abc")[0] is False
    assert room.answer(1, "q", "1.0") == (True, "✓ Right: the engine got 1.", True)
    assert room.answer(1, "q", "1.0")[0] is False
    assert "\x1b" not in room.names[1]
    assert normalise("0.50") == normalise(".5") == "0.5" and normalise(" Yes ") == "yes"
    for k in range(80):
        room.join(100 + k)
        room.answer(100 + k, "q", str(k))
    t = room.tally()
    assert t["answered"] == 81 and t["histogram"][-1][0] == "other"


def test_the_quiz_asks_the_room_with_the_truth_of_the_next_step():
    from nn import Phase
    from tui.core.quiz import question
    from tui.net.room import quiz_question

    s = Session(build(RunConfig(task="xor")))
    assert quiz_question(s) is None                   # quiz off
    s.quiz.on = True
    for phase in (Phase.BACKWARD, Phase.UPDATE):
        while s.stepper.phase is not phase:
            s.step()
        before = [l.W.copy() for l in s.net.layers]
        q, text, check = quiz_question(s)
        asked = question(s)
        assert text == asked.text and q.startswith("quiz:")
        assert [l.W.tobytes() for l in s.net.layers] == [w.tobytes() for w in before]
        truth = asked.truth(s.step()[-1])             # what the teacher's own step gives
        assert check(f"{truth:.6g}")[0] and not check(f"{truth * 1.5 + 0.01:.6g}")[0]


def test_a_presented_sweep_from_outside_is_checked():
    good = [[0.5, 3, "stuck", None, 0.25], [5.0, 4, "success", 120, None]]
    rows = wire.decode_from_teacher(wire.encode("view", name="sweep", rows=good,
                                                note="x\x1b[2J")).data
    assert [r["state"] for r in rows["rows"]] == ["stuck", "success"] and "\x1b" not in rows["note"]
    for bad in ([[0.5, 3, "stuck", None]], [[-1, 3, "stuck", None, 0.1]],
                [[0.5, -3, "stuck", None, 0.1]], [[0.5, 3, "rm -rf", None, 0.1]],
                [[0.5, 3, "stuck", True, 0.1]], [[float("nan"), 3, "stuck", None, 0.1]],
                [[0.5, 3, "stuck", None, 0.1]] * 1001, "rows"):
        with pytest.raises(wire.WireError):
            wire.decode_from_teacher(wire.encode("view", name="sweep", rows=bad))
    for draft in ({"hidden": [10**6]}, {"data": "/etc/passwd"}, {"lr": -1}, ["x"]):
        with pytest.raises(wire.WireError, match="settings"):
            wire.decode_from_teacher(wire.encode("view", name="settings", draft=draft))
    with pytest.raises(wire.WireError, match="unknown view"):
        wire.decode_from_teacher(wire.encode("view", name="settings\x1b"))

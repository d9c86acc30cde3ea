"""Follow mode over real TCP on loopback: followers mirror the teacher bit for bit,
join late, detach and re-attach, survive the teacher's restart, and drop bad input."""
import json
import socket
import threading
import time

import numpy as np
import pytest

from nn import Granularity
from tui.core import actions as act
from tui.core import wire
from tui.core.config import RunConfig, build
from tui.net.follow import Follower, parse_address
from tui.core.session import Session
from tui.net.share import ShareServer

from helpers import FAST_BACKOFF, await_until, wait_until


def runs(session: Session):
    """(network, stepper) of every branch of ``session`` (the followed one first)."""
    branches = getattr(session, "branches", None)
    if branches is None:
        return [(session.net, session.stepper)]
    followed = session.branches[session.branch]
    return [(b.problem.net, b.stepper) for b in [followed] + [b for b in branches
                                                              if b is not followed]]


def same_network(a: Session, b: Session) -> bool:
    """θ of every run bit for bit, and where each run is in time."""
    ra, rb = runs(a), runs(b)
    return len(ra) == len(rb) and all(
        len(na.layers) == len(nb.layers)
        and all(np.array_equal(x.W, y.W) and np.array_equal(x.b, y.b)
                for x, y in zip(na.layers, nb.layers))
        and (sa.epoch, sa.cursor, sa.lr) == (sb.epoch, sb.cursor, sb.lr)
        for (na, sa), (nb, sb) in zip(ra, rb))


def teacher_actions(session: Session, n: int, seed: int = 0, tasks: int = 0) -> None:
    """``n`` random actions of every kind on the teacher's session (through its methods,
    as the app's keys call them); ``tasks`` of them switch to the next task."""
    rng = np.random.default_rng(seed)
    task_at = set(rng.choice(np.arange(50, n - 50), size=tasks, replace=False).tolist())
    kinds = ["step"] * 16 + ["back"] * 2 + ["play"] * 4 + ["lr", "edit", "jump", "jump", "reset"]
    if hasattr(session, "fork"):  # branches (a forked run moves in lockstep)
        kinds += ["fork", "switch"]
    forks = 1  # (each branch makes every step dearer)
    recorded = []
    listeners = getattr(session, "listeners", None)
    if listeners is not None:  # count what was recorded (a halted play or a refused fork is not)
        listeners.append(recorded.append)
    k = -1
    while (len(recorded) if listeners is not None else k + 1) < n:
        k += 1
        if k in task_at:
            session.next_task()
            continue
        if k == n // 2:
            session.new_seed()
            continue
        kind = kinds[rng.integers(len(kinds))]
        st = session.stepper
        if kind == "step":
            session.granularity = list(Granularity)[rng.integers(len(Granularity))]
            session.step()
        elif kind == "back":
            session.granularity = list(Granularity)[rng.integers(len(Granularity))]
            session.back()
        elif kind == "play":
            session.play_chunk(int(rng.integers(1, 25)), breakpoints=False)
        elif kind == "lr":
            session.set_lr(float(rng.choice([0.1, 0.5, 1.0, 2.0, 3.7])))
        elif kind == "edit":
            layer = int(rng.integers(len(session.net.layers)))
            L = session.net.layers[layer]
            weight = None if rng.random() < 0.3 else int(rng.integers(L.n_in))
            session.edit(layer, int(rng.integers(L.n_out)), weight, float(rng.normal()))
        elif kind == "jump":
            session.go_to_epoch(int(rng.integers(st.oldest_epoch, st.epoch + 1)))
        elif kind == "reset":
            session.reset()
        elif kind == "fork" and forks:
            session.fork()
            forks -= 1
        elif kind == "switch":
            session.switch_branch(int(rng.integers(len(session.branches))))
    if listeners is not None:
        listeners.remove(recorded.append)
    return len(recorded) if listeners is not None else n


@pytest.fixture
def teacher():
    session = Session(build(RunConfig(task="xor")))
    server = ShareServer(session)
    server.start()
    yield session, server
    server.stop()


@pytest.fixture
def followers():
    made = []

    def make(server, n=1, **kw):
        new = [Follower(server.host, server.port, server.code, backoff=FAST_BACKOFF, **kw).start()
               for _ in range(n)]
        made.extend(new)
        return new

    yield make
    for f in made:
        f.stop()


def caught_up(fs, server):
    return lambda: server.pending_epochs == 0 and all(
        f.applied_seq == server.seq and f.session is not None for f in fs)


# ------------------------------------------------------------------ mirroring
@pytest.mark.slow
def test_thirty_followers_mirror_two_hundred_actions_bit_for_bit(teacher, followers):
    session, server = teacher
    fs = followers(server, 30)
    wait_until(lambda: all(f.state == "following" for f in fs), what="30 hellos")
    assert teacher_actions(session, 200, seed=1, tasks=2) == 200
    wait_until(lambda: server.pending_epochs == 0)
    assert server.seq > 180  # (consecutive plays within 50 ms travel as one)
    wait_until(caught_up(fs, server), timeout=40, what="followers to catch up")
    assert session.config.task != "xor"  # the task changed along the way
    kinds = {a.name for a in session.actions}
    assert kinds >= {"step", "back", "play", "lr", "edit", "jump", "reset", "seed", "task"}
    assert not hasattr(session, "fork") or kinds >= {"fork", "switch"}
    for n, f in enumerate(fs):
        assert same_network(f.session, session), (
            f"follower {n}: seq {f.applied_seq}/{server.seq}, rebuilds {f.rebuilds}, "
            f"status {f.status!r}, runs {[(st.epoch, st.cursor, st.lr) for _, st in runs(f.session)]}"
            f" vs {[(st.epoch, st.cursor, st.lr) for _, st in runs(session)]}")
        assert f.status.startswith("following teacher at 127.0.0.1:")
        assert f.session.link_status == f.short_status == f"following {server.address}" \
            and f.dropped == 0
    assert session.link_status == f"sharing {server.address} · code {server.code} · 30 following"
    # every follower's session recorded what the teacher recorded (a session file replays)
    assert [a.to_json() for a in fs[0].session.actions] == [a.to_json() for a in session.actions]


def test_a_late_joiner_catches_up_by_replaying(teacher, followers):
    session, server = teacher
    teacher_actions(session, 300, seed=2, tasks=1)
    late = followers(server)[0]  # no session of its own: made from the teacher's config
    wait_until(caught_up([late], server), what="the late joiner")
    assert same_network(late.session, session) and late.rebuilds == 1
    teacher_actions(session, 100, seed=3)
    wait_until(caught_up([late], server), what="the late joiner, live")
    assert same_network(late.session, session)


def test_detach_explores_an_own_copy_and_reattach_jumps_back(teacher, followers):
    session, server = teacher
    own = Session(build(RunConfig(task="and")))  # what the app starts with before a hello
    f = followers(server, session=own)[0]
    teacher_actions(session, 50, seed=4)
    wait_until(caught_up([f], server))
    assert same_network(own, session)
    f.detach()
    assert f.status.startswith("detached")
    own.granularity = Granularity.EPOCH
    own.step()
    own.edit(0, 0, None, 5.0)
    teacher_actions(session, 50, seed=5)
    wait_until(lambda: f.seq == server.seq)
    assert not same_network(own, session)
    assert f.attach()
    assert same_network(own, session) and f.status.startswith("following")
    teacher_actions(session, 30, seed=6)
    wait_until(caught_up([f], server))
    assert same_network(own, session)
    # the learner's own key while attached detaches (their copy, not the teacher's)
    own.play_chunk(3, breakpoints=False)
    assert not f.attached and "detached by your own play" in f.notes[-1]


def test_teacher_killed_and_restarted_followers_keep_state_and_reconnect(followers):
    session = Session(build(RunConfig(task="xor")))
    server = ShareServer(session, code="ABC234")
    host, port = server.start()
    fs = followers(server, 3)
    teacher_actions(session, 80, seed=7)
    wait_until(caught_up(fs, server))
    before = [l.W.copy() for l in session.net.layers]
    server.stop()
    wait_until(lambda: all(f.state == "gone" for f in fs), what="followers to see it go")
    for f in fs:
        assert f.status == "teacher gone — keeping state; reconnecting…"
        assert all(np.array_equal(W, l.W) for W, l in zip(before, f.session.net.layers))
    time.sleep(0.3)  # a few failed reconnects with backoff
    session2 = Session(build(RunConfig(task="xor", seed=5)))
    server2 = ShareServer(session2, port=port, code="abc-234")
    server2.start()
    try:
        wait_until(lambda: all(f.state == "following" for f in fs), what="reconnects")
        teacher_actions(session2, 60, seed=8)
        wait_until(caught_up(fs, server2))
        assert all(same_network(f.session, session2) for f in fs)
    finally:
        server2.stop()


def test_plays_in_quick_succession_travel_as_one_action(teacher, followers):
    session, server = teacher
    f = followers(server)[0]
    wait_until(lambda: f.state == "following")
    for _ in range(10):
        session.play_chunk(3, breakpoints=False)
    wait_until(caught_up([f], server))
    assert server.seq <= 2 and same_network(f.session, session)
    assert sum(a.epochs for a in f.session.actions) == 30


def test_a_gap_in_the_stream_is_seen_and_caught_up(teacher, followers):
    session, server = teacher
    f = followers(server)[0]
    wait_until(lambda: f.state == "following")
    with server._lock:  # one action logged but never sent: the follower notices the gap
        server.seq += 1
        act.append_merged(server.log, act.Step(Granularity.NEURON))
        session.actions.append(act.Step(Granularity.NEURON))
        session.stepper.step(Granularity.NEURON)
    teacher_actions(session, 20, seed=9)
    wait_until(caught_up([f], server))
    assert same_network(f.session, session) and f.rebuilds == 2
    assert any("missed the teacher's actions" in n for n in f.notes)


# ------------------------------------------------------------------ bad input at the teacher
def raw(server, *lines):
    """Send ``lines`` on a new connection; (what came back, whether the server closed it)."""
    sock = socket.create_connection((server.host, server.port), timeout=3)
    data, closed = b"", False
    try:  # the server may close while we still send (it refused or dropped us)
        for line in lines:
            sock.sendall(line)
    except OSError:
        closed = True
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
    except socket.timeout:
        pass
    except OSError:
        closed = True
    sock.close()
    return data, closed


def joined(server, *lines, code=None, name=None):
    """Like :func:`raw`, after answering the server's challenge with a proper join line."""
    sock = socket.create_connection((server.host, server.port), timeout=3)
    reader = sock.makefile("rb")
    nonce = json.loads(reader.readline())["nonce"]
    join = wire.encode("join", proof=wire.join_proof(code or server.code, nonce), name=name)
    return sock, reader, join


def test_bad_followers_are_dropped_and_change_nothing(teacher, followers):
    session, server = teacher
    teacher_actions(session, 20, seed=10)
    before = [a.to_json() for a in session.actions]
    for line, reason in [(b"{not json\n", b"malformed"), (b"x" * 100_000 + b"\n", b"too long"),
                         (b'{"v":1,"type":"action","seq":1,"action":{"do":"reset"}}\n',
                          b"unknown message type 'action'"),
                         (b'{"v":1,"type":"join","code":"' + server.code.encode() + b'"}\n',
                          b"proof of the join code missing"),  # the code in clear: no
                         (b'{"v":7,"type":"join","proof":"' + b"0" * 64 + b'"}\n',
                          b"version 7")]:
        reply, closed = raw(server, line)
        assert reply.startswith(b'{"v":1,"type":"challenge"')
        assert reason in reply and b'"error"' in reply and closed
    # a joined follower that sends actions, junk and then a flood: dropped, then closed
    junk = [wire.encode("action", seq=1, action={"do": "reset"}), b"{]\n", b"y" * 5000 + b"\n"]
    sock, reader, join = joined(server)
    try:
        sock.sendall(join)
        reply = reader.readline()
        for line in junk + [b'{"v":1,"type":"flood"}\n'] * 2000:
            sock.sendall(line)
    except OSError:
        pass
    sock.close()
    assert reply.startswith(b'{"v":1,"type":"hello"')
    wait_until(lambda: server.followers == 0)
    assert server.dropped >= 3 and server.refused == 5
    assert [a.to_json() for a in session.actions] == before
    good = followers(server)[0]
    wait_until(caught_up([good], server))
    assert same_network(good.session, session) and server.followers == 1


def test_max_followers(followers):
    session = Session(build(RunConfig(task="xor")))
    server = ShareServer(session, max_followers=2)
    server.start()
    try:
        fs = followers(server, 2)
        wait_until(lambda: server.followers == 2)
        third = followers(server)[0]
        wait_until(lambda: third.state == "refused")
        assert "full" in third.status
    finally:
        server.stop()


def test_a_flood_of_connections_that_never_join_holds_few_descriptors(followers):
    """Connections that never send a join line each held a descriptor for 5 s: a flood
    (no join code needed) ran the teacher's process out of them (EMFILE: no file could be
    saved, a traceback per refused accept). At most MAX_JOINING wait; more are closed."""
    from tui.net.share import MAX_JOINING

    server = ShareServer(Session(build(RunConfig(task="xor"))))
    server.start()
    socks = []
    try:
        for _ in range(MAX_JOINING + 100):
            socks.append(socket.create_connection((server.host, server.port), timeout=5))
        wait_until(lambda: server.refused >= 100, timeout=5, what="the extra connections closed")
        assert len(server._writers) <= MAX_JOINING
        for s in socks:
            s.close()
        socks.clear()
        good = followers(server)[0]
        wait_until(lambda: good.state == "following", what="a follower joining after the flood")
    finally:
        for s in socks:
            s.close()
        server.stop()


def test_wrong_code_is_refused_and_not_retried(teacher):
    _, server = teacher
    f = Follower(server.host, server.port, "WRONG1", backoff=FAST_BACKOFF).start()
    try:
        wait_until(lambda: f.state == "refused")
        assert f.status.endswith("refused: wrong join code") and f.session is None
        f._thread.join(timeout=5)
        assert not f._thread.is_alive()
    finally:
        f.stop()


# ------------------------------------------------------------------ bad input at the follower
class FakeTeacher:
    """A listening socket the test writes raw lines to (a broken or hostile teacher)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conn = None
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        conn, _ = self.listener.accept()
        conn.sendall(wire.encode("challenge", nonce=wire.new_nonce()))
        conn.makefile("rb").readline()  # the join line
        self.conn = conn

    def send(self, *lines):
        wait_until(lambda: self.conn is not None)
        for line in lines:
            self.conn.sendall(line)

    def close(self):
        if self.conn:
            self.conn.close()
        self.listener.close()


def test_bad_messages_from_the_teacher_are_dropped_with_a_note():
    fake = FakeTeacher()
    f = Follower("127.0.0.1", fake.port, "ANY123", backoff=FAST_BACKOFF).start()
    try:
        config = RunConfig(task="xor")
        fake.send(*wire.hello_lines("run1", 1, config, [act.Step(Granularity.LAYER).to_json()]))
        wait_until(lambda: f.applied_seq == 1)
        expected = Session(build(config))
        expected.replay([act.Step(Granularity.LAYER)])
        assert same_network(f.session, expected)
        bad = [b"{not json\n", b"\xff\xfe\n", b"[1,2]\n", b"z" * (wire.MAX_LINE_BYTES + 10) + b"\n",
               b'{"v":1,"type":"teleport"}\n', b'{"v":2,"type":"action"}\n',
               b"[" * 100_000 + b"\n",
               wire.encode("action", seq=2, action={"do": "explode"}),
               wire.encode("action", seq=2, action={"do": "play", "epochs": 10**12}),
               wire.encode("action", seq=2, action={"do": "lr", "value": float("nan")}),
               wire.encode("action", seq=True, action={"do": "reset"}),
               wire.encode("hello", run="r2", seq=0, n=0,
                           config={"task": "xor", "data": "/etc/passwd"}),
               wire.encode("hello", run="r2", seq=0, n=0,
                           config={"task": "xor", "hidden": [4096] * 16}),
               # whole numbers past a float's range (JSON has no bound): once an
               # OverflowError that ended the follower's thread
               wire.encode("hello", run="r2", seq=0, n=0, config={"task": "xor", "lr": 10**400}),
               wire.encode("action", seq=2, action={"do": "lr", "value": 10**400}),
               wire.encode("view", name="sweep", rows=[[10**400, 0, "stuck", None, 0.1]]),
               wire.encode("view", name="sweep", rows=[[0.5, 0, "stuck", None, -10**400]]),
               wire.encode("log", actions=[{"do": "reset"}])]
        fake.send(*bad, *[b'{"v":1,"type":"flood"}\n'] * 3000)
        fake.send(wire.encode("action", seq=2, action={"do": "step", "granularity": "neuron"}))
        wait_until(lambda: f.applied_seq == 2, what="the good action after the junk")
        expected.step()
        assert same_network(f.session, expected)
        assert f.dropped == len(bad) + 3000 and f.state == "following"
        notes = "\n".join(f.notes)
        assert "unknown message type 'flood' dropped" in notes
        assert f._thread.is_alive()
    finally:
        f.stop()
        fake.close()
    notes = []
    for line in bad[:-1]:  # (the log line is well-formed: it is dropped for coming unasked)
        with pytest.raises(wire.WireError) as exc:
            wire.decode_from_teacher(line)
        notes.append(str(exc.value))
    assert all("\n" not in text and "dropped" in text for text in notes)


def test_actions_already_in_the_hello_are_skipped_and_a_gap_resyncs():
    fake = FakeTeacher()
    f = Follower("127.0.0.1", fake.port, "ANY123", backoff=FAST_BACKOFF).start()
    try:
        config, step = RunConfig(task="xor"), act.Step(Granularity.NEURON)
        fake.send(*wire.hello_lines("run1", 2, config, [step.to_json(), act.Play(3).to_json()]))
        fake.send(wire.action_line(1, step), wire.action_line(2, act.Play(3)),
                  wire.action_line(3, act.Reset()))  # 1 and 2 were in the hello's log
        wait_until(lambda: f.applied_seq == 3)
        expected = Session(build(config))
        expected.replay([step, act.Play(3), act.Reset()])
        assert same_network(f.session, expected) and not f.notes
        fake.send(wire.action_line(5, step))  # 4 never came: reconnect for a fresh hello
        wait_until(lambda: any("missed the teacher's actions 4–4" in n for n in f.notes))
        assert f.applied_seq == 3 and same_network(f.session, expected)
    finally:
        f.stop()
        fake.close()


def test_only_built_in_tasks_are_shared(tmp_path):
    from tui.net.share import make_share_app

    csv = tmp_path / "d.csv"
    csv.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    with pytest.raises(ValueError, match="follow mode shares built-in tasks only"):
        make_share_app(build(RunConfig(task="xor", data=csv)))


def test_share_and_follow_arguments():
    import argparse

    from tui.net.share import DEFAULT_PORT, add_share_parsers

    class Refuse(argparse.ArgumentParser):
        def error(self, message):
            raise ValueError(message)

    parser = Refuse()
    add_share_parsers(parser.add_subparsers(dest="command", parser_class=Refuse),
                      lambda p: p.add_argument("--task"), int)
    args = parser.parse_args(["share", "--task", "xor", "--code", "abc-234"])
    assert (args.port, args.host, args.code) == (DEFAULT_PORT, "127.0.0.1", "ABC234")
    args = parser.parse_args(["follow", "10.1.2.3:8765", "ABC234"])
    assert (args.address, args.code) == ("10.1.2.3:8765", "ABC234")
    for argv, message in ((["follow", "nohost", "ABC234"], "HOST:PORT"),
                          (["follow", "h:1", "a b"], "join code"),
                          (["share", "--code", "x"], "join code")):
        with pytest.raises(ValueError, match=message):
            parser.parse_args(argv)


def test_wire_round_trip_and_addresses():
    log = [act.Step(Granularity.PHASE), act.Play(7), act.Edit(1, 0, None, -0.5), act.Jump(3)]
    lines = wire.hello_lines("r", 9, RunConfig(task="circle", lr=0.3), [a.to_json() for a in log])
    hello = wire.decode_from_teacher(lines[0])
    assert hello.data["config"].task == "circle" and hello.data["n"] == 4
    assert wire.decode_from_teacher(lines[1]).data["actions"] == log
    merged = []
    for a in (act.Play(3), act.Play(4), act.Reset(), act.Play(1)):
        act.append_merged(merged, a)
    assert merged == [act.Play(7), act.Reset(), act.Play(1)]
    assert parse_address("10.0.0.2:8765") == ("10.0.0.2", 8765)
    assert parse_address("[::1]:80") == ("::1", 80)
    for bad in ("nohost", "h:0", "h:99999", ":12"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_address(bad)
    assert len(wire.new_code()) == wire.CODE_LENGTH >= wire.MIN_CODE_LENGTH
    assert json.loads(wire.encode("join", proof="x"))["v"] == wire.VERSION


def test_joining_while_the_teacher_acts_needs_no_resync(teacher, followers):
    session, server = teacher
    done = threading.Event()

    def act_for_a_while():
        teacher_actions(session, 400, seed=11)
        done.set()

    threading.Thread(target=act_for_a_while, daemon=True).start()
    fs = []
    while not done.is_set() and len(fs) < 5:
        fs += followers(server)
        time.sleep(0.01)
    done.wait(20)
    wait_until(caught_up(fs, server))
    for f in fs:
        assert same_network(f.session, session)
        assert f.rebuilds == 1 and not f.notes  # the hello's log and the live stream meet


# ------------------------------------------------------------------ the apps
async def test_the_share_app_serves_its_keys_to_followers(tmp_path):
    from tui.net.share import make_share_app

    app = make_share_app(build(RunConfig(task="xor")), save_dir=tmp_path)
    app.server.start()
    f = Follower(app.server.host, app.server.port, app.server.code, backoff=FAST_BACKOFF).start()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            assert f"join code {app.server.code}" in app.sub_title
            await pilot.press("n", "n", "g", "n", "l", *"2", "enter", "b", "r", "n")
            app.session.play_chunk(5)
            await await_until(caught_up([f], app.server))
            assert same_network(f.session, app.session) and app.server.seq == 8
    finally:
        f.stop()
        app.server.stop()


async def test_the_follow_app_detaches_and_reattaches_by_key(teacher):
    from tui.net.follow import make_follow_app

    session, server = teacher
    teacher_actions(session, 40, seed=12)
    app = make_follow_app(server.address, server.code, backoff=FAST_BACKOFF)
    app.follower.start()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await await_until(caught_up([app.follower], server))
            assert same_network(app.session, session)
            await await_until(lambda: app.sub_title.startswith("following teacher at 127.0.0.1:"),
                              what="the title following")
            await pilot.press("u")  # detach
            assert not app.follower.attached and app.follower.status.startswith("detached")
            await pilot.press("n", "n")  # the learner's own steps
            teacher_actions(session, 10, seed=13)
            await await_until(lambda: app.follower.seq == server.seq)
            assert not same_network(app.session, session)
            await pilot.press("u")  # follow again: jump to the teacher's state (a thread)
            await await_until(lambda: app.follower.catching_up is None
                              and same_network(app.session, session))
            assert app.follower.attached
            epoch_cursor = (app.session.stepper.epoch, app.session.stepper.cursor)
            await pilot.press("n")  # an own key while attached asks first …
            await await_until(lambda: type(app.screen).__name__ == "Confirm", what="the question")
            assert app.follower.attached
            await pilot.press("n")  # … no: still following, nothing done
            await await_until(lambda: type(app.screen).__name__ != "Confirm", what="no answered")
            assert app.follower.attached
            assert (app.session.stepper.epoch, app.session.stepper.cursor) == epoch_cursor
            await pilot.press("n")
            await await_until(lambda: type(app.screen).__name__ == "Confirm", what="the question")
            await pilot.press("y")  # yes: detached, and the step is taken
            banner = app.query_one("#follow-banner")
            await await_until(lambda: not app.follower.attached and app.sub_title.startswith(
                "detached") and banner.has_class("shown"), what="detached on screen")
            assert same_network(app.session, session) is False
            assert banner.has_class("shown") and "DETACHED" in str(banner.render())
            assert "DETACHED · u follows" in str(app.query_one("#status").render())
    finally:
        app.follower.stop()

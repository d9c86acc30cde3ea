"""Shared lessons over real TCP: the room follows the teacher into a built-in lesson,
chapter by chapter (late joiners too), answers each question, and the tally matches."""

import pytest

from nn import Granularity
from tui.core import wire
from tui.core.config import RunConfig, build
from tui.net.follow import Follower
from tui.net.room import lesson_question
from tui.core.session import Session
from tui.net.share import ShareServer
from tui.lessons.live import ChapterRun, value
from tui.net.shared_lesson import LessonContext, context_from_json, open_chapter

from helpers import FAST_BACKOFF, wait_until


def same(a: Session, b: Session) -> bool:
    import numpy as np

    return (a.stepper.epoch, a.stepper.cursor) == (b.stepper.epoch, b.stepper.cursor) and all(
        np.array_equal(x.W, y.W) and np.array_equal(x.b, y.b)
        for x, y in zip(a.net.layers, b.net.layers))


@pytest.fixture
def classroom():
    server = ShareServer(Session(build(RunConfig(task="xor"))))
    server.start()
    made = []

    def join(n, **kw):
        fs = [Follower(server.host, server.port, server.code, backoff=FAST_BACKOFF, **kw).start()
              for _ in range(n)]
        made.extend(fs)
        return fs

    yield server, join
    for f in made:
        f.stop()
    server.stop()


def test_three_followers_walk_a_lesson_and_answer_each_chapter(classroom):
    server, join = classroom
    fs = [join(1, name=n)[0] for n in ("ana", "bo", "cy")]
    wait_until(lambda: server.followers == 3)
    lesson = open_chapter(LessonContext("backprop", 0))
    typed = {0: ["1", "2", "3"]}
    for index in (0, 1, 3):
        lesson.go(index)
        run = lesson.chapter
        server.retarget(run.session, LessonContext("backprop", index))
        wait_until(lambda: all(f.lesson == LessonContext("backprop", index) and
                               f.applied_seq == 0 and f.session is not None for f in fs),
                   what=f"chapter {index}")
        assert all(same(f.session, run.session) for f in fs)        # the chapter's start
        q, text, check = lesson_question(lesson.lesson, "backprop", index)
        server.ask(q, text, check)
        wait_until(lambda: all(f.question and f.question[0] == q for f in fs))
        # what the engine computes (as a learner alone is checked), and what each one types
        alone = ChapterRun(lesson.lesson, index)
        alone.finish_wait()
        truth = value(alone.session, alone.chapter.ask)
        answers = ["a guess", f"{truth:.6g}", f"{truth + 10:.6g}"]
        for f, a in zip(fs, answers):
            assert f.send_answer(a) is None
        wait_until(lambda: all(q in f.verdicts for f in fs), what="every verdict")
        assert [f.verdicts[q][0] for f in fs] == [False, True, False]
        assert "not an answer here" in fs[0].verdicts[q][1]        # a word is no answer
        t = server.room.tally()
        assert (t["answered"], t["of"], t["right"]) == (2, 3, 1)
        assert sorted(t["histogram"], key=lambda h: not h[2]) == [
                (f"{float(answers[1]):.4g}", 1, True), (f"{float(answers[2]):.4g}", 1, False)]
        # the teacher walks the chapter's wait: a step, mirrored
        run.press("n")
        wait_until(lambda: all(f.applied_seq == server.seq for f in fs))
        assert all(same(f.session, run.session) for f in fs)
    late = join(1)[0]
    wait_until(lambda: late.applied_seq == server.seq and late.session is not None)
    assert late.lesson == LessonContext("backprop", 3) and same(late.session, lesson.chapter.session)


def test_a_lesson_context_from_outside_is_checked():
    assert context_from_json(None) is None
    assert context_from_json({"name": "backprop", "chapter": 2}) == LessonContext("backprop", 2)
    for bad in ({"name": "../etc/passwd", "chapter": 0}, {"name": "x", "chapter": -1},
                {"name": "x", "chapter": True}, [1], {"name": "A" * 100, "chapter": 0}):
        with pytest.raises(ValueError):
            context_from_json(bad)
    line = wire.encode("hello", run="r", seq=0, n=0, config={"task": "xor"},
                       lesson={"name": "/tmp/evil.md", "chapter": 0})
    with pytest.raises(wire.WireError, match="lesson name"):
        wire.decode_from_teacher(line)


def test_an_unknown_lesson_detaches_with_a_note(classroom):
    server, join = classroom
    f = join(1)[0]
    wait_until(lambda: f.session is not None)
    server.retarget(Session(build(RunConfig(task="xor"))), LessonContext("no-such-lesson", 0))
    wait_until(lambda: not f.attached)
    assert any("no built-in lesson 'no-such-lesson'" in n for n in f.notes)

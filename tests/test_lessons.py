"""Lessons: the file format and its errors, every built-in chapter against the engine,
a scripted run through every chapter, ``learn --check`` and worksheets, progress."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from nn.naming import neuron_name
from tui.core.format import num, paren
from tui.cli import learn
from tui.lessons import catalogue as cli
from tui.lessons import live
from tui.lessons.format import PLACEHOLDER, LessonErrors, load, parse, parse_quantity
from tui.lessons.progress import Progress

BUILTIN = cli.builtin_lessons()


def engine_value(session, text: str) -> float:
    """A placeholder's value read straight from the engine arrays (independent of live.value)."""
    q = parse_quantity(text)
    net, st = session.net, session.stepper
    s = q.sample - 1 if q.sample else session.sample
    if q.kind == "loss":
        return st.losses[q.epoch] if q.epoch is not None else st.losses.last
    if q.kind == "epoch":
        return st.epoch
    if q.kind == "last epoch":   # the epoch of the last loss computed
        return len(st.losses) - 1
    if q.kind == "lr":
        return st.lr
    if q.kind == "x":
        return session.problem.X[s, q.index - 1]
    if q.kind == "y":
        return session.problem.y[s, 0]
    if q.kind == "dL/dy":
        ev = [e for e in session.trace_events() if e.phase.value == "loss"][-1]
        return ev.dL_dyhat[s, 0]
    sizes = tuple(net.sizes)
    names = {neuron_name(l, j, sizes): (l, j) for l in range(len(sizes) - 1)
             for j in range(sizes[l + 1])}
    l, j = names[q.neuron]
    layer = net.layers[l]
    if q.kind == "digit":  # the class with the largest mean activation, counted directly
        labels = session.problem.y.argmax(axis=1)
        best, best_mean = None, None
        for k in range(session.problem.y.shape[1]):
            rows = session.problem.X[labels == k]
            a = rows
            for lay in net.layers[:l + 1]:
                a = lay.activation(a @ lay.W + lay.b)
            if best_mean is None or a[:, j].mean() > best_mean:
                best, best_mean = k, a[:, j].mean()
        return best
    if q.kind == "f'":  # the slope by its formula; a planted bug (find-the-bug) uses f'(z) = a
        a, z = layer.a[s, j], layer.z[s, j]
        if getattr(layer.activation, "planted", None) == (l, j):
            return a
        return {"sigmoid": a * (1 - a), "tanh": 1 - a * a, "relu": float(z > 0),
                "identity": 1.0}[layer.activation.name]
    return {"z": lambda: layer.z[s, j], "a": lambda: layer.a[s, j],
            "delta": lambda: layer.delta[s, j], "w": lambda: layer.W[q.index - 1, j],
            "dw": lambda: layer.dW[q.index - 1, j], "b": lambda: layer.b[j],
            "db": lambda: layer.db[j]}[q.kind]()


def expected_text(session, block) -> str:
    def filled(t):
        def fill(m):
            v = engine_value(session, m.group(1))
            if m.group(1).strip() in ("epoch", "last epoch") or m.group(1).startswith("digit"):
                return str(int(v))
            q, sizes = parse_quantity(m.group(1)), tuple(session.net.sizes)
            if (q.kind == "a" and session.config.is_gate and 0 <= v <= 1
                    and live.neuron_index(q.neuron, sizes)[0] == len(sizes) - 2):
                return f"{v:.4f}"  # ŷ of a gate as the predictions panel writes it
            return paren(v) if t[:m.start()].rstrip()[-1:] in ("·", "−", "-") else num(v)
        return PLACEHOLDER.sub(fill, t)
    return "\n".join(filled(t) for _, t in block)


@pytest.mark.parametrize("name", list(BUILTIN))
def test_builtin_lesson_is_clean(name):
    lesson = load(BUILTIN[name])
    assert 8 <= len(lesson.chapters) <= 10 or name != "backprop"
    assert live.check(lesson) == []


@pytest.mark.parametrize("name", list(BUILTIN))
def test_every_number_in_builtin_chapters_is_the_engines(name):
    lesson = load(BUILTIN[name])
    for i, ch in enumerate(lesson.chapters):
        run = live.ChapterRun(lesson, i)
        assert "{" not in run.text
        assert run.text == expected_text(run.session, ch.text), ch.title
        if ch.hint:
            assert run.hint == expected_text(run.session, [(0, ch.hint)]), ch.title
        run.finish_wait()
        if ch.ask is not None:
            run.give_up()
        assert run.reveal == expected_text(run.session, ch.reveal), ch.title


def test_backprop_numbers_by_hand():
    """The first chapters' numbers equal what the formulas give on the engine's arrays."""
    lesson = load(BUILTIN["backprop"])
    run = live.ChapterRun(lesson, 0)
    net, X = run.session.net, run.session.problem.X
    W, b = net.layers[0].W, net.layers[0].b
    assert f"w₁ = {num(W[0, 0])} and w₂ = {num(W[1, 0])}" in run.text
    z = X[1] @ W[:, 0] + b[0]
    assert run.answer(float(num(z))).right
    assert f"z = {num(z)}" in run.reveal
    assert f"a = {num(1 / (1 + np.exp(-z)))}" in run.reveal
    # the output δ: ∂L/∂ŷ · a(1 − a)
    run = live.ChapterRun(lesson, 3)
    a = net_a = run.session.net.layers[1].a[1, 0]
    dl = 2 / 4 * (net_a - 1.0)
    assert f"∂L/∂ŷ = {num(dl)} and a = {a:.4f}" in run.text  # (ŷ: as the predictions panel)
    assert run.answer(dl * a * (1 - a)).right


def scripted_run(lesson) -> list[tuple[str, int]]:
    """Every chapter: its wait actions, a wrong answer (hint), the right one; key presses."""
    presses = []
    for i, ch in enumerate(lesson.chapters):
        run = live.ChapterRun(lesson, i)
        assert run.reveal is None or (ch.wait.kind == "none" and ch.ask is None)
        keys = run.finish_wait()
        if ch.ask is not None:
            assert not run.done and run.reveal is None
            truth = live.value(run.session, ch.ask)
            wrong = run.answer(truth * 3 + 1)
            assert not wrong.right and wrong.hint and "{" not in wrong.hint
            assert not run.done and run.reveal is None  # a wrong answer reveals nothing
            typed = num(truth)
            ans = run.answer(float(typed))
            assert ans.right and ans.shown == typed
            keys += len(typed) + 1  # the digits and Enter
        assert run.done and run.reveal is not None
        presses.append((ch.title, keys + 1))  # + 1: on to the next chapter
    return presses


@pytest.mark.parametrize("name", list(BUILTIN))
def test_scripted_run_through_every_chapter(name):
    presses = scripted_run(load(BUILTIN[name]))
    print(f"\nkey presses per chapter of {name}:")
    for title, n in presses:
        print(f"  {n:3d}  {title}")
    print(f"  {sum(n for _, n in presses):3d}  in all")
    assert all(n >= 1 for _, n in presses)


def test_play_chapter_reaches_its_loss():
    lesson = load(BUILTIN["backprop"])
    run = live.ChapterRun(lesson, len(lesson.chapters) - 1)
    run.finish_wait()
    assert run.play_reached and run.session.stepper.losses.last <= 0.01


# ------------------------------------------------------------------ bad files
GOOD = """# A lesson

## First
task: xor
position: epoch 0, forward, h₁
wait: step
ask: z h₁ sample 2
hint: w₂ is {w h₁ 2}

Look at {w h₁ 1}.
---
z is {z h₁ sample 2}.
"""

BAD = [  # (text, line, words in the message)
    (GOOD.replace("wait: step", "colour: red"), 6, "unknown key 'colour'"),
    # a key with a digit or a Greek letter is a key too: not prose that swallows the header
    (GOOD.replace("wait: step", "beta1: 0.8\nwait: step"), 6, "unknown key 'beta1'"),
    (GOOD.replace("wait: step", "β: 0.8\nwait: step"), 6, "unknown key 'β'"),
    (GOOD.replace("{w h₁ 1}", "{q h₁ 1}"), 10, "bad placeholder: not a quantity: {q h₁ 1}"),
    (GOOD.replace("Look at {w h₁ 1}.", "Look at {w h₁ 1"), 10, "unmatched { or }"),
    (GOOD.replace("{w h₁ 1}", "{z h₂ sample 2}"), 10, "z of h₂ is not computed yet"),
    (GOOD.replace("{w h₁ 1}", "{w h₃ 1}"), 10, "no neuron 'h₃'"),
    (GOOD.replace("forward, h₁", "forward, h₃"), 5, "unreachable position epoch 0, forward, h₃"),
    (GOOD.replace("epoch 0, forward", "epoch 999999, forward"), 5, "unreachable"),
    (GOOD.replace("epoch 0, forward", "epochs zero"), 5, "position 'epochs zero, h₁'"),
    (GOOD.replace("ask: z h₁ sample 2", "ask: what is z?"), 7, "malformed question"),
    (GOOD.replace("ask: z h₁ sample 2", "ask: z h₁ sample 9"), 7, "malformed question"),
    (GOOD.replace("ask: z h₁ sample 2\n", ""), 7, "malformed question: 'hint' without 'ask:'"),
    (GOOD.replace("hint:", "tolerance: lots\nhint:"), 8, "malformed question: tolerance"),
    (GOOD.replace("hint:", "tolerance: 0\nhint:"), 8,
     "malformed question: tolerance '0': write a width above 0, absolute (0.5: ± 0.5) or "
     "relative (1%)"),
    (GOOD.replace("hint:", "tolerance: lots\nhint:"), 8, "tolerance 'lots': write a width"),
    (GOOD.replace("# A lesson\n", ""), 2, "missing title"),
    ("", 1, "missing title"),
    (GOOD.replace("task: xor", "task: chess"), 4, "task 'chess'"),
    (GOOD.replace("wait: step", "wait: forever"), 6, "wait 'forever'"),
    (GOOD.replace("task: xor", "task: xor\nhidden: 0").replace("forward, h₁", "forward")
     .replace("h₁", "ŷ").replace("wait: step", "wait: play until loss 0.01"), 7,
     "unreachable: the loss does not reach 0.01 within 20000 epochs"),
]


def errors_of(tmp_path, text):
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    try:
        lesson = load(path)
    except LessonErrors as exc:
        return path, [str(e) for e in exc.errors]
    return path, [str(e) for e in live.check(lesson)]


def test_good_lesson_is_clean(tmp_path):
    assert errors_of(tmp_path, GOOD)[1] == []


@pytest.mark.parametrize("text,line,words", BAD, ids=[b[2][:30] for b in BAD])
def test_bad_lesson_names_file_and_line(tmp_path, text, line, words):
    path, errors = errors_of(tmp_path, text)
    assert any(e.startswith(f"{path}:{line}: ") and words in e for e in errors), errors
    assert all("\n" not in e and "Traceback" not in e for e in errors)


def test_nothing_in_a_lesson_executes(tmp_path):
    text = GOOD.replace("{w h₁ 1}", "{__import__('os').system('touch PWNED')}")
    path, errors = errors_of(tmp_path, text)
    assert errors and "bad placeholder" in errors[0]


# ------------------------------------------------------------------------ cli
def run_cli(capsys, tmp_path, *argv):
    rc = learn.main(["learn", *map(str, argv)], progress=Progress(tmp_path / "p.json"))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_check_piped_starts_with_the_first_problem(tmp_path, capsys):
    # stderr not a terminal: no progress bar, so no blank line before the first problem
    bad = tmp_path / "bad.md"
    bad.write_text(GOOD.replace("wait: step", "colour: red"), encoding="utf-8")
    rc, out, err = run_cli(capsys, tmp_path, "--check", bad)
    assert rc == 2 and err.startswith(f"{bad}:6: unknown key"), repr(err[:40])


def test_check_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    assert run_cli(capsys, tmp_path, "--check", good)[0] == 0
    assert run_cli(capsys, tmp_path, "--check", "backprop")[0] == 0
    bad = tmp_path / "bad.md"
    bad.write_text(GOOD.replace("wait: step", "colour: red").replace("{w h₁ 1}", "{q}"),
                   encoding="utf-8")
    rc, out, err = run_cli(capsys, tmp_path, "--check", bad)
    assert rc == 2 and f"{bad}:6: unknown key" in err and f"{bad}:10: bad placeholder" in err
    # a form error in one chapter and an engine error in another: both reported, in order
    both = tmp_path / "both.md"
    both.write_text(GOOD + "\n## Second\nposition: epoch 0, backward, h₇\n\nText.\n"
                    + GOOD.split("\n", 2)[2].replace("First", "Third").replace("{w h₁ 1}", "{w}"),
                    encoding="utf-8")
    rc, out, err = run_cli(capsys, tmp_path, "--check", both)
    lines = err.strip().splitlines()
    assert rc == 2 and lines[0].startswith(f"{both}:15: unreachable position")
    assert lines[1].startswith(f"{both}:25: bad placeholder") and "2 problems" in lines[2]
    assert run_cli(capsys, tmp_path, "--check", tmp_path / "missing.md")[0] == 2
    live_bad = tmp_path / "live_bad.md"  # parses, but its position cannot be reached
    live_bad.write_text(GOOD.replace("forward, h₁", "forward, h₉"), encoding="utf-8")
    rc, out, err = run_cli(capsys, tmp_path, "--check", live_bad)
    assert rc == 2 and f"{live_bad}:5: unreachable position" in err and "1 problem" in err
    rc, out, err = run_cli(capsys, tmp_path, "--check", tmp_path)
    assert rc == 2 and "is a directory" in err
    assert run_cli(capsys, tmp_path, "--nope")[0] == 2


def test_list_and_resume(tmp_path, capsys):
    rc, out, _ = run_cli(capsys, tmp_path, )
    assert rc == 0 and "backprop" in out and "not started" in out
    progress = Progress(tmp_path / "p.json")
    ls = cli.start_lesson("backprop", progress)
    ls.next(), ls.next()
    assert "at chapter 3 of" in run_cli(capsys, tmp_path)[1]
    assert cli.start_lesson("backprop", Progress(tmp_path / "p.json")).index == 2


def test_worksheet_has_the_engines_numbers(tmp_path, capsys):
    out = tmp_path / "ws.md"
    assert run_cli(capsys, tmp_path, "backprop", "--worksheet", out)[0] == 0
    text = out.read_text(encoding="utf-8")
    lesson = load(BUILTIN["backprop"])
    key = text.split("## Answer key", 1)[1]
    questions = [c for c in lesson.chapters if c.ask is not None]
    for i, ch in enumerate(lesson.chapters):
        if ch.ask is None:
            continue
        run = live.ChapterRun(lesson, i)
        run.finish_wait()
        truth = engine_value(run.session, ch.ask.text)
        q = questions.index(ch) + 1
        assert re.search(rf"^{q}\. .* = \*\*{re.escape(num(truth))}\*\*", key, re.M), (q, key)
    w = lesson_w = live.ChapterRun(lesson, 0).session.net.layers[0].W  # noqa: F841
    assert f"w₁ = {num(w[0, 0])}" in text.split("## Answer key")[0]
    rc, _, err = run_cli(capsys, tmp_path, "backprop", "--worksheet", out)
    assert rc == 2 and "already exists" in err
    assert run_cli(capsys, tmp_path, "backprop", "--worksheet", out, "--force")[0] == 0


# ------------------------------------------------------------------- progress
def test_progress_round_trip_and_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    p = Progress()
    assert p.path == tmp_path / "tinynet-tui" / "progress.json"
    p.record("backprop", 4, 9)
    assert json.loads(p.path.read_text())["lessons"]["backprop"]["chapter"] == 4
    assert Progress().describe("backprop") == "at chapter 5 of 9"
    p.path.write_text("{not json")
    warnings = []
    q = Progress(warn=warnings.append)
    assert q.get("backprop") is None and warnings and "progress.json" in warnings[0]
    q.record("backprop", 1, 9, done=True)
    assert Progress().describe("backprop") == "done"


def test_steps_select_key_wait_and_lesson_end(tmp_path):
    text = """# Keys

## Steps and selection
position: epoch 0, forward
steps: 2 neuron
sample: 3
select: h2
wait: key g

h₂ for sample 3: z = {z h₂}, a = {a h₂}.
"""
    lesson = parse(text, "k.md")
    assert live.check(lesson) == []
    run = live.ChapterRun(lesson, 0)
    s = run.session
    assert s.stepper.cursor == 2 and s.sample == 2 and s.selected == (0, 1)
    assert f"z = {num(s.net.layers[0].z[2, 1])}" in run.text
    assert run.waiting_for == "press g" and not run.press("n") and run.press("g") and run.done
    progress = Progress(tmp_path / "p.json")
    ls = live.LessonSession(lesson, "k", 0, progress)
    assert ls.next() is None and progress.describe("k") == "done"


# ------------------------------------------------------------ new header keys
def test_plant_wrong_derivative_is_found_by_the_gradient_check():
    """find-the-bug: only the lesson's copy has the bug; the gradient check fails exactly for
    the planted neuron's parameters, on the fast path and on neuron steps alike."""
    from nn import gradcheck
    from tui.core.config import RunConfig, build
    from tui.lessons.plant import plant_wrong_derivative, planted_neuron

    lesson = load(BUILTIN["find-the-bug"])
    run = live.ChapterRun(lesson, 1)
    net = run.session.net
    assert planted_neuron(net) == (0, 1) and planted_neuron(net.copy()) == (0, 1)
    result = gradcheck(net.copy(), run.session.problem.X, run.session.problem.y)
    bad = {(c.layer, c.index[-1]) for c in result.checks
           if c.rel_error >= result.tolerance}
    assert bad == {(0, 1)}, bad
    # the last chapter ("plant: none") is the plain engine: the check passes
    clean = live.ChapterRun(lesson, len(lesson.chapters) - 1).session.net
    assert planted_neuron(clean) is None
    assert gradcheck(clean, run.session.problem.X, run.session.problem.y).ok
    # one neuron step computes the same δ as a whole (planted) backward pass
    a = live.ChapterRun(lesson, 3)  # "The neuron with the bug": h₂'s backward step
    a.finish_wait()
    from nn import Granularity
    from tui.core.session import Session

    whole = Session(build(RunConfig(task="xor", seed=0, lr=5)))
    plant_wrong_derivative(whole.net, 0, 1)
    whole.granularity = Granularity.PHASE
    for _ in range(3):  # forward, loss, backward: whole layers at once
        whole.step()
    assert np.allclose(a.session.net.layers[0].delta, whole.net.layers[0].delta, atol=1e-12)
    h2 = a.session.net.layers[0]
    assert np.allclose(live.value(a.session, parse_quantity("f' h₂ sample 2")), h2.a[1, 1])


@pytest.mark.parametrize("text,line,words", [
    (GOOD.replace("wait: step", "panel: sidebar"), 6, "panel 'sidebar'"),
    (GOOD.replace("wait: step", "plant: a bug"), 6, "plant 'a bug'"),
    (GOOD.replace("wait: step", "plant: wrong derivative h₉"), 6, "plant: no neuron 'h₉'"),
    (GOOD.replace("wait: step", "wait: play until nan"), 6,
     "unreachable: training did not stop with NaN/inf"),
], ids=["panel", "plant-form", "plant-neuron", "nan-unreachable"])
def test_new_keys_errors(tmp_path, text, line, words):
    path, errors = errors_of(tmp_path, text)
    assert any(e.startswith(f"{path}:{line}: ") and words in e for e in errors), errors


def test_builtin_lessons_in_reading_order():
    assert list(BUILTIN)[:7] == ["backprop", "why-hidden", "learning-rate", "saturation",
                                 "initialisation", "regression", "find-the-bug"]


# ------------------------------------------------- wave 5: text that reads on its own
def _worksheet_sections(lesson) -> dict[int, str]:
    from tui.lessons.worksheet import worksheet

    text = worksheet(lesson).split("## Answer key")[0]
    parts = re.split(r"^## (\d+)\. .*$", text, flags=re.M)
    return {int(parts[k]) - 1: parts[k + 1] for k in range(1, len(parts), 2)}


@pytest.mark.parametrize("name", list(BUILTIN))
def test_every_number_a_question_needs_is_in_the_chapter_text(name):
    """The hint's numbers (what the question is worked out from) are in the chapter's text
    and its worksheet section: at 80×24 the neuron panel is hidden, on paper there is none."""
    lesson = load(BUILTIN[name])
    sections = _worksheet_sections(lesson)
    for i, ch in enumerate(lesson.chapters):
        if ch.ask is None or not ch.hint:
            continue
        run = live.ChapterRun(lesson, i)
        for m in PLACEHOLDER.finditer(ch.hint):
            shown = live.show(run.session, parse_quantity(m.group(1)))
            assert shown in run.text, (name, i + 1, m.group(0), shown)
            assert shown in sections[i], (name, i + 1, m.group(0), shown)


@pytest.mark.parametrize("name", list(BUILTIN))
def test_worksheet_has_no_app_key_instructions(name):
    text = "\n".join(_worksheet_sections(load(BUILTIN[name])).values())
    assert not re.search(r"\bpress\b|\bEnter\b|\bEsc\b", text, re.I), name


def test_for_paper_rewrites_key_instructions():
    from tui.lessons.worksheet import for_paper

    assert for_paper("Predict δ of ŷ, then press Enter.\nNext.") == "Predict δ of ŷ.\nNext."
    assert for_paper("Work out z, type it in, then press Enter to let it compute it.") == \
        "Work out z."
    assert for_paper("Slow. Press p to play 2000 epochs.") == "Slow. Play 2000 epochs."
    assert for_paper("x, press n once to run epoch 1.") == "x, run epoch 1."
    assert for_paper("around. Press p.\n\nPress p. The app") == "around.\n\nThe app"
    assert for_paper("Press e: the app writes. Esc closes it.") == "The app writes."


def test_played_answers_say_which_weights_they_are_from():
    """After playing, ŷ read from the last forward pass is one update behind the
    predictions panel (computed with the weights now): the text says so."""
    for name in BUILTIN:
        lesson = load(BUILTIN[name])
        for ch in lesson.chapters:
            reveal = "\n".join(t for _, t in ch.reveal)
            if ch.wait.kind == "play" and re.search(r"\{a ŷ[^}]*\}", reveal):
                assert "before its update" in " ".join(reveal.split()), (name, ch.title)


def test_the_lesson_list_keeps_a_gap_after_the_longest_name(tmp_path, capsys):
    """`tinynet-tui learn` printed 'hidden-pictures What hidden neurons learn': the names'
    column was 15 wide and that name 15 long, one space from its title. Every title now
    starts in one column, two spaces after the longest name."""
    from argparse import Namespace

    from tui.lessons.progress import Progress

    args = Namespace(lesson=None, check=False, worksheet=None, force=False)
    assert learn.run_learn(args, progress=Progress(tmp_path / "progress.json")) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    names = [row.split()[0] for row in rows]
    assert "hidden-pictures" in names and len(rows) >= 8
    column = 2 + max(map(len, names)) + 2
    for row, name in zip(rows, names):
        assert row[column - 2:column] == "  " and row[column] != " ", row
        assert row[2:column].strip() == name, row

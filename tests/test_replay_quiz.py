"""Record/replay reproduces the final weights bit for bit; quiz answers are scored."""
import json

import numpy as np
import pytest

from nn import Phase
from tui.app import TinyNetApp
from tui.cli import main
from tui.config import RunConfig, build
from tui.recording import SessionFileError, load_session
from tui.screens.number import NumberScreen
from tui.session import Quiz, Session


async def test_saved_session_replays_to_the_same_weights_bit_for_bit(tmp_path):
    app = TinyNetApp(build(RunConfig(task="xor")), save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n", "b", "g", "n", "g", "g", "n")
        app.session.play_chunk(37)
        await pilot.press("down", "w", "ctrl+u", *"b 0.25", "enter")
        await pilot.press("l", *"2", "enter", "n", "n", "R", "g", "n", "n", "b")
        app.session.play_chunk(11)
        await pilot.press("S")
        final = [(l.W.copy(), l.b.copy()) for l in app.session.net.layers]
        epoch, cursor = app.session.stepper.epoch, app.session.stepper.cursor
    path = next(tmp_path.glob("tinynet-session-*.json"))
    config, actions = load_session(path)
    assert [a["do"] for a in actions].count("play") == 2
    session = Session(build(config))
    session.replay(actions)
    assert (session.stepper.epoch, session.stepper.cursor) == (epoch, cursor)
    for (W, b), layer in zip(final, session.net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)
    assert session.config.seed == 1 and session.stepper.lr == 2.0


def test_bad_session_files_exit_2_with_one_line(tmp_path, capsys):
    f = tmp_path / "s.json"
    for content, message in [("{", "not a readable session file"),
                             ('{"format": "x"}', "not a tinynet-tui session"),
                             (json.dumps({"format": "tinynet-session-1", "actions": [{"do": "rm"}]}),
                              "actions is missing or corrupt")]:
        f.write_text(content)
        assert main(["--replay", str(f)]) == 2
        err = capsys.readouterr().err
        assert message in err and "s.json" in err and err.count("\n") == 1
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "none.json")


def test_quiz_tolerance():
    assert Quiz.is_right(-0.05334, -0.053341)
    assert not Quiz.is_right(-0.05, -0.05334)
    assert Quiz.is_right(0.00005, 0.0)


async def test_quiz_asks_before_backward_and_scores_right_and_wrong():
    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("z", "n", "n", "n", "n")  # forward ×3 and loss: no questions
        s = app.session
        assert s.quiz.on and s.phase is Phase.BACKWARD
        await pilot.press("n")
        assert isinstance(app.screen, NumberScreen) and s.phase is Phase.BACKWARD
        await pilot.press(*"123", "enter")  # wrong
        assert s.quiz.asked == 1 and s.quiz.right == 0 and s.phase is Phase.BACKWARD
        delta_out = s.net.layers[1].delta[0, 0]
        # the next question: hidden neuron 0's δ for sample 0; answer with the true value
        await pilot.press("n")
        assert isinstance(app.screen, NumberScreen)
        hidden = s.net.copy()
        truth = None
        # compute the true value the way the engine will: via a throwaway stepper copy
        from nn import Stepper
        probe = Stepper(hidden, s.problem.X, s.problem.y, s.stepper.lr)
        probe.step("phase"), probe.step("phase")
        ev = probe.step("neuron")  # output backward
        ev = probe.step("neuron")  # hidden 0 backward
        truth = ev[0].values["delta"][0, 0]
        await pilot.press(*repr(float(truth)), "enter")
        assert s.quiz.asked == 2 and s.quiz.right == 1
        assert s.net.layers[1].delta[0, 0] == delta_out
        assert "quiz 1/2" in str(app.query_one("#status").content)
        await pilot.press("n", "escape")  # a skipped question takes no step
        assert s.quiz.asked == 2

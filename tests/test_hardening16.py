"""Crashes and lost work found by a random-key and bad-input hunt: each test is the
minimal reproduction, and fails on the code before its fix."""
from textual.widgets import Input, Label

from tui.config import ALL_TASKS, RunConfig, build
from tui.session import Session

from test_app import make_app


async def test_text_that_looks_like_markup_in_a_number_box_is_an_error_line_not_a_crash():
    app = make_app(task="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        box = app.screen.query_one("#number-input", Input)
        box.value = "[a="
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#number-error", Label)
        assert "'[a=' is not a number" in str(error.render())
        assert app.is_running and app.session.stepper.lr == 5.0
        box.value = "[b]0.5[/b]"
        await pilot.press("enter")
        await pilot.pause()
        assert "[b]0.5[/b]" in str(app.screen.query_one("#number-error", Label).render())


def test_t_goes_round_every_task_the_app_has_and_each_keeps_its_own_loss():
    s = Session(build(RunConfig(task="spiral3")))
    seen = []
    for _ in range(len(ALL_TASKS)):
        seen.append((s.next_task(), s.net.loss.name))
    assert [t for t, _ in seen] == ALL_TASKS[ALL_TASKS.index("spiral3") + 1:] + \
        ALL_TASKS[:ALL_TASKS.index("spiral3") + 1]
    assert dict(seen) == {"and": "mse", "xor": "mse", "regression": "mse", "circle": "mse",
                          "spiral": "mse", "spiral3": "softmax-ce", "blobs": "softmax-ce"}
    chosen = Session(build(RunConfig(task="xor", loss="bce", optimizer="adam")))
    assert chosen.next_task() == "regression" and chosen.net.loss.name == "mse"
    assert chosen.config.optimizer == "adam"          # what is not the task's stays


async def test_t_on_a_three_class_task_in_the_app():
    app = make_app(task="blobs")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert app.is_running and app.session.config.task == "and"

"""Lesson keys: the lesson list, slow motion, playing as a chapter asks, chapters.
The lesson mode itself is :mod:`tui.app.lesson_mode`."""
from __future__ import annotations


class LessonKeys:
    """App mixin (see :mod:`tui.app.controllers`); needs ``self.lessons`` (a LessonMode)."""

    def action_lessons(self) -> None:
        self.pause()
        self.lessons.show_list()

    def action_slow_motion(self) -> None:
        self.lessons.toggle_slow()

    def action_lesson_play(self) -> None:
        if not self.lessons.play():
            self.action_play()

    def action_next_chapter(self) -> None:
        if self.lessons.active:
            if not self.lessons.page(1):  # the chapter's text first, then the next chapter
                self.lessons.next()
        else:  # a long narration (a hidden neuron's backward step at 80×24) scrolls by key
            self.query_one("#narration").scroll_page_down(animate=False)

    def action_previous_chapter(self) -> None:
        if self.lessons.active:
            if not self.lessons.page(-1):
                self.lessons.back()
        else:
            self.query_one("#narration").scroll_page_up(animate=False)

    def action_chapter(self, delta: int) -> None:
        """``>``/``<``: the next/previous chapter at once."""
        if not self.lessons.active:
            return
        if delta > 0:
            self.lessons.next()
        else:
            self.lessons.back()

    def action_scroll_narration(self, delta: int) -> None:
        self.query_one("#narration").scroll_relative(y=3 * delta, animate=False)

    def action_chapter_done(self) -> None:
        run = self.lessons.run
        if run is not None and run.done:
            self.lessons.next()

    def on_input_submitted(self, event) -> None:
        if event.input.id == "lesson-answer":
            event.stop()
            self.lessons.answer(event.value)

    def on_answer_input_give_up(self, _message) -> None:
        self.lessons.give_up()

"""The lesson panel: the chapter being read, with its live numbers, what to do next, the
question (an Input) and the feedback; a progress bar of the chapters.

:func:`render_head`, :func:`render_body` and :func:`render_todo` are pure (testable);
:class:`LessonPanel` only places them.  What the panel shows comes from a
:class:`LessonView`, built by :mod:`tui.app.lesson_mode` from the lesson engine.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static


@dataclass(frozen=True)
class LessonView:
    lesson: str                  #: the lesson's title
    index: int                   #: chapter, from 0
    count: int                   #: chapters in the lesson
    title: str                   #: the chapter's title
    text: str                    #: its prose, numbers filled in
    reveal: str | None = None    #: the text after the wait and the question (None before)
    todo: str | None = None      #: what to do next, in words
    question: str | None = None  #: "Predict … = ?" while it is open
    feedback: str | None = None  #: after an answer: right, or the hint
    right: bool | None = None    #: was the last answer right
    finished: bool = False       #: the last chapter is done and the learner moved on
    slow: float | None = None    #: slow motion runs: seconds per step (None: it does not)
    keys: str = ("PgDn/PgUp read on, then next/back · >/< chapter · ⇧↓/⇧↑ scroll the chain "
                 "rule · L chapters · o slow motion")
    done: int = 0                #: chapters done (each once it showed ✓ Done), not the index


BAR_WIDTH = 20


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``━━━━━━────── 3/9``: ``done`` of ``total`` chapters."""
    filled = round(width * done / total) if total else width
    return "━" * filled + "─" * (width - filled) + f" {done}/{total} done"


def render_head(v: LessonView, lesson_title: bool = False) -> Text:
    """Chapter, title and progress bar; ``lesson_title``: the lesson's title first (when
    the panel's border is too narrow for it)."""
    t = Text()
    if lesson_title:
        t.append(v.lesson + "\n", style="bold")
    t.append(f"Chapter {v.index + 1} of {v.count}: ", style="bold")
    t.append(v.title, style="bold yellow")
    t.append("\n")
    t.append(progress_bar(v.done, v.count), style="green")
    return t


def reflow(text: str) -> str:
    """Paragraphs (blank-line separated) as single lines, so the panel wraps them to its
    width rather than at the line ends of the lesson file."""
    return "\n\n".join(" ".join(line.strip() for line in para.splitlines() if line.strip())
                       for para in text.split("\n\n"))


def render_body(v: LessonView) -> Text:
    t = Text(reflow(v.text))
    if v.reveal:
        t.append("\n\n")
        t.append(reflow(v.reveal), style="bold")
    if v.finished:
        t.append("\n\n")
        t.append("✓ Lesson finished. L opens the list of lessons.", style="bold green")
    return t


def slow_line(pace: float) -> str:
    """What the panel (and the notification) say while slow motion runs."""
    return f"▶ slow motion · {pace:g} s per step · any key pauses"


def render_todo(v: LessonView) -> Text:
    t = Text()
    if v.slow is not None:
        t.append(slow_line(v.slow) + "\n", style="bold green")
    if v.question:
        t.append(v.question, style="bold magenta")
        t.append("\nType your prediction and press Enter (Esc: show the answer)",
                 style="dim")
    elif v.todo:
        t.append("▶ " + v.todo[:1].upper() + v.todo[1:], style="bold magenta")
    elif not v.finished:
        if v.feedback:  # the verdict first, then what to do next
            t.append(v.feedback + "\n", style="green" if v.right else "yellow")
        t.append("✓ Done: Enter or PgDn for the next chapter" if v.index + 1 < v.count
                 else "✓ Done: Enter or PgDn finishes the lesson", style="bold green")
        return t
    if v.feedback:
        t.append("\n")
        t.append(v.feedback, style="green" if v.right else "yellow")
    return t


def more_hint(below: bool, compact: bool) -> str:
    """The lesson panel's bottom border: ``▼ more: PgDn`` while the chapter's text goes on
    below; on small screens, where the line of keys is hidden, also how to read and move
    on (so the text's end and the next chapter are found at 80×24 too)."""
    more = "▼ more: PgDn" if below else ""
    if not compact:
        return more
    return f"{more or 'PgDn/PgUp: next/back'} · >/< chapter"  # both work while typing


class AnswerInput(Input):
    """The answer field; Esc gives up (shows the answer).  Its keys are shown in the footer:
    while it has focus the app's letter keys type into it, so the footer has no others."""

    BINDINGS = [Binding("enter", "submit", "check the prediction"),
                Binding("escape", "give_up", "show the answer")]
    can_focus = False  #: only while a question is open (see LessonPanel.show)
    #: what a number can be written with (letters such as n, p are never typed in)
    NUMBER_CHARACTERS = r"[-+−0-9.,eE ]*"

    def __init__(self, **kwargs) -> None:
        super().__init__(restrict=self.NUMBER_CHARACTERS, **kwargs)

    class GiveUp(Message):
        pass

    async def _on_key(self, event) -> None:
        """``?`` is not typed: answers are numbers, and ``?`` opens the help everywhere;
        ``>``/``<`` change chapter from here too (an Input takes every printable key
        before its bindings are looked at)."""
        if event.key == "question_mark":
            event.stop()
            event.prevent_default()
            await self.run_action("app.help")  # as > and < below: the app's action
            return
        step = {"greater_than_sign": 1, "less_than_sign": -1}.get(event.key)
        if step is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(f"app.chapter({step})")
            return
        await super()._on_key(event)

    def action_give_up(self) -> None:
        self.post_message(self.GiveUp())


class LessonPanel(Vertical):
    """Docked beside (or, on small screens, below) the diagram and narration."""

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-head")
        with VerticalScroll(id="lesson-scroll"):
            yield Static(id="lesson-text")
        yield Static(id="lesson-todo")
        yield AnswerInput(id="lesson-answer", placeholder="your prediction, e.g. 0.42")
        yield Static(id="lesson-keys")

    def on_mount(self) -> None:
        self.border_title = "lesson"
        scroll = self.query_one("#lesson-scroll")
        scroll.can_focus = False
        # the bottom border says whether more text is below (a scrollbar's colour alone
        # does not), however it scrolled: PgDn, the mouse wheel, a resize, a new text
        self.watch(scroll, "scroll_y", self.show_more, init=False)
        self.watch(scroll, "max_scroll_y", self.show_more, init=False)

    def show_more(self, *_) -> None:
        """The bottom border's hint: ``▼ more: PgDn`` while the text goes on below what
        is shown; on small screens (where the line of keys is hidden) with the keys that
        read on and change chapter."""
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        below = round(scroll.scroll_y) < scroll.max_scroll_y
        self.border_subtitle = more_hint(below, self.screen.has_class("compact"))

    _reveal: str | None = None  #: the reveal last shown (to scroll to a new one)

    _view: LessonView | None = None  #: the view last shown (shown again on a resize)
    _chapter: tuple[str, int] | None = None  #: (lesson, chapter) shown: a new one starts at the top

    def border_title_for(self, lesson: str) -> str | None:
        """``lesson · TITLE`` if it fits the top border whole, else None (the head shows
        the title)."""
        title = f"lesson · {lesson}"
        return title if cell_len(title) + 6 <= self.outer_size.width else None

    def on_resize(self) -> None:
        if self._view is not None:
            self.show(self._view)
        self.call_after_refresh(self.show_more)

    def show(self, v: LessonView) -> None:
        self._view = v
        if (v.lesson, v.index) != self._chapter:  # a new chapter is read from its start
            self._chapter = (v.lesson, v.index)
            self._reveal = None
            self.query_one("#lesson-scroll", VerticalScroll).scroll_home(animate=False)
        title = self.border_title_for(v.lesson)
        self.border_title = title or "lesson"
        self.query_one("#lesson-head", Static).update(render_head(v, title is None))
        self.query_one("#lesson-text", Static).update(render_body(v))
        if v.reveal and v.reveal != self._reveal:
            self.call_after_refresh(self.scroll_to_reveal, v.text)
        self._reveal = v.reveal
        self.query_one("#lesson-todo", Static).update(render_todo(v))
        self.query_one("#lesson-keys", Static).update(Text(v.keys, style="dim"))
        answer = self.query_one("#lesson-answer", AnswerInput)
        answer.display = answer.can_focus = v.question is not None
        self.call_after_refresh(self.show_more)

    def page(self, direction: int) -> bool:
        """PgDn (+1) / PgUp (−1): scroll the chapter's text a page, if there is more that
        way; False when it is already at its end (then the key changes chapter)."""
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        page = max(1, scroll.scrollable_content_region.height - 1)  # a line kept for context
        y = round(scroll.scroll_y)
        target = max(0, min(scroll.max_scroll_y, y + direction * page))
        if target == y:
            return False
        scroll.scroll_to(y=target, animate=False, immediate=True)
        return True

    def scroll_to_reveal(self, text: str) -> None:
        """Scroll the text so the reveal's first line is at the top (on a small screen the
        newest text would else be below the fold, under "✓ Done")."""
        body = self.query_one("#lesson-text", Static)
        if body.size.width <= 0:
            return
        self.query_one("#lesson-scroll", VerticalScroll).scroll_to(
            y=reveal_line(text, body.size.width, self.app.console), animate=False)


def reveal_line(text: str, width: int, console) -> int:
    """The line (from 0) where the reveal starts in :func:`render_body` at ``width``
    cells: the chapter text's wrapped lines and the blank line after them."""
    return len(Text(reflow(text)).wrap(console, width)) + 1

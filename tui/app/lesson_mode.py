"""Lessons and slow motion inside the app (the app only forwards keys and redraws here).

A lesson chapter brings its own :class:`~tui.core.session.Session` (set up by
:mod:`tui.lessons.live`); while it is shown that session *is* the app's session, so every
normal key acts on it.  After each redraw tick :meth:`LessonMode.observe` looks at what the
session recorded — new ``Step`` actions, epochs played, a NaN/inf stop — and tells the
chapter, which then shows what comes next (its question, its reveal).

Slow motion (``o``) steps one unit (one neuron of one phase) every few seconds, with the
narration and the highlighted neuron following; ``+``/``−`` change the pace, any other key
pauses it.  It is a Textual timer, usable with or without a lesson.
"""
from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from nn import Granularity

from tui.core import actions as act
from tui.core.format import num
from tui.core.parsing import finite_number
from tui.app.widgets.footer import KeyFooter
from tui.app.widgets.inspector import Inspector
from tui.app.widgets.lesson import AnswerInput, LessonPanel, LessonView, slow_line
from tui.app.widgets.narration import Narration

#: seconds per step in slow motion (+ is faster, i.e. fewer seconds)
SLOW_PACES = (5.0, 3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3)
SLOW_DEFAULT = 3  # 1.5 s per step

#: ``panel:`` names → the app's widget ids
PANEL_IDS = {"diagram": "diagram", "neuron": "inspector-box", "narration": "narration",
             "loss": "loss", "predictions": "predictions", "maps": "predictions"}


#: keys that adjust slow motion instead of pausing it
SLOW_KEYS = {"o": 0, "plus": 1, "equals_sign": 1, "minus": -1}

#: step sizes, finest first ("batch" is the stepper's mini-batch step)
STEP_ORDER = ("neuron", "layer", "phase", "batch", "epoch")


def counts_as_n(step: act.Step, chapter_granularity: str) -> bool:
    """Does a step the app took count as the chapter's ``n``?  Only one at least as
    large as the chapter's granularity: a slow-motion (one neuron) step in a chapter that
    steps whole epochs has not computed what the chapter's reveal talks about."""
    g = getattr(step.granularity, "value", step.granularity)
    want = getattr(chapter_granularity, "value", chapter_granularity)
    return STEP_ORDER.index(g) >= STEP_ORDER.index(want)


def lesson_row(name: str, title: str, tag: str, name_width: int = 15) -> Table:
    """A lesson's row in the list: its name, its title and its progress tag on one line at
    any width; the title is cut with "…" first (``[at chapter 3 of 9]`` stays whole).
    ``name_width``: the longest name's, two spaces before every title."""
    row = Table.grid(padding=(0, 1), expand=True)
    # "  " and the name, as the chapters are indented, and a space: with the grid's padding
    # two before the title ('hidden-pictures What …' had one)
    row.add_column(width=name_width + 3, no_wrap=True)
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(width=cell_len(tag), no_wrap=True)
    row.add_row(Text(f"  {name}"), Text(title), Text(tag))  # (never read as markup)
    return row


class LessonListScreen(ModalScreen[object]):
    """The chapters of the open lesson and the built-in lessons (with progress).
    Dismisses with ``("chapter", i)``, ``("lesson", name)`` or None."""

    BINDINGS = [Binding("escape,L", "dismiss(None)", "close")]

    def __init__(self, chapters: list[str], current: int | None,
                 lessons: list[tuple[str, str, str]]) -> None:
        """``lessons``: (name, title, progress tag) of each built-in lesson."""
        super().__init__()
        self.chapters, self.current, self.lessons = chapters, current, lessons

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        for i, title in enumerate(self.chapters):
            mark = "▶" if i == self.current else " "
            options.append(Option(f"{mark} {i + 1}. {title}", id=f"chapter:{i}"))
        if self.chapters:
            options.append(None)
        wide = max((len(name) for name, _, _ in self.lessons), default=0)
        for name, title, tag in self.lessons:
            options.append(Option(lesson_row(name, title, tag, wide), id=f"lesson:{name}"))
        with Vertical(id="lesson-list-box"):
            yield Label("Chapters and lessons — Enter opens, Esc closes" if self.chapters
                        else "Lessons — Enter opens, Esc closes")
            yield OptionList(*options, id="lesson-list")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.focus()
        if self.current is not None:
            ol.highlighted = self.current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, _, what = (event.option.id or "").partition(":")
        self.dismiss((kind, int(what) if kind == "chapter" else what))


class LessonMode:
    """The open lesson (if any) and slow motion, for one TinyNetApp."""

    def __init__(self, app, lesson=None, progress=None) -> None:
        self.app = app
        self.lesson = None          #: tui.lessons.live.LessonSession
        self.progress = progress
        self.feedback: str | None = None
        self.right: bool | None = None
        self.finished = False
        self.hidden: float | None = None  #: the open question's answer the panels hide
        self._seen = 0              #: session actions already told to the chapter
        self._play_from = 0         #: the epoch a play wait started from
        self.slow_timer = None
        self.slow_index = SLOW_DEFAULT
        # -- follow mode (tui.net.share / tui.net.follow): the only hooks the classroom needs
        #: called with no arguments after every chapter is entered (a teacher's share
        #: server moves the room into it)
        self.on_enter: list = []
        #: an answer typed into the panel goes here first; True: it was handled (a
        #: follower sends it to the teacher instead of checking it on its mirror)
        self.answer_hook = None
        if lesson is not None:
            self.lesson = lesson
            self._enter_chapter(mount=False)

    # ----------------------------------------------------------- lesson state
    @property
    def active(self) -> bool:
        return self.lesson is not None

    @property
    def run(self):
        return self.lesson.chapter if self.lesson else None

    def _progress(self):
        if self.progress is None:
            from tui.lessons.progress import Progress  # lessons load when one opens: start-up time

            self.progress = Progress(warn=lambda m: None)
        return self.progress

    def open(self, name: str) -> None:
        """Start (or resume) a built-in lesson or lesson file by name."""
        # lessons load when one opens: start-up time
        from tui.lessons.catalogue import start_lesson
        from tui.lessons.format import LessonErrors  # lessons load when one opens: start-up time

        try:
            self.lesson = start_lesson(name, self._progress())
        except LessonErrors as exc:
            self.app.say(str(exc.errors[0]), title="Lesson not opened", severity="error")
            return
        self._enter_chapter()

    def go(self, index: int) -> None:
        if self.lesson is not None:
            self.lesson.go(index)
            self._enter_chapter()

    def next(self) -> None:
        if self.lesson is None:
            return
        if self.finished:
            return
        if self.lesson.next() is None:
            self.finished = True
            self.app.say(f"Lesson finished: {self.lesson.lesson.title}", title="✓ Well done",
                         timeout=5)
            self.refresh()
            return
        self._enter_chapter()

    def page(self, direction: int) -> bool:
        """PgDn/PgUp: scroll the chapter's text if it has more that way."""
        if not self.active:
            return False
        panel = self.panel()
        return panel is None or panel.page(direction)  # (mounting: nothing to scroll yet)

    def back(self) -> None:
        if self.lesson is None:
            return
        if self.finished:
            self.finished = False
            self.refresh()
            return
        if self.lesson.index == 0:
            self.app.say("this is the first chapter", timeout=1.5)
            return
        self.lesson.back()
        self._enter_chapter()

    def _enter_chapter(self, mount: bool = True) -> None:
        """Show the lesson's current chapter: its session becomes the app's."""
        app, run = self.app, self.run
        self.stop_slow()
        if mount:
            app.pause()
        app.session = run.session  # a new session: the app draws it (its key has changed)
        ch = run.chapter
        if ch.ask is not None and ch.ask.neuron is not None:  # the neuron asked about
            from tui.lessons.live import neuron_index  # lessons load when one opens: start-up time

            run.session.select(*neuron_index(ch.ask.neuron, tuple(run.session.net.sizes)))
        self._seen = len(run.session.actions)
        self._play_from = run.session.stepper.epoch
        self.feedback, self.right, self.finished = None, None, False
        if mount:
            self.apply_classes()
            self.refresh(focus=True)
            app.redraw(True)
        for hook in self.on_enter:
            hook()

    def follow_chapter(self, lesson, session) -> None:
        """Show ``lesson``'s current chapter (a LessonSession) read on ``session``, the
        follower's mirror of the teacher's chapter (it starts in the same state)."""
        lesson.chapter.session = session
        self.lesson = lesson
        self._enter_chapter()

    def apply_classes(self) -> None:
        """Show the lesson panel; outline the panel the chapter is about; show every panel
        the chapter names (``panel:``, ``show:``, its prose: :mod:`tui.lessons.panels`)."""
        app = self.app
        screen = app.screen_stack[0]
        screen.set_class(self.active, "lesson")
        focus = self.run.chapter.panel if self.active else None
        outlined = PANEL_IDS.get(focus)
        for wid in set(PANEL_IDS.values()):
            app.query_one(f"#{wid}").set_class(wid == outlined, "lesson-focus")
        if not self.active or screen.has_class("digits"):
            self._set_large_map(False)
            screen.set_class(False, "lesson-charts2")
            if self.active:
                self.show_cell("narration")
            return
        from tui.lessons import panels  # lessons load when one opens: start-up time

        names = [n for n in panels.named(self.run.chapter) if n in self.cells()]
        large, small = panels.layout(names, compact=False), panels.layout(names, compact=True)
        charts = large.charts
        # large screens: the chart row holds one or two of loss / predictions / large map
        screen.set_class(len(charts) == 2, "lesson-charts2")
        screen.set_class(charts[0] != "loss", "show-predictions")
        # small screens: the second cell is the chapter's panel
        self.show_cell(small.cells[1])
        self._set_large_map("maps" in charts or small.cells[1] == "maps")

    def cells(self) -> tuple[str, ...]:
        """What the small-screen lesson layout's second cell can show (``v`` cycles them):
        the large map only on a task that has neuron maps."""
        from tui.lessons.panels import SMALL_CELLS  # lessons load when one opens: start-up time
        from tui.view.frame import maps_available  # the frame builder's rule: start-up time

        has_maps = maps_available(self.app.session.problem)
        return tuple(c for c in SMALL_CELLS if c != "maps" or has_maps) + ("diagram",)

    def _set_large_map(self, on: bool) -> None:
        """The predictions area shows the selected neuron's map (``m``'s view state)."""
        if self.app.view.large_map != on:
            self.app.view.large_map = on
            self.app.call_after_refresh(self.app.redraw, True)

    def show_cell(self, name: str) -> None:
        """The small-screen lesson layout's second cell (SMALL_CELLS); on large screens
        the chart row follows :meth:`apply_classes` (the neuron panel and the chain rule
        are always there)."""
        screen = self.app.screen_stack[0]
        screen.set_class(name in ("loss", "predictions", "maps"), "lesson-chart")
        screen.set_class(name == "neuron", "lesson-neuron")
        if name in ("loss", "predictions", "maps"):
            screen.set_class(name != "loss", "show-predictions")
        self._set_large_map(name == "maps")

    def cell(self) -> str:
        screen = self.app.screen_stack[0]
        if screen.has_class("lesson-neuron"):
            return "neuron"
        if screen.has_class("lesson-chart"):
            if not screen.has_class("show-predictions"):
                return "loss"
            return "maps" if self.app.view.large_map else "predictions"
        return "narration"

    def swap_panel(self) -> bool:
        """``v`` in the small-screen lesson layout: its second cell cycles chain rule →
        neuron → loss chart → predictions (→ the large neuron map).  False outside that
        layout (``v`` swaps as usual)."""
        screen = self.app.screen_stack[0]
        if not (self.active and screen.has_class("compact")):
            return False
        cells = [c for c in self.cells() if c != "diagram"]
        here = self.cell()
        self.show_cell(cells[(cells.index(here) + 1) % len(cells)] if here in cells
                       else cells[0])
        # the cell is the screen's classes, an input of the frame (ViewKeys.view_key)
        self.app.call_after_refresh(self.app.redraw, True)  # once the cell has its size
        return True

    def view(self) -> LessonView:
        run, lesson = self.run, self.lesson
        return LessonView(
            lesson=lesson.lesson.title, index=lesson.index, count=len(lesson.lesson.chapters),
            title=run.chapter.title, text=run.text, reveal=run.reveal or None,
            todo=run.waiting_for,
            question=run.question if not run.answered else None,
            feedback=self.feedback, right=self.right, finished=self.finished,
            slow=self.pace if self.slow else None, done=lesson.note_done())

    def secret(self) -> float | None:
        """The open question's answer when the panels already hold it (a question with
        no wait: the value was computed before the chapter starts), else None; the
        neuron and chain-rule panels hide it while the question is open."""
        run = self.run
        if run is None or run.answered or run.chapter.wait.kind != "none":
            return None
        from tui.lessons.live import value  # lessons load when one opens: start-up time

        try:
            return value(run.session, run.chapter.ask)
        except ValueError:
            return None

    #: the lesson panel's mount (the first lesson of a run started without one) is under way
    _mounting = False
    #: whether the refresh that waits for that mount focuses the answer
    _mount_focus = False

    def panel(self, focus: bool = False) -> LessonPanel | None:
        """The lesson panel, or None while it is being mounted.  It is composed with the
        main screen only when a lesson opens at start (start-up time: seven hidden widgets
        fewer); the first lesson opened later mounts it where the screen composes it (before
        the footer), then :meth:`refresh` runs (with ``focus``) once its children are
        there."""
        if self._mounting:
            self._mount_focus |= focus
            return None
        screen = self.app.screen_stack[0]
        found = screen.query(LessonPanel)
        if found:
            return found.first()
        self._mounting, self._mount_focus = True, focus
        mounted = screen.mount(LessonPanel(id="lesson", classes="panel"),
                               before=screen.query_one(KeyFooter))

        async def when_mounted() -> None:
            await mounted
            self._mounting = False
            self.refresh(focus=self._mount_focus)

        self.app.call_next(when_mounted)
        return None

    def refresh(self, focus: bool = False) -> None:
        secret = self.secret() if self.active else None
        self.hidden = secret  # an input of the frame (ViewKeys.view_key): a change redraws
        for widget in (self.app.query_one(Inspector), self.app.query_one(Narration)):
            widget.secret = secret
        if not self.active:
            return
        panel = self.panel(focus)
        if panel is None:  # being mounted: this refresh runs again once it is
            return
        v = self.view()
        panel.show(v)
        if v.question is not None:
            answer = panel.query_one(AnswerInput)
            if focus or not answer.has_focus:
                answer.value = ""
                answer.focus()
        elif focus or self.app.focused is panel.query_one(AnswerInput):
            self.app.set_focus(None)

    # ------------------------------------------------------- what was done
    def observe(self) -> None:
        """After a redraw tick: pass the session's new actions to the chapter."""
        run = self.run
        if run is None or run.session is not self.app.session or run.wait_done:
            return
        s = run.session
        changed = False
        new = s.actions[self._seen:]
        self._seen = len(s.actions)
        w = run.chapter.wait
        g = run.chapter.settings["granularity"]
        for a in new:
            if isinstance(a, act.Step) and counts_as_n(a, g) and run.press("n", perform=False):
                changed = True
        if w.kind == "play" and not run.wait_done:
            st = s.stepper
            with s.lock:  # the play worker may be training
                last = st.losses.last
                reached = (s.is_halted if w.nan else
                           bool(st.breakpoint) if w.breakpoint is not None else
                           st.cursor == 0 and last is not None and last <= w.loss
                           if w.loss is not None else st.epoch >= self._play_from + w.count)
            if reached:
                self.app.pause()
                run.wait_done, run.play_reached = True, True
                changed = True
        if changed:
            self.refresh()

    def saw_key(self, character: str | None) -> None:
        """A key the app handled (not typed into a field): for ``wait: key K``."""
        run = self.run
        if run is None or character is None or run.wait_done or run.chapter.wait.kind != "key":
            return
        if len(self.app.screen_stack) > 2:
            return
        if run.press(character, perform=False):
            self.refresh()

    def play(self) -> bool:
        """``p``: carry out the chapter's play wait (as ``learn`` does); False if none."""
        run = self.run
        if run is None or run.wait_done or run.chapter.wait.kind != "play":
            return False
        self.app.pause()
        run.press("p", perform=True)
        self._seen = len(run.session.actions)
        if run.play_reached is False and not run.chapter.wait.nan:
            self.app.say("the lesson's target was not reached", severity="warning")
        self.refresh()
        self.app.redraw(True)
        return True

    def answer(self, text: str) -> None:
        run = self.run
        if run is None or run.answered:
            return
        if self.answer_hook is not None and self.answer_hook(text):
            return
        try:
            number = finite_number(text)
        except ValueError as exc:
            self.feedback, self.right = f"{exc}", False
            self.refresh()
            return
        result = run.answer(number)
        self.last_answer = result  #: the engine's value and verdict of the last answer
        self._seen = len(run.session.actions)
        if result.right:
            self.feedback, self.right = f"✓ Right: the engine got {result.shown}.", True
        else:
            self.feedback, self.right = (f"✗ Not quite ({num(number)}). "
                                         + (f"Hint: {result.hint}" if result.hint else
                                            "Try again.")), False
        self.refresh(focus=not result.right)
        self.app.redraw(True)

    def give_up(self) -> None:
        run = self.run
        if run is None or run.answered:
            return
        shown = run.give_up()
        self._seen = len(run.session.actions)
        self.feedback, self.right = f"The answer: {shown}.", None
        self.refresh()
        self.app.redraw(True)

    def show_list(self) -> None:
        # lessons load when one opens: start-up time
        from tui.lessons.catalogue import builtin_lessons
        # lessons load when one opens: start-up time
        from tui.lessons.format import LessonErrors, load

        progress = self._progress()
        lessons = []
        for name, path in builtin_lessons().items():
            try:
                lessons.append((name, load(path).title, f"[{progress.describe(name)}]"))
            except LessonErrors:
                lessons.append((name, "cannot be read", ""))
        chapters = [c.title for c in self.lesson.lesson.chapters] if self.lesson else []
        current = self.lesson.index if self.lesson else None

        def chosen(choice) -> None:
            if choice is None:
                return
            kind, what = choice
            if kind == "chapter":
                self.go(what)
            else:
                self.open(what)

        self.app.push_screen(LessonListScreen(chapters, current, lessons), chosen)

    # ------------------------------------------------------------- slow motion
    @property
    def slow(self) -> bool:
        return self.slow_timer is not None

    @property
    def pace(self) -> float:
        return SLOW_PACES[self.slow_index]

    def toggle_slow(self) -> None:
        if self.slow:
            self.stop_slow()
            self.app.say("slow motion paused", timeout=1.5)
            return
        if self.app.session.is_halted:
            self.app.say("Training is stopped (NaN/inf): r resets.", severity="warning")
            return
        self.app.pause()
        self._start_timer()
        self.app.say(slow_line(self.pace) + " (+/− pace)", timeout=3)
        self.show_slow()
        self.slow_step()

    def show_slow(self) -> None:
        """The lesson panel's line for slow motion (on or off); focus is left alone."""
        panel = self.panel() if self.active else None
        if panel is not None:
            panel.show(self.view())

    def _start_timer(self) -> None:
        if self.slow_timer is not None:
            self.slow_timer.stop()
        self.slow_timer = self.app.set_interval(self.pace, self.slow_step)

    def stop_slow(self) -> None:
        if self.slow_timer is not None:
            self.slow_timer.stop()
            self.slow_timer = None  # view state: the app redraws
            self.show_slow()

    def change_pace(self, delta: int) -> None:
        self.slow_index = max(0, min(len(SLOW_PACES) - 1, self.slow_index + delta))
        self._start_timer()
        self.app.say(slow_line(self.pace), timeout=1.5)
        self.show_slow()
        self.app.redraw(True)  # a status line that shows the pace gets the new one

    def slow_step(self) -> None:
        """One unit (a neuron of one phase): the diagram highlights it, the narration
        explains it; stops on NaN/inf or when a dialog is open."""
        if self.slow_timer is None:  # a tick already queued when a key paused it
            return
        s = self.app.session
        if s.is_halted or len(self.app.screen_stack) > 1:
            self.stop_slow()
            return
        g = s.granularity
        s.granularity = Granularity.NEURON
        try:
            events = s.step()
        finally:
            s.granularity = g
        if s.is_halted and events and events[-1].problem:
            self.stop_slow()
            self.app.say(events[-1].problem, title="Training paused", severity="error")
        self.app.redraw()

    def intercept(self, key: str) -> bool:
        """A key while slow motion runs: o/+/− adjust it, any other key pauses it (and is
        swallowed).  True when the key was used here."""
        if not self.slow:
            return False
        delta = SLOW_KEYS.get(key)
        if delta is None or delta == 0:
            self.stop_slow()
            self.app.say("slow motion paused (o resumes)", timeout=1.5)
        else:
            self.change_pace(delta)
        return True

"""Stepping keys: step, back, play, speed, granularity, neuron and sample selection, quiz;
and what the play worker reports (its messages, :class:`tui.app.play.Player`)."""
from __future__ import annotations

from tui.app.play import Player
from tui.core import actions_local as local
from tui.core.format import num
from tui.core.quiz import question

HALTED_HINT = "r resets, b steps back in time, l changes the learning rate"


class SteppingKeys:
    """App mixin (see :mod:`tui.app.controllers`)."""

    def pause(self) -> None:
        if self.playing:
            self.player.stop()

    def _refuse_training(self) -> bool:
        """Say why training cannot go on (NaN/inf, no data), or False if it can."""
        s = self.session
        if s.is_halted:
            self.say(f"Training is stopped (NaN/inf): {HALTED_HINT}.", severity="warning")
            return True
        if s.train_blocker:
            self.say(s.train_blocker, severity="warning")
            return True
        return False

    def action_step(self) -> None:
        self.pause()
        if self.digits_step():  # digits: a drawn digit steps on a copy of the network
            return
        s = self.session
        if self._refuse_training():
            self.redraw()
            return
        q = question(s)
        if q is not None:
            self._ask(q)
            return
        events = s.step()
        if s.is_halted and events and events[-1].problem:
            self.say(events[-1].problem, title="Training paused", severity="error")
        self.redraw()

    def action_quiz(self) -> None:
        q = self.session.quiz
        self.session.apply(local.SetQuiz(not q.on))  # on: steps go neuron by neuron
        if q.on:
            self.say("Quiz on: before each backward or update step, predict the value "
                     "(within 1 % counts). Step granularity set to neuron.", timeout=5)
        else:
            self.say(f"Quiz off · score {q.right}/{q.asked}", timeout=3)
        self.redraw()

    def _ask(self, q) -> None:
        # dialogs load when first opened: start-up time
        from tui.app.screens.number import NumberScreen, parse_number

        s = self.session
        if q.neuron is not None and s.selected != q.neuron:  # the panels show the neuron asked
            s.select(*q.neuron)
            self.redraw(True)

        def answered(value) -> None:
            if value is None:
                self.say("question skipped (no step taken)", timeout=2)
                return
            events = s.step()
            if not events or events[-1].problem:
                self.redraw()
                return
            truth = q.truth(events[-1])
            ok = s.apply(local.AnswerQuiz(float(value), truth))
            self.say(f"true value {num(truth, 6)}; you said {num(value, 6)} "
                     f"(off by {num(abs(value - truth), 3)}) · score {s.quiz.right}/{s.quiz.asked}",
                     title="✓ right" if ok else "✗ not quite",
                     severity="information" if ok else "warning", timeout=6)
            self.redraw()

        self.push_screen(NumberScreen(q.text, "", parse=parse_number, dock_bottom=True), answered)

    def action_back(self) -> None:
        self.pause()
        if not self.session.back():
            self.say("already at the start (epoch 0)", timeout=1.5)
        self.redraw()

    def action_granularity(self) -> None:
        self.session.cycle_granularity()  # the status line and the diagram's caption say it
        self.redraw()

    def action_play(self) -> None:
        if not self.playing and self.lessons.play():  # a lesson's play wait: as it asks
            return
        if self.playing:
            self.pause()
        elif not self._refuse_training():
            self.player.start()
        self.redraw()

    def action_speed(self, delta: int) -> None:
        speed = self.session.change_speed(delta)
        self.say(f"speed: {'max' if speed == 0 else f'{speed} epochs/s'}", timeout=1.5)
        self.redraw()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """↑/↓ are priority bindings (neuron selection); while a dialog is open they are
        its own keys (the lesson list, …)."""
        if action == "select" and len(self.screen_stack) > 1:
            return False
        return True

    def action_select(self, delta: int) -> None:
        if len(self.screen_stack) > 1:  # a dialog is open: its own keys
            return
        self.session.move_selection(delta)
        self.redraw()

    def action_sample(self, delta: int) -> None:
        if self.digits_walk(delta):  # digits: walking the test set's mistakes (i)
            return
        self.session.move_sample(delta)
        for inspector in self.query("#inspector"):  # its row scrolls into view (80×24)
            inspector.follow_sample()
        self.redraw()

    def on_network_diagram_neuron_clicked(self, message) -> None:
        self.session.select(message.layer, message.neuron)
        self.redraw()

    # ------------------------------------------------ the play worker's messages
    def on_player_breakpoint(self, message: Player.Breakpoint) -> None:
        self.on_breakpoint(message.reason)

    def on_player_frame_wanted(self, _message: Player.FrameWanted) -> None:
        self.player.draw()  # the worker waits, the lock free, while the frame is built

    def on_player_halted(self, _message: Player.Halted) -> None:
        self.on_halted()

    def on_breakpoint(self, reason: str) -> None:
        self.session.apply(local.SetPlaying(False))
        self.say(reason, title="Breakpoint", severity="warning", timeout=8)
        self.redraw()

    def on_halted(self) -> None:
        self.session.apply(local.SetPlaying(False))
        why = self.session.halt_problem
        self.say((why or "") + f" — {HALTED_HINT}", title="Training paused", severity="error")
        self.redraw()

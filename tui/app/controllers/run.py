"""Keys that change the run through a dialog or at once: jump, changes, edit, learning
rate, breakpoints, reset, new seed, next task, gradient check, branches, compare, sweep.
Each dialog ``dismiss``es with a value; the callback here applies it to the session."""
from __future__ import annotations

from nn.naming import neuron_name, weight_name

from tui.core import actions_local as local
from tui.core.errors import ActionError


def epoch_range(oldest: int, epoch: int) -> str:
    """The epochs a time-travel dialog can reach: ``epoch (0–12)``, or ``epoch 0 (the only
    one so far)`` (it read "epoch (0–0)" before the first epoch was done)."""
    return f"epoch ({oldest}–{epoch})" if oldest < epoch else \
        f"epoch {epoch} (the only one so far)"


class RunKeys:
    """App mixin (see :mod:`tui.app.controllers`)."""

    # ------------------------------------------------------------ time travel
    def action_jump(self) -> None:
        # dialogs load when first opened: start-up time
        from tui.app.screens.number import NumberScreen, parse_epoch

        self.pause()
        oldest, epoch = self.session.epochs_kept()

        def apply(value: float | None) -> None:
            if value is None:
                return
            try:
                self.session.go_to_epoch(int(value))
            except ValueError as exc:
                self.say(str(exc), severity="warning")
            self.redraw()

        self.push_screen(NumberScreen(
            f"Jump back in time to the start of {epoch_range(oldest, epoch)}", str(epoch),
            parse=lambda text: parse_epoch(text, oldest, epoch)), apply)

    def action_changes(self) -> None:
        # the changes screen loads when first used: start-up time
        from tui.app.screens.changes import ChangesScreen
        from tui.app.screens.number import NumberScreen, parse_epoch  # start-up time, as above

        self.pause()
        oldest, epoch = self.session.epochs_kept()

        def show(value) -> None:
            if value is None:
                return
            before, after, sizes, cursor = self.session.params_then_and_now(int(value))
            self.push_screen(ChangesScreen(before, after, int(value), epoch, cursor, sizes))

        self.push_screen(NumberScreen(
            f"Compare the weights now with the start of {epoch_range(oldest, epoch)}",
            str(oldest),
            parse=lambda text: parse_epoch(text, oldest, epoch)), show)

    # ------------------------------------------------------------ the run
    def action_edit(self) -> None:
        # dialogs load when first opened: start-up time
        from tui.app.screens.number import NumberScreen, parse_edit

        self.pause()
        s = self.session
        layer, j = s.selected
        w = s.neuron_weights(layer, j)
        name = neuron_name(layer, j, tuple(s.net.sizes))

        def apply(value) -> None:
            if value is None:
                return
            weight, number = value
            s.edit(layer, j, weight, number)
            what = "b" if weight is None else weight_name(weight)
            self.say(f"{name}: {what} = {number:g}; forward pass and loss recomputed", timeout=3)
            self.redraw()

        self.push_screen(NumberScreen(
            f"Edit {name} as of the start of epoch {s.epochs_kept()[1]}: w1…w{len(w)} or b",
            f"w1 {w[0]:.6g}", parse=lambda text: parse_edit(text, len(w))), apply)

    def action_reset(self) -> None:
        self.pause()
        self.session.reset()
        self.say("reset to the initial weights (epoch 0)", timeout=2)
        self.redraw()

    def action_new_seed(self) -> None:
        self.pause()
        seed = self.session.new_seed()
        self.say(f"new weights from seed {seed}", timeout=2)
        self.redraw()

    def action_next_task(self) -> None:
        self.pause()
        task = self.session.next_task()
        self.say(f"task: {task} ({self.session.net.describe()}, lr {self.session.config.lr:g})",
                 timeout=2)
        self.redraw()

    def action_learning_rate(self) -> None:
        # dialogs load when first opened: start-up time
        from tui.app.screens.number import NumberScreen, parse_lr

        self.pause()

        def apply(value: float | None) -> None:
            if value is not None:
                self.session.set_lr(value)
                self.say(f"learning rate {value:g}", timeout=2)
                self.redraw()

        lr = self.session.config.lr
        self.push_screen(NumberScreen(f"Learning rate (now {lr:g})", f"{lr:g}", parse=parse_lr),
                         apply)

    def action_breakpoints(self) -> None:
        # dialogs load when first opened: start-up time
        from tui.app.screens.breakpoints import BreakpointsScreen

        self.pause()

        def apply(value) -> None:
            if value is not None:
                self.session.apply(local.SetBreakpoints(value))
                self.redraw()

        self.push_screen(BreakpointsScreen(self.session.breakpoints), apply)

    def action_gradcheck(self) -> None:
        # the gradient check loads when first used: start-up time
        from tui.app.screens.gradcheck import GradCheckScreen, when_text

        self.pause()
        s = self.session
        with s.lock:
            when = when_text(s.stepper.epoch, s.stepper.cursor)
        self.push_screen(GradCheckScreen(s.net_copy(), s.problem.X, s.problem.y, when))

    # ------------------------------------------------------------ branches
    def action_fork(self) -> None:
        self.pause()
        try:
            i = self.session.fork()
        except ActionError as exc:
            self.say(str(exc), severity="warning")
            return
        self.say(f"forked: now following branch {'ABCD'[i]} (l changes its lr, a switches, "
                 "F compares)", timeout=4)
        self.redraw()

    def action_next_branch(self) -> None:
        s = self.session
        if len(s.branches) < 2:
            self.say("one run only: f forks it into a branch")
            return
        s.switch_branch((s.branch + 1) % len(s.branches))
        self.redraw()

    def action_compare(self) -> None:
        # the compare screen (and plotext) load when first used: start-up time
        from tui.app.widgets.compare import CompareScreen

        self.push_screen(CompareScreen())

    def action_sweep(self) -> None:
        # the sweep screen (and plotext) load when first used: start-up time
        from tui.app.widgets.compare import SweepScreen

        self.pause()
        with self.session.lock:
            config = self.session.config
        self.push_screen(SweepScreen(config), self._open_run)

    def _open_run(self, chosen) -> None:
        """The sweep screen's result: (the run's config, seed, lr), or None."""
        if chosen is None:
            return
        config, seed, lr = chosen
        self.pause()
        closed = len(self.session.branches) - 1
        self.session.open_run(config)
        note = "" if closed < 1 else \
            f" (the branches B–{'ABCD'[closed]} were closed: a new run starts alone)" \
            if closed > 1 else " (branch B was closed: a new run starts alone)"
        self.say(f"opened seed {seed}, lr {lr:g} at epoch 0{note}")
        self.redraw(True)

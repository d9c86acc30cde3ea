"""The app's state without the widgets: a Problem, its Stepper, and what the
person has selected.  Every number comes from the engine; this class only
decides what to run next and remembers what was shown.

All methods that touch the stepper take ``lock``; the play worker holds it
while it trains, and the widgets hold it while they read.

Branches (:mod:`tui.core.branches`): ``fork`` copies the followed run exactly into a
new branch (at most 4); ``problem``, ``stepper`` and ``trace`` are the followed
branch's.  Stepping, stepping back and playing move every branch in lockstep
(each from its own cursor; a played chunk runs as many epochs in each as the
followed one did); every other action acts on the followed branch only, and
a new seed or task starts over with one run.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable


import numpy as np

from nn import Granularity, Phase, StepEvent, Stepper
from nn.breakpoints import Breakpoints
from nn.naming import param_name

from tui.core import actions as act
from tui.core import branches as br
from tui.core import drawing as dr
from tui.core.lock import HandoffLock
from tui.core.config import ALL_TASKS, Problem, RunConfig, build, task_defaults, with_settings
from tui.core.quiz import Quiz
from tui.core.settings import MAX_SEED, typed_changes
from tui.core.recording import save_session
from nn import save

#: the step trace (for ``x``) keeps at most this many bytes of event copies
#: (playing adds none: it runs the fast path)
TRACE_BYTES = 32 * 2**20

#: epochs per second while playing; the last level means "as fast as possible"
SPEEDS = (1, 2, 5, 10, 30, 100, 300, 1000, 3000, 0)


def _new_task_training(config: RunConfig, task: str) -> dict:
    """The training fields (optimizer, batch, test fraction, weight decay) a switch to
    ``task`` takes: the new task's defaults (:func:`tui.core.config.task_defaults`) where
    ``config`` still has the old task's — digits' Adam and batch 32 do not follow to XOR's
    four rows — and the user's own choices where they changed them."""
    old = task_defaults(config.task if config.data is None else "xor",
                        config.data is not None and config.image is not None)
    new = task_defaults(task)
    return {k: v for k, v in new.items() if getattr(config, k) == old[k]}


class Session:
    def __init__(self, problem: Problem):
        self.lock = HandoffLock()  #: re-entrant; the play worker steps aside for waiters
        self.granularity = Granularity.NEURON
        self.speed_index = 5
        self.sample = 0
        self.version = 0  #: bumped on every change, so widgets redraw only when needed
        self.breakpoints = Breakpoints()
        self.start_config = problem.config  #: where the recorded actions start from
        self.actions: list[act.Action] = []  #: every action taken, for save/replay
        self.quiz = Quiz()
        self.playing = False                #: set by the app's play loop
        #: called with each action just recorded (after it is in ``actions``; a merged
        #: play is passed as the chunk that ran, not the merged total)
        self.listeners: list[Callable[[act.Action], None]] = []
        #: the data drawn by hand (:mod:`tui.core.drawing`), or None while training on the task's
        self.drawn: dr.Drawn | None = None
        self._load(problem)

    # ---------------------------------------------------------------- setup
    def _load(self, problem: Problem) -> None:
        #: every run of this session (A, then forks); the panels follow ``branches[branch]``
        self.branches = [br.Branch(problem, Stepper(problem.net, problem.X, problem.y,
                                                    problem.config.lr,
                                                    batch=problem.config.batch,
                                                    X_test=problem.X_test,
                                                    y_test=problem.y_test))]
        self.branch = 0
        self.selected = (len(problem.net.layers) - 1, 0)
        # start on a sample whose inputs are not all zero (its x·δ terms say something)
        nonzero = np.flatnonzero(np.any(problem.X != 0, axis=1))
        self.sample = int(nonzero[0]) if len(nonzero) else 0
        y = problem.y
        #: the loss of always predicting the mean target: what a network with no signal gets
        self.baseline_loss = float(problem.net.loss(np.broadcast_to(y.mean(axis=0), y.shape), y))
        self.touch()

    def touch(self) -> None:
        self.version += 1

    # ------------------------------------------------------------- branches
    # The followed branch's problem, stepper and step trace are the session's:
    # every panel, action and file reads them through these.
    @property
    def followed(self) -> br.Branch:
        return self.branches[self.branch]

    @property
    def problem(self) -> Problem:
        return self.followed.problem

    @problem.setter
    def problem(self, value: Problem) -> None:
        self.followed.problem = value

    @property
    def stepper(self) -> Stepper:
        return self.followed.stepper

    @property
    def trace(self) -> list[tuple[tuple[int, int], list[StepEvent]]]:
        """Every step's events since the start, with the (epoch, cursor) after the step."""
        return self.followed.trace

    @trace.setter
    def trace(self, value) -> None:
        self.followed.trace = value

    @property
    def _trace_bytes(self) -> int:
        return self.followed.trace_bytes

    @_trace_bytes.setter
    def _trace_bytes(self, value: int) -> None:
        self.followed.trace_bytes = value

    def _others(self) -> list[br.Branch]:
        """The branches not followed: they move in lockstep when stepping or playing."""
        return [b for i, b in enumerate(self.branches) if i != self.branch]

    def fork(self) -> int:
        """Fork the followed run in exactly its state now into a new branch and follow
        it; returns its index.  ActionError when there are MAX_BRANCHES already."""
        return self.apply(act.Fork())

    def _fork(self) -> int:
        self.branches.append(br.fork(self.followed, self.branch))
        self.branch = len(self.branches) - 1
        self.touch()
        return self.branch

    def switch_branch(self, index: int) -> None:
        """Make branch ``index`` the one the panels (and every action but stepping
        and playing, which move all branches) follow."""
        self.apply(act.SwitchBranch(index))

    def _switch_branch(self, index: int) -> None:
        self.branch = index
        self.touch()

    @property
    def config(self) -> RunConfig:
        return self.problem.config

    @property
    def net(self):
        return self.problem.net

    def _record(self, action: act.Action) -> None:
        last = self.actions[-1] if self.actions else None
        if isinstance(action, act.Play) and isinstance(last, act.Play) \
                and last.epochs + action.epochs <= act.MAX_PLAY_EPOCHS:
            self.actions[-1] = act.Play(last.epochs + action.epochs)
        else:
            self.actions.append(action)
        for listener in self.listeners:
            listener(action)

    def apply(self, action: act.Action):
        """The one way a session changes: ``action`` is checked, carried out, recorded
        (consecutive plays merged) and sent to the listeners (followers), once, under the
        lock.  Keys, dialogs, lessons, replay and follow mode all come here; the methods
        named like actions (``step``, ``set_lr`` …) only build the action.  Returns what
        the action returns (the events of a step, the epochs a play ran …); ActionError
        (nothing changed) if it cannot be carried out."""
        with self.lock:
            action.check(self)
            result = action.apply(self)
            recorded = action.recorded(self, result)
            if recorded is not None:
                self._record(recorded)
            return result

    def replay(self, actions: list[act.Action], before=None) -> None:
        """Carry out ``actions`` in order; an ActionError names the action's number (from 1).
        ``before(k, action)`` is called before each (a progress display)."""
        for k, action in enumerate(actions):
            if before is not None:
                before(k, action)
            try:
                self.apply(action)
            except act.ActionError as exc:
                raise act.ActionError(f"action {k + 1} ({action.name}): {exc}") from None

    def rebuild(self, **changes) -> None:
        """Rebuild the network from the config with ``changes`` (task, seed, lr, …); on the
        drawn points while there are any (a new task leaves them)."""
        config = replace(self.config, **changes)
        if "task" in changes:  # a new task takes its own preset architecture, lr and loss
            config = replace(config, hidden=None, activation=None, lr=None, loss=None,
                             data=None, data_kind=None, load=None, image=None,
                             **_new_task_training(self.config, changes["task"]))
        with self.lock:
            if "task" in changes:
                self.drawn = None
            self._load(self._build(config))

    def _build(self, config: RunConfig, drawn: "dr.Drawn | None" = None) -> Problem:
        """The problem of ``config``: on ``drawn`` (default: the session's drawn points),
        if any, else on the task's data."""
        drawn = self.drawn if drawn is None else drawn
        if drawn is not None and dr.too_few(drawn):  # until 2 are drawn: the last data
            drawn = dr.start_from(self.problem)
        return build(config) if drawn is None else dr.build_drawn(config, drawn)

    def configure(self, changes: dict) -> None:
        """Change configuration fields (``{"hidden": [4, 4], "noise": 0.1}``, read like a
        session file's) and rebuild the network with the current seed; recorded as one
        :class:`~tui.core.actions.Configure`.  ActionError (nothing changes) for a bad field or
        a network that cannot be built."""

        self.apply(act.Configure(act._changes(changes)))

    def _configure(self, changes: dict) -> None:
        config = with_settings(self.config, load=None, **typed_changes(changes))
        try:
            problem = self._build(config)
        except ValueError as exc:
            raise act.ActionError(str(exc)) from None
        self._load(problem)

    # ------------------------------------------------------------- drawing
    @property
    def train_blocker(self) -> str | None:
        """Why the session cannot train now (too few drawn points), or None."""
        return dr.too_few(self.drawn)

    def _draw(self, drawn: "dr.Drawn") -> None:
        """Make ``drawn`` the data and rebuild the network on it (with the current seed);
        below MIN_ROWS points the last network stays until more are drawn (training is
        refused meanwhile)."""
        problem = None
        if dr.too_few(drawn) is None:
            try:
                problem = self._build(self.config, drawn)
            except ValueError as exc:
                raise act.ActionError(str(exc)) from None
        self.drawn = drawn
        if problem is not None:
            self._load(problem)
        else:
            self.touch()

    def _drawn_now(self) -> "dr.Drawn":
        return self.drawn if self.drawn is not None else dr.start_from(self.problem)

    def add_point(self, x1: float, x2: float, value: float) -> None:
        """Draw a point (x₁, x₂) with target ``value`` (class 0/1 or a regression value)."""
        self.apply(act.AddPoint(float(x1), float(x2), float(value)))

    def remove_point(self, x1: float, x2: float) -> None:
        """Remove the drawn point nearest (x₁, x₂)."""
        self.apply(act.RemovePoint(float(x1), float(x2)))

    def clear_points(self) -> None:
        """Remove every point (draw a new data set from nothing)."""
        self.apply(act.ClearPoints())

    def save_drawn(self, path: Path | str = "drawn.csv") -> Path:
        """Save the data (drawn, or the task's if nothing was drawn) as a CSV file that
        ``--data`` reads; never overwrites.  ValueError/OSError."""
        with self.lock:
            return dr.save_csv(self._drawn_now(), path)

    def open_run(self, config: RunConfig) -> None:
        """Start afresh on ``config`` (a run of the in-app sweep, say): its network,
        one branch, and a new recording that starts from it (not an action: the
        session file of what follows starts at ``config``)."""
        problem = build(config)
        with self.lock:
            self.drawn = None
            self._load(problem)
            self.start_config = problem.config
            self.actions = []

    @property
    def events(self) -> list[StepEvent]:
        """The events of the last step (after a rewind: of the step before)."""
        return self.stepper.last_events

    def reset(self) -> None:
        """Back to epoch 0 with the very same initial weights."""
        self.apply(act.Reset())

    def _reset(self) -> None:
        self.stepper.reset()
        self.trace = []
        self._trace_bytes = 0
        self.touch()

    def new_seed(self) -> int:
        """New initial weights from the next seed; returns it."""
        return self.apply(act.NewSeed())

    def _new_seed(self) -> int:
        """The next seed (after the largest, 0 again: a saved session must replay)."""
        seed = self.config.seed + 1 if self.config.seed < MAX_SEED else 0
        self.rebuild(seed=seed, load=None)
        return seed

    def next_task(self) -> str:
        """The next built-in task (after the 3-class ones, the first again), with its
        preset network and lr; a loss chosen for the last task stays if it fits."""
        return self.apply(act.NextTask())

    def _next_task(self) -> str:
        current = self.config.task if self.config.data is None or self.drawn is not None \
            else ALL_TASKS[-1]
        task = ALL_TASKS[(ALL_TASKS.index(current) + 1) % len(ALL_TASKS)] \
            if current in ALL_TASKS else ALL_TASKS[0]  # from digits: the first again
        self.rebuild(task=task)
        return task

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on (weights are kept)."""
        self.apply(act.SetLr(float(lr)))

    def _set_lr(self, lr: float) -> None:
        self.stepper.lr = float(lr)
        self.problem.config = replace(self.config, lr=float(lr))
        self.touch()

    # ------------------------------------------------------------- stepping
    def step(self) -> list[StepEvent]:
        """One step forward at the current granularity; its events ([] while the session
        cannot train: too few drawn points)."""
        if self.train_blocker:
            return []
        return self.apply(act.Step(self.granularity))

    def _step(self, granularity: Granularity) -> list[StepEvent]:
        self.granularity = granularity
        events = self.stepper.step(granularity)
        if events:
            self._follow(events[-1])
            self._sample_in_batch(events[-1])
        _keep_trace(self.followed, events)
        for b in self._others():  # lockstep: each branch steps from its own cursor
            _keep_trace(b, b.stepper.step(granularity))
        self.touch()
        return events

    def back(self) -> bool:
        """One step backward at the current granularity (exactly the earlier state);
        False when there was nothing to go back to (or the session cannot train)."""
        if self.train_blocker:
            return False
        return self.apply(act.Back(self.granularity))

    def _back(self, granularity: Granularity) -> bool:
        self.granularity = granularity
        moved = self.stepper.back(granularity)
        self._trim_trace()
        for b in self._others():
            b.stepper.back(granularity)
            _trim_trace(b)
        if moved and self.events:
            self._follow(self.events[-1])
        self.touch()
        return moved

    def edit(self, layer: int, neuron: int, weight: int | None, value: float) -> None:
        """Set a weight (input index) or the bias (None) of a neuron by hand."""
        self.apply(act.Edit(layer, neuron, weight, float(value)))

    def _edit(self, layer: int, neuron: int, weight: int | None, value: float) -> None:
        self.stepper.set_parameter(layer, neuron, weight, value)
        if self.branch:  # what differs from A, for the compare view's labels
            name = param_name(layer, "b" if weight is None else "w",
                              (neuron,) if weight is None else (weight, neuron),
                              self.net.sizes)
            self.followed.edits.append(f"{name} = {value:g} at epoch {self.stepper.epoch}")
        self._trim_trace()
        self.touch()

    def go_to_epoch(self, epoch: int) -> None:
        """Jump back to the start of a recorded epoch."""
        self.apply(act.Jump(int(epoch)))

    def _go_to_epoch(self, epoch: int) -> None:
        self.stepper.go_to(epoch, 0)
        self._trim_trace()
        self.touch()

    def _trim_trace(self) -> None:
        _trim_trace(self.followed)

    def trace_events(self) -> list[StepEvent]:
        return [ev for _, events in self.trace for ev in events]

    def _follow(self, event: StepEvent) -> None:
        """Select the neuron a single-neuron step just computed."""
        if event.is_single_neuron:
            self.selected = (event.layer, event.neurons[0])

    def play_chunk(self, epochs: int, breakpoints: bool = True) -> int:
        """Train up to ``epochs`` whole epochs (fast path), stopping at the breakpoints
        unless ``breakpoints`` is False; returns how many ran.  The count actually run is
        what is recorded, so a replay needs no breakpoints."""
        if self.train_blocker:
            return 0
        return self.apply(act.Play(epochs, breakpoints=breakpoints))

    def _play(self, epochs: int, breakpoints: bool) -> int:
        done = self.stepper.run_epochs(epochs,
                                       breakpoints=self.breakpoints if breakpoints else None)
        for b in self._others():  # lockstep: as many epochs as the followed run did
            if done:
                b.stepper.run_epochs(done)
        self.touch()
        return done

    def save_session(self, path: Path) -> Path:

        with self.lock:
            return save_session(path, self.start_config, [a.to_json() for a in self.actions])

    def cycle_granularity(self) -> Granularity:
        """neuron → layer → phase → batch → epoch → neuron; batch only with mini-batches
        (with one batch per epoch it is the epoch step)."""
        self.granularity = self.granularity.next()
        if self.granularity is Granularity.BATCH and self.stepper.n_batches == 1:
            self.granularity = self.granularity.next()
        self.touch()
        return self.granularity

    @property
    def speed(self) -> int:
        return SPEEDS[self.speed_index]

    def change_speed(self, delta: int) -> int:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        self.touch()
        return self.speed

    # ------------------------------------------------------------ selection
    def neuron_list(self) -> list[tuple[int, int]]:
        return [(l, j) for l, layer in enumerate(self.net.layers) for j in range(layer.n_out)]

    def move_selection(self, delta: int) -> tuple[int, int]:
        order = self.neuron_list()
        i = order.index(self.selected) if self.selected in order else 0
        self.selected = order[(i + delta) % len(order)]
        self.touch()
        return self.selected

    def select(self, layer: int, neuron: int) -> None:
        if 0 <= layer < len(self.net.layers) and 0 <= neuron < self.net.layers[layer].n_out:
            self.selected = (layer, neuron)
            self.touch()

    def _batch_on_screen(self) -> list[int]:
        """Sample indices of the mini-batch the panels show: the last step's, else the
        next step's (call only with mini-batches)."""
        st, events = self.stepper, self.events
        k = events[-1].batch if events and events[-1].epoch == st.epoch else st.batch_index
        return [int(i) for i in st.batch_samples(k)]

    def _sample_in_batch(self, event: StepEvent) -> None:
        """With mini-batches, keep the selected sample inside the batch just computed
        (its first sample when the selected one is not in it)."""
        if self.stepper.batch is not None and event.epoch == self.stepper.epoch:
            members = self._batch_on_screen()
            if self.sample not in members:
                self.sample = members[0]

    def move_sample(self, delta: int) -> int:
        """The next/previous sample; with mini-batches, of the batch on screen, so [ and ]
        never land outside what was computed."""
        if self.stepper.batch is None:
            self.sample = (self.sample + delta) % len(self.problem.X)
        else:
            members = self._batch_on_screen()
            if self.sample in members:
                self.sample = members[(members.index(self.sample) + delta) % len(members)]
            else:
                self.sample = members[0 if delta > 0 else -1]
        self.touch()
        return self.sample

    # ---------------------------------------------------------------- views
    def current_unit_neurons(self) -> set[tuple[int, int]]:
        """(layer, neuron) pairs computed by the last event of the last step
        (for highlighting: one neuron, or the layer a coarser step ended on)."""
        if not self.events:
            return set()
        ev = self.events[-1]
        if ev.layer is None or not ev.neurons:
            return set()
        return {(ev.layer, j) for j in range(*ev.neurons)}

    def event_for_selected(self) -> StepEvent | None:
        """The most relevant event of the last step for the narration: the one
        that computed the selected neuron, else the last one."""
        if not self.events:
            return None
        layer, j = self.selected
        for ev in reversed(self.events):
            if ev.layer == layer and ev.neurons and ev.neurons[0] <= j < ev.neurons[1]:
                return ev
        # a one-neuron step of another neuron: the selected neuron's latest step of this
        # epoch, if any (a lesson that selects h₁ after h₂'s step explains h₁'s)
        if not self.events[-1].is_single_neuron:
            return self.events[-1]
        epoch = self.events[-1].epoch
        for ev in reversed(self.trace_events()):
            if ev.epoch != epoch:
                break
            if ev.layer == layer and ev.neurons and ev.neurons[0] <= j < ev.neurons[1]:
                return ev
        return self.events[-1]

    def save(self, path: Path) -> Path:

        with self.lock:
            return save(self.net, path, task=self.config.task, lr=self.config.lr,
                        epoch=self.stepper.epoch)

    @property
    def is_halted(self) -> bool:
        return self.stepper.halted is not None

    @property
    def phase(self) -> Phase:
        return self.stepper.phase

    # ------------------------------------------- read-only queries (for the app)
    @property
    def halt_problem(self) -> str | None:
        """Why training stopped (NaN/inf, one line), or None."""
        halted = self.stepper.halted
        return halted.problem if halted else None

    @property
    def has_mini_batches(self) -> bool:
        return self.stepper.batch is not None

    def epochs_kept(self) -> tuple[int, int]:
        """(the oldest epoch time travel can reach, the current epoch)."""
        return self.stepper.oldest_epoch, self.stepper.epoch

    def params_then_and_now(self, epoch: int):
        """(θ at the start of ``epoch``, θ now, the layer sizes, the step cursor)."""
        with self.lock:
            return (self.stepper.snapshot(epoch), self.net.get_params(), tuple(self.net.sizes),
                    self.stepper.cursor)

    def neuron_weights(self, layer: int, neuron: int):
        """The incoming weights w (shape (fan_in,)) of one neuron, as now."""
        return self.net.layers[layer].neurons[neuron].w

    def net_copy(self):
        """A copy of the followed network (for a worker or a dialog to read at leisure)."""
        with self.lock:
            return self.net.copy()


def _keep_trace(branch: br.Branch, events: list[StepEvent]) -> None:
    """Add a step's events to ``branch``'s trace while it stays within TRACE_BYTES."""
    if not events:
        return
    size = sum(event_nbytes(ev) for ev in events)
    if branch.trace_bytes + size <= TRACE_BYTES:
        branch.trace.append(((branch.stepper.epoch, branch.stepper.cursor), events))
        branch.trace_bytes += size


def _trim_trace(branch: br.Branch) -> None:
    """Drop ``branch``'s trace entries after where its stepper is now."""
    here = (branch.stepper.epoch, branch.stepper.cursor)
    while branch.trace and branch.trace[-1][0] > here:
        branch.trace_bytes -= sum(event_nbytes(ev) for ev in branch.trace.pop()[1])


def event_nbytes(event: StepEvent) -> int:
    """Bytes held by an event's array copies."""
    return sum(a.nbytes for a in event.arrays())

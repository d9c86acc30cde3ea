"""What replaying a session costs, estimated before it starts (the budget before the work).

A session file of 200 bytes can ask for 2·10⁷ epochs of a spiral network (hours), and
one of 8 MB for 200 000 single steps (tens of seconds): the command line shows a progress
bar for any replay estimated over :data:`PROGRESS_SECONDS` and refuses one over
:data:`MAX_REPLAY_SECONDS`, saying what it would cost.

The estimate, measured on a 2-core machine (``play_chunk``): an epoch costs a fixed
~80 µs plus parameters × samples multiply-adds at ~2·10⁸ a second; any other action
(a step, a new seed, an edit) costs at most one epoch plus ~0.2 ms of bookkeeping.
"""
from __future__ import annotations

EPOCH_OVERHEAD_S = 1 / 12_000
MULTIPLY_ADDS_PER_S = 2e8
ACTION_OVERHEAD_S = 2e-4
#: a replay estimated longer than this shows its progress
PROGRESS_SECONDS = 1.0
#: a replay estimated longer than this is refused (one line says why)
MAX_REPLAY_SECONDS = 3600.0


def parameter_count(sizes) -> int:
    """Weights and biases of a network with layer widths ``sizes`` (inputs first)."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def epoch_seconds(sizes, n_samples: int) -> float:
    return EPOCH_OVERHEAD_S + parameter_count(sizes) * n_samples / MULTIPLY_ADDS_PER_S


def replay_seconds(sizes, n_samples: int, epochs: int, other_actions: int) -> float:
    """Estimated seconds to replay ``epochs`` played epochs and ``other_actions`` other
    actions on a network of ``sizes`` trained on ``n_samples`` rows."""
    one = epoch_seconds(sizes, n_samples)
    return epochs * one + other_actions * (one + ACTION_OVERHEAD_S)


def duration(seconds: float) -> str:
    """``42 s``, ``12 min``, ``2 h 20 min``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


def replay_estimate(problem, actions) -> float:
    """Estimated seconds to replay ``actions`` on ``problem`` (:mod:`tui.core.replay_cost`)."""
    from tui.core.actions import Play  # loaded only when replaying: start-up time

    plays = [a for a in actions or () if isinstance(a, Play)]
    return replay_seconds(problem.net.sizes, len(problem.X), sum(a.epochs for a in plays),
                          len(actions or ()) - len(plays))


def check_replay_cost(path, problem, actions) -> None:
    """``ValueError`` (one line) for a replay estimated over MAX_REPLAY_SECONDS."""
    seconds = replay_estimate(problem, actions)
    if seconds > MAX_REPLAY_SECONDS:
        shape = "–".join(map(str, problem.net.sizes))
        raise ValueError(f"{path}: replaying {len(actions):,} actions on a {shape} network "
                         f"({len(problem.X)} samples) would take about {duration(seconds)}; "
                         f"at most about {duration(MAX_REPLAY_SECONDS)} is replayed")

"""Quiz mode: before a backward or update step the learner predicts one number
(δ of the neuron for the selected sample, or its first weight after the update);
the step is then taken and the engine's value revealed and scored."""
from __future__ import annotations

from dataclasses import dataclass

from nn import Phase, StepEvent
from nn.naming import neuron_name, sample_name


class Quiz:
    """The on/off switch and the score."""

    def __init__(self) -> None:
        self.on = False
        self.asked = 0
        self.right = 0

    @staticmethod
    def is_right(answer: float, truth: float) -> bool:
        """Within 1 % of the true value, or 1e-4 of it for tiny values."""
        return abs(answer - truth) <= max(0.01 * abs(truth), 1e-4)

    def score(self, answer: float, truth: float) -> bool:
        ok = self.is_right(answer, truth)
        self.asked += 1
        self.right += ok
        return ok


@dataclass(frozen=True)
class Question:
    """What to ask before the next step, and how to read the answer from its events."""

    text: str
    phase: Phase
    sample: int
    #: (layer, neuron) asked about: selected while it is asked, so the neuron panel the
    #: text points at shows its w and dw (None: no neuron)
    neuron: tuple[int, int] | None = None

    def truth(self, event: StepEvent) -> float:
        if self.phase is Phase.BACKWARD:
            return float(event.delta[self.sample, 0])
        return float(event.w_after[0, 0])


def question(session) -> Question | None:
    """The question for the session's next step, or None when it asks nothing
    (quiz off, training stopped, or a forward/loss step)."""
    st = session.stepper
    if not session.quiz.on or st.halted is not None or st.phase not in (Phase.BACKWARD,
                                                                         Phase.UPDATE):
        return None
    u = st.next_unit
    sizes = tuple(session.net.sizes)
    name = neuron_name(u.layer, u.neuron, sizes)
    if u.phase is Phase.BACKWARD:
        text = (f"Quiz: δ of {name} for {sample_name(session.sample)} = ?  "
                "(δ = ∂L/∂a · f'(z); the panels hold a, ∂L/∂ŷ and the next layer's δ)")
    else:
        text = (f"Quiz: w₁ of {name} after this update = ?  (w ← w − lr·dw, lr "
                f"{session.config.lr:g}; w and dw are in the neuron panel)")
    return Question(text, u.phase, session.sample, (u.layer, u.neuron))

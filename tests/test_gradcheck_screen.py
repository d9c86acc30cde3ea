"""The gradient-check screen (issue 22, item 9): the same text on every CPU, and the
names every other panel uses."""
import dataclasses

import numpy as np

from nn import gradcheck
from nn.gradcheck import GradCheckResult
from tui.core.config import RunConfig, build
from tui.app.screens.gradcheck import rows, verdict, when_text


def _result():
    problem = build(RunConfig(task="xor"))
    net, X, y = problem.net, problem.X, problem.y
    return net, gradcheck(net, X, y)


def _noisy(result: GradCheckResult, scale: float) -> GradCheckResult:
    """The same check as another CPU (another SIMD width) may compute it: the numeric
    derivative differs by rounding noise, and so does the relative error."""
    checks = [dataclasses.replace(c, numeric=c.numeric * (1 + scale * (-1) ** i),
                                  rel_error=c.rel_error * (1 + 3 * i) + scale)
              for i, c in enumerate(result.checks)]
    return GradCheckResult(checks, result.tolerance)


def test_gradient_check_rows_do_not_depend_on_rounding_noise():
    net, result = _result()
    assert result.ok
    sizes = tuple(net.sizes)
    shown = rows(result, sizes)
    assert rows(_noisy(result, 1e-11), sizes) == shown
    assert verdict(_noisy(result, 1e-11), sizes).plain == verdict(result, sizes).plain
    # the engine's order: layer by layer, the weights then the bias
    assert [r[0] for r in shown] == ["h₁ w₁ (x₁)", "h₂ w₁ (x₁)", "h₁ w₂ (x₂)", "h₂ w₂ (x₂)",
                                      "h₁ b", "h₂ b", "ŷ w₁ (h₁)", "ŷ w₂ (h₂)", "ŷ b"]
    assert all(r[3] == "< 1e-06" for r in shown)
    assert "worst" not in verdict(result, sizes).plain  # which one is worst is noise


def test_gradient_check_failure_names_the_parameter_as_the_table_does():
    net, result = _result()
    sizes = tuple(net.sizes)
    bad = [dataclasses.replace(c, numeric=c.numeric + 0.5, rel_error=0.9) if i == 3 else c
           for i, c in enumerate(result.checks)]
    text = verdict(GradCheckResult(bad, result.tolerance), sizes).plain
    assert "FAIL" in text and "h₂ w₂ (x₂)" in text and "L0" not in text
    table = rows(GradCheckResult(bad, result.tolerance), sizes)
    assert table[3][3] == "9.00e-01" and table[3][4] is False


def test_gradient_check_says_when_it_checks_mid_epoch_weights():
    assert "start of epoch 3" in when_text(3, 0)
    assert "middle of epoch 3" in when_text(3, 5)


def test_gradient_check_values_are_shown_to_six_digits():
    net, result = _result()
    c = result.checks[0]
    assert rows(result, tuple(net.sizes))[0][1] == f"{c.analytic:.6g}"
    assert np.isfinite(c.numeric)

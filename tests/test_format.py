"""How numbers are written on screen (tui/core/format.py): the cases the render tests do not
reach.  num, paren and short are held there to the digit (tests/test_render.py,
tests/test_frame.py); this file holds ``probability``, the predictions panel's and the
lessons' ŷ, and the non-finite values."""
from __future__ import annotations

import pytest

from tui.core.format import num, paren, probability, short


@pytest.mark.parametrize("p, shown", [
    (0.489, "0.4890"), (0.49234, "0.4923"), (0.0, "0.0000"), (1.0, "1.0000"),
    (0.99996, "1.0000"), (1e-7, "0.0000")])
def test_a_probability_has_four_decimals_so_its_column_lines_up(p, shown):
    assert probability(p) == shown


@pytest.mark.parametrize("p", [1.0000001, 1.5, -1e-9, -0.25, 42.0])
def test_anything_outside_0_to_1_is_written_as_any_number(p):
    """A linear output's ŷ is no probability: 4 decimals would hide 1.5e-09 or pass 42 off as
    42.0000."""
    assert probability(p) == num(p)


@pytest.mark.parametrize("write, nan, inf, minus_inf", [
    (num, "nan", "inf", "-inf"), (paren, "nan", "inf", "(-inf)"),
    (short, " nan ", " inf ", " -inf")])
def test_non_finite_values_say_what_they_are(write, nan, inf, minus_inf):
    assert [write(float("nan")), write(float("inf")), write(float("-inf"))] == [nan, inf, minus_inf]

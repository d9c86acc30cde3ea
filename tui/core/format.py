"""How numbers and names are written on screen (one place, so the narration,
the inspector and the tests agree on the digits shown)."""
from __future__ import annotations

import math

from nn.naming import sub  # noqa: F401  (re-exported: widgets write subscripts)


def num(x: float, digits: int = 4) -> str:
    """``digits`` significant digits; exponent form for very small or large values."""
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def probability(p: float) -> str:
    """ŷ of a sigmoid output with 4 decimals, so a column's digits line up (0.4890 over
    0.4923, not 0.489); anything else as :func:`num` writes it.  The predictions panel's
    truth table and the lessons' numbers of ŷ both write it so."""
    return f"{p:.4f}" if 0.0 <= p <= 1.0 else num(p)


def paren(x: float, digits: int = 4) -> str:
    """A number wrapped in parentheses when negative, for products: (−0.2)·(0.5)."""
    s = num(x, digits)
    return f"({s})" if s.startswith("-") else s


def short(x: float) -> str:
    """At most 5 characters, for node labels in the diagram; never drops the exponent.

    ``+0.73`` below 10, ``+1500`` below 10⁴, then ``+2e4`` … ``+2e99`` (one significant
    digit), and ``+huge`` / ``-huge`` from 10¹⁰⁰ on (only blow-ups get there).  Small
    values keep their size too: ``+5e-5`` from 10⁻⁹ to 0.005."""
    x = float(x)
    if not math.isfinite(x):
        return " nan " if math.isnan(x) else (" inf " if x > 0 else " -inf")
    if 1e-9 <= abs(x) < 0.00495:
        mantissa, exponent = f"{x:+.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    if abs(x) < 9.995:
        return f"{x:+.2f}"
    if abs(x) < 9999.5:
        return f"{x:+.0f}".rjust(5)
    mantissa, exponent = f"{x:+.0e}".split("e")
    exponent = int(exponent)
    if exponent >= 100:
        return "+huge" if x > 0 else "-huge"
    return f"{mantissa}e{exponent}".rjust(5)

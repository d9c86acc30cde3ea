"""Equations on screen that check out: recomputed from the operands *as displayed*,
an equation line gives its displayed result to the displayed precision.

Four significant digits usually suffice, but not always: ``0.2264 − 0.5·0.0001386``
is 0.2263, not the 0.2264 the update gives (w was 0.22644).  :func:`fitted` writes an
equation's operands with 4 digits, and with more, one at a time, until the line
recomputes to its result; :func:`evaluate` is the recomputation (the property test in
tests/test_equations.py uses it on every line the narration writes).

Pure: no textual, no rich (a ``tui.view`` module after the restructure).
"""
from __future__ import annotations

import math
import re
from typing import Callable

MIN_DIGITS = 4    #: the digits every number on screen has at least
MAX_DIGITS = 17   #: where :func:`fitted` gives up (a float64 written exactly)

#: σ as the engine defines it: e^−z capped at e^500 (nn.activations.Sigmoid), so that
#: σ(−659) is the engine's 7.1e-218, not 1e-286
_FUNCS = {"log": math.log, "sqrt": math.sqrt, "sin": math.sin,
          "sig": lambda x: 1.0 / (1.0 + math.exp(min(-x, 500.0))),
          "tanh": math.tanh, "relu": lambda x: max(0.0, x), "ident": lambda x: x}
_NUMBER = r"[-−]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
_ALLOWED = re.compile(r"^[\d.e+\-*/() ]*$")


def _python(expr: str) -> str:
    """The displayed expression as Python arithmetic (ValueError if it is not one)."""
    s = expr.replace("·", "*").replace("×", "*").replace("−", "-").replace("[", "(")
    s = s.replace("]", ")").replace("²", "**2")
    s = re.sub(rf"log\s+({_NUMBER}|\([^()]*\))", r"log(\1)", s)
    s = re.sub(rf"√\s*({_NUMBER}|\([^()]*\))", r"sqrt(\1)", s)
    s = s.replace("σ(", "sig(").replace("id(", "ident(")
    bare = re.sub(r"\b(log|sqrt|sig|tanh|relu|ident|sin)\(", "(", s)
    if not _ALLOWED.match(bare.replace("**", "*")) or not re.search(r"\d", bare):
        raise ValueError(f"not a numeric expression: {expr!r}")
    return s


def evaluate(expr: str) -> float:
    """The value of an expression as the narration writes it: ``0.5 · (0.4966 − 1)``,
    ``σ(0.1234)``, ``−[1·log 0.4966 + 0·log 0.5034]``, ``0.1 − 0.01·0.3/(√0.09 + 1e-08)``."""
    code = _python(expr)
    try:
        return float(eval(code, {"__builtins__": {}}, dict(_FUNCS)))  # noqa: S307 (checked above)
    except (SyntaxError, ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot evaluate {expr!r}: {exc}") from None


def shown_digits(text: str) -> int:
    """Significant digits a displayed number stands for (at least MIN_DIGITS: ``0.5``
    written with 4 digits is 0.5000)."""
    mantissa = re.split(r"e", text.strip("()").lstrip("-−"))[0]
    return max(MIN_DIGITS, len(mantissa.replace(".", "").lstrip("0")))


def agrees(expr: str, result: str) -> bool:
    """Does ``expr`` (its part after its last ``= ``: the numbers), recomputed, round to
    ``result`` at ``result``'s precision (half a unit of its last digit)?"""
    expr = expr.rsplit("= ", 1)[-1].strip()
    try:
        want = float(result.replace("−", "-"))
        got = evaluate(expr)
    except ValueError:
        return False
    if not (math.isfinite(want) and math.isfinite(got)):
        return True  # inf/nan are not arithmetic to check
    if want == 0:
        return abs(got) < 10.0 ** -MAX_DIGITS
    unit = 10.0 ** (math.floor(math.log10(abs(want))) - shown_digits(result) + 1)
    return abs(got - want) <= 0.5 * unit * (1 + 1e-9) + 1e-15 * abs(want)


def fitted(build: Callable[[int], tuple[str, str]]) -> tuple[str, str]:
    """``build(digits)`` → (expression, result), the expression's operands written with
    that many significant digits (the result with its usual 4): the first, from
    MIN_DIGITS up, whose expression recomputes to its result.  (More digits on the
    result would not help: a sum that cancels, 0.06152 − 0.06373 …, needs digits on
    its operands.)"""
    for digits in range(MIN_DIGITS, MAX_DIGITS + 1):
        expr, result = build(digits)
        if agrees(expr, result):
            return expr, result
    return build(MAX_DIGITS)

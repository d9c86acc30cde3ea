"""The target formula parser (nn/formula.py): values, error messages, and no eval/exec."""
import builtins
import math
import re
from pathlib import Path

import numpy as np
import pytest

import nn.formula as formula_module
from nn.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, parse

X = np.array([[0.5, 2.0], [-1.0, 0.25], [0.0, -0.75]])
x1, x2 = X[:, 0], X[:, 1]


@pytest.mark.parametrize("text,expected", [
    ("x1", x1),
    ("x2", x2),
    ("3", np.full(3, 3.0)),
    ("1e-3 * x1", 1e-3 * x1),
    ("2.5E+1", np.full(3, 25.0)),
    (".5*x2", 0.5 * x2),
    ("x1 + x2 * 2", x1 + 2 * x2),              # * before +
    ("(x1 + x2) * 2", (x1 + x2) * 2),
    ("x1 - x2 - 1", (x1 - x2) - 1),            # left-associative
    ("x1 / x2 / 2", (x1 / x2) / 2),
    ("2^3^2", np.full(3, 2.0 ** 9)),          # right-associative
    ("-x1^2", -(x1 ** 2)),                     # ^ binds tighter than unary minus
    ("2^-1", np.full(3, 0.5)),
    ("--x1", x1),
    ("+x1", x1),
    ("x1**2 + x2**2", x1 ** 2 + x2 ** 2),
    ("sin(3*x1)*x2", np.sin(3 * x1) * x2),
    ("cos(x1) + tan(x2) - tanh(x1*x2)", np.cos(x1) + np.tan(x2) - np.tanh(x1 * x2)),
    ("exp(-x1^2 - x2^2)", np.exp(-x1 ** 2 - x2 ** 2)),
    ("sqrt(abs(x2)) + log(1 + x1^2)", np.sqrt(np.abs(x2)) + np.log(1 + x1 ** 2)),
    ("abs(x1) ÷ 2 × x2 − 1", np.abs(x1) / 2 * x2 - 1),
    ("  x1  ", x1),
])
def test_valid_formulas_and_their_values(text, expected):
    y = parse(text)(X)
    assert y.shape == (3, 1) and y.dtype == np.float64
    np.testing.assert_allclose(y[:, 0], expected, rtol=1e-15)


@pytest.mark.parametrize("text,message", [
    ("", "at column 1: the formula is empty"),
    ("   ", "at column 1: the formula is empty"),
    ("sin(3*x1", "at column 9: expected ')', found the end"),
    ("(x1 + 1", "at column 8: expected ')'"),
    ("x1 + 1)", "at column 7: unmatched ')'"),
    ("x1 +", "at column 5: expected a number, x1, x2, a function or '(', found the end"),
    ("* x1", "at column 1: expected a number"),
    ("3x1", "at column 2: expected an operator (+ - * / ^), found 'x1'"),
    ("x1 x2", "at column 4: expected an operator"),
    ("sin x1", "at column 5: expected '(' after sin, found 'x1'"),
    ("y + 1", "at column 1: unknown name 'y' (use x1, x2"),
    ("x3", "at column 1: unknown name 'x3'"),
    ("__import__(x1)", "at column 1: unknown name '__import__'"),
    ("__import__('os')", "at column 12: unexpected character \"'\""),
    ("x1.real", "at column 3: unexpected character '.'"),
    ("x1 $ 2", "at column 4: unexpected character '$'"),
    ("x1, x2", "at column 3: unexpected character ','"),
    ("1.5.2", "at column 4: expected an operator"),
    ("2 ^ ", "at column 5: expected a number"),
    ("()", "at column 2: expected a number"),
    ("(" * (MAX_DEPTH + 1) + "x1" + ")" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} deep"),
    ("-" * (MAX_DEPTH + 1) + "x1", f"nested more than {MAX_DEPTH} deep"),
    ("x1+" * 70 + "x1", f"longer than {MAX_LENGTH} characters"),
])
def test_invalid_formulas_say_where(text, message):
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_non_finite_values_name_the_point():
    f = parse("log(x1)")
    with pytest.raises(FormulaError, match=re.escape("log(x1) is nan at x₁ = -1, x₂ = 0.25 "
                                                     "(sample 2)")):
        f.check_finite(X)
    with pytest.raises(FormulaError, match=r"1/x1 is inf at x₁ = 0, x₂ = -0.75 \(grid point 3\)"):
        parse("1/x1").check_finite(X, "grid point")
    np.testing.assert_array_equal(parse("x1 + x2").check_finite(X)[:, 0], x1 + x2)


def test_nothing_reaches_eval_or_exec(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec called")

    for name in ("eval", "exec"):   # (compile: pytest itself needs it; the source test checks)
        monkeypatch.setattr(builtins, name, refuse)
    y = parse("sin(3*x1)*x2 + 2^x1 - sqrt(abs(x2))")(X)
    assert np.isfinite(y).all()
    with pytest.raises(FormulaError):
        parse("__import__('os').system('true')")


def test_the_module_source_uses_no_eval_exec_compile_or_ast():
    source = Path(formula_module.__file__).read_text()
    code = "\n".join(line.split("#")[0] for line in source.splitlines())
    code = re.sub(r'""".*?"""', "", code, flags=re.S)     # docstrings may name them
    for word in ("eval", "exec", "compile", "__import__", "getattr", "globals", "vars"):
        # a bare call (re.compile, a regular expression, is allowed)
        assert not re.search(rf"(?<![.\w]){word}\s*\(", code), word
    for module in ("ast", "builtins", "code", "codeop", "importlib"):
        assert not re.search(rf"\bimport\s+{module}\b|\bfrom\s+{module}\b", code), module
    assert "_evaluate" in code and math.isfinite(MAX_LENGTH)

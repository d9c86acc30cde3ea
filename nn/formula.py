"""A target formula such as ``sin(3*x1)*x2``, read by a small whitelisted grammar.

The text is never given to ``eval``/``exec``/``compile``: a hand-written recursive-descent
parser turns it into a tiny tree of tuples, and :meth:`Formula.__call__` walks that tree with
NumPy over whole arrays.  The grammar (``^`` binds tightest and is right-associative, so
``2^3^2`` = 2^9 and ``-x1^2`` = −(x1²))::

    expr   := term  (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := atom ("^" unary)?
    atom   := NUMBER | "x1" | "x2" | FUNCTION "(" expr ")" | "(" expr ")"

Numbers are written like ``3``, ``0.5``, ``.5`` or ``1e-3``; ``**`` may stand for ``^``, and
``−``, ``×``, ``÷`` for ``-``, ``*``, ``/``.  Errors are :class:`FormulaError` with the
1-based column where the text is wrong: ``at column 7: expected ')'``.
"""
from __future__ import annotations

import re

import numpy as np

from .naming import sample_name, sub

#: Longest formula accepted (characters).
MAX_LENGTH = 200
#: Deepest nesting of parentheses, functions and unary signs.
MAX_DEPTH = 40

#: The only functions a formula may call, each a NumPy ufunc on arrays.
FUNCTIONS = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
}
VARIABLES = {"x1": 0, "x2": 1}
_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}
_ALIASES = {"**": "^", "−": "-", "×": "*", "÷": "/"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^()−×÷])
""", re.VERBOSE)


class FormulaError(ValueError):
    """A formula that cannot be read or evaluated; the message says where."""


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) for each token, column counted from 1; ("end", "", n+1) last."""
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise FormulaError(f"at column {pos + 1}: unexpected character {text[pos]!r}")
        if m.lastgroup != "space":
            value = m.group()
            out.append((m.lastgroup, _ALIASES.get(value, value), pos + 1))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    """Recursive descent over the token list; each method returns a tree node:
    ("num", float) | ("var", column) | ("neg", node) | ("op", sign, left, right)
    | ("call", name, node)."""

    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self):
        return self.toks[self.i]

    def fail(self, what: str):
        kind, value, col = self.tok
        found = "the end" if kind == "end" else repr(value)
        raise FormulaError(f"at column {col}: {what}, found {found}")

    def take(self, value: str) -> bool:
        if self.tok[0] == "op" and self.tok[1] == value:
            self.i += 1
            return True
        return False

    def parse(self):
        if self.tok[0] == "end":
            raise FormulaError("at column 1: the formula is empty")
        node = self.expr()
        if self.tok[0] != "end":
            if self.tok[1] == ")":
                self.fail("unmatched ')'")
            self.fail("expected an operator (+ - * / ^)")
        return node

    def nested(self, method):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"at column {self.tok[2]}: nested more than {MAX_DEPTH} deep")
        try:
            return method()
        finally:
            self.depth -= 1

    def expr(self):
        node = self.term()
        while self.tok[1] in ("+", "-") and self.tok[0] == "op":
            sign = self.tok[1]
            self.i += 1
            node = ("op", sign, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.tok[1] in ("*", "/") and self.tok[0] == "op":
            sign = self.tok[1]
            self.i += 1
            node = ("op", sign, node, self.unary())
        return node

    def unary(self):
        if self.take("-"):
            return ("neg", self.nested(self.unary))
        if self.take("+"):
            return self.nested(self.unary)
        return self.power()

    def power(self):
        base = self.atom()
        if self.take("^"):
            return ("op", "^", base, self.nested(self.unary))
        return base

    def atom(self):
        kind, value, col = self.tok
        if kind == "number":
            self.i += 1
            return ("num", float(value))
        if kind == "name":
            self.i += 1
            if value in VARIABLES:
                return ("var", VARIABLES[value])
            if value in FUNCTIONS:
                if not self.take("("):
                    self.fail(f"expected '(' after {value}")
                arg = self.nested(self.expr)
                if not self.take(")"):
                    self.fail("expected ')'")
                return ("call", value, arg)
            raise FormulaError(f"at column {col}: unknown name {value!r} (use x1, x2, numbers "
                               f"and {', '.join(FUNCTIONS)})")
        if self.take("("):
            node = self.nested(self.expr)
            if not self.take(")"):
                self.fail("expected ')'")
            return node
        self.fail("expected a number, x1, x2, a function or '('")


def _evaluate(node, X: np.ndarray) -> np.ndarray | float:
    """The value of ``node`` at every row of ``X`` (N, 2): an (N,) array or a float."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        return X[:, node[1]]
    if kind == "neg":
        return np.negative(_evaluate(node[1], X))
    if kind == "call":
        return FUNCTIONS[node[1]](_evaluate(node[2], X))
    return _BINARY[node[1]](_evaluate(node[2], X), _evaluate(node[3], X))


class Formula:
    """A parsed target formula; calling it on X (N, 2) gives y (N, 1), float64."""

    def __init__(self, text: str):
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"longer than {MAX_LENGTH} characters")
        self.text = text.strip()
        self.tree = _Parser(text).parse()

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        with np.errstate(all="ignore"):
            values = _evaluate(self.tree, X)
        return np.broadcast_to(np.asarray(values, dtype=np.float64), (len(X),))[:, None].copy()

    def check_finite(self, X: np.ndarray, where: str = "sample") -> np.ndarray:
        """y = self(X), or :class:`FormulaError` naming the first row where it is NaN/±inf
        (``where`` is "sample" for data rows, numbered from 1, or a word like "grid point")."""
        y = self(X)
        bad = np.flatnonzero(~np.isfinite(y[:, 0]))
        if bad.size:
            n = int(bad[0])
            name = sample_name(n) if where == "sample" else f"{where} {n + 1}"
            raise FormulaError(f"{self.text} is {y[n, 0]} at x{sub(1)} = {X[n, 0]:.4g}, "
                               f"x{sub(2)} = {X[n, 1]:.4g} ({name})")
        return y

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


def parse(text: str) -> Formula:
    """:class:`Formula` for ``text``; raises :class:`FormulaError`."""
    return Formula(text)

"""Hiding a lesson question's answer in a panel while the question is open.

A chapter may ask for a value the engine has already computed (``dw₂`` of h₁ after h₁'s
backward step): the neuron panel and the chain-rule panel would show it.  While such a
question is open, every number those panels write that *is* the answer at its own
displayed precision (three significant digits or more) is replaced by ``?``, padded to
the same width so columns stay aligned.  Styles are kept (the text's length does not
change).
"""
from __future__ import annotations

import math
import re

from rich.text import Text

NUMBER = re.compile(r"(?<![\w.])-?\d+\.?\d*(?:e[-+]?\d+)?(?![\w.])")
MIN_DIGITS = 3


def _digits(token: str) -> int:
    mantissa = token.lstrip("-").split("e")[0]
    return len(mantissa.replace(".", "").lstrip("0")) or 1


def is_answer(token: str, secret: float) -> bool:
    """Does ``token`` (as written on screen) show ``secret`` at its own precision?"""
    digits = _digits(token)
    if digits < MIN_DIGITS or "." not in token and "e" not in token:
        return False
    try:
        shown = float(token)
    except ValueError:
        return False
    if not math.isfinite(secret) or secret == 0:
        return False
    return f"{shown:.{digits}g}" == f"{secret:.{digits}g}"


def mask(text: Text, secret: float | None) -> Text:
    """``text`` with every number that shows ``secret`` replaced by ``?`` (a copy)."""
    if secret is None:
        return text
    plain = text.plain
    hits = [m for m in NUMBER.finditer(plain) if is_answer(m.group(0), secret)]
    if not hits:
        return text
    out = text.copy()
    chars = list(plain)
    for m in hits:
        width = m.end() - m.start()
        chars[m.start():m.end()] = list("?".rjust(width))
    out.plain = "".join(chars)
    return out

"""Reading numbers a person typed (on the command line or in a dialog).

Each function returns the value or raises ValueError with a message meant
for the person; the command line turns it into one error line, dialogs show
it under the field.
"""
from __future__ import annotations

import math


def is_finite(value) -> bool:
    """Whether the number ``value`` is finite as a float: False for NaN and ±inf, and for
    an int too large for a float (``10**400`` from a JSON file, where ``math.isfinite``
    raises OverflowError)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def shown_number(value) -> str:
    """``value`` for an error message: a whole number of more than 20 digits shortened."""
    if isinstance(value, int) and abs(value) >= 10 ** 20:
        return f"{str(value)[:12]}… ({len(str(abs(value)))} digits)"
    return repr(value)


def finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {text}")
    return value


def positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"must be a finite positive number, got {text}")
    if not value > 0:
        raise ValueError(f"must be a positive number, got {text}")
    return value


def whole_number(text: str, low: int | None = None, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if low is not None and value < low:
        raise ValueError(f"must be at least {low}, got {value}" if high is None
                         else f"must be from {low} to {high}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"must be from {low} to {high}, got {value}")
    return value

"""One sanitiser for every string from outside that reaches a terminal or a file we write.

Control characters (C0, DEL, C1) would let a file name, a lesson or a peer's message move the
cursor, retitle the terminal or hide text; bidirectional overrides (U+202A–U+202E, U+2066–U+2069)
would make text read differently from what it is. `printable` shows each one visibly instead, so
the reader sees that something odd was there:

>>> printable("evil\\x1b]0;pwned\\x07name")
'evil␛]0;pwned␇name'
>>> printable("abc\\u202edef")
'abc<U+202E>def'
>>> printable("two\\nlines", keep_newlines=True)
'two\\nlines'
"""

from __future__ import annotations

import re

#: C0 controls get their Unicode "control pictures" (U+2400 + code): ␛ for ESC, ␇ for BEL.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "␡"

_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _visible(match: re.Match, keep_newlines: bool, keep_tabs: bool) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n" and keep_newlines:
        return char
    if char == "\t" and keep_tabs:
        return char
    if code in _PICTURES:
        return _PICTURES[code]
    if code in _BIDI or 0x80 <= code <= 0x9F:
        return f"<U+{code:04X}>"
    return char  # pragma: no cover - the pattern only matches the classes above


def printable(text: object, keep_newlines: bool = False, keep_tabs: bool = False) -> str:
    """`text` (any object, str() taken) with every control or bidi-override character made visible.

    Newlines and tabs are kept only when asked (multi-line prose, worksheets); everything else that
    a terminal would act on is replaced, so the result is safe to print or to write to a file.
    """
    text = str(text)
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _visible(m, keep_newlines, keep_tabs), text)


def unsafe_characters(text: str) -> list[str]:
    """The distinct unsafe characters in `text`, each as `printable` shows it (for `--check`)."""
    return sorted({printable(c) for c in _UNSAFE.findall(text) if c not in "\n\t"})

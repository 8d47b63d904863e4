"""Case-insensitive regexes run faster as case-sensitive ones over lower-cased text.

Python's ``re`` matches ``re.I`` patterns several times slower than plain ones (every character
is case-folded, and the literal-prefix shortcuts are lost). For a pattern ``p`` with ``re.I``,
:func:`lowered` builds ``q``: the same pattern with its literal letters lower-cased and the flag
dropped. Then ``p.search(text)`` and ``q.search(text.lower())`` find the same spans whenever
:func:`same_fold` holds for ``text``: ``text.lower()`` keeps its length (no "İ") and ``text``
holds none of the characters whose case folding in ``re`` differs from ``str.lower()`` for
ASCII letters (dotless i, long s). Group texts come back lower-cased, so callers use them only
where case does not matter.
"""

from __future__ import annotations

import re

# re.I matches these against ASCII letters where str.lower() does not ("ı" ~ "i", "ſ" ~ "s");
# "İ" lower-cases to two characters. tests/test_matcher_text.py recomputes the list from Unicode.
FOLDS_ODDLY = "\u0130\u0131\u017f"
_FOLDS_ODDLY = re.compile(f"[{FOLDS_ODDLY}]")


def same_fold(text: str) -> bool:
    """``re.I`` over ``text`` agrees with plain matching over ``text.lower()``."""
    return _FOLDS_ODDLY.search(text) is None


_ESCAPE_LETTERS = set("bBdDsSwWAZ")  # escapes that stand for classes or positions, kept as they are


def lowered_source(pattern: str) -> str:
    """``pattern`` with its literal letters lower-cased and inline ``i`` flags dropped."""
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt.isalnum() and nxt not in _ESCAPE_LETTERS:
                raise ValueError(f"cannot lower escape \\{nxt} in {pattern!r}")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if pattern.startswith("(?P<", i) or pattern.startswith("(?P=", i):
            end = pattern.index(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i : end + 1])  # group names keep their case
            i = end + 1
            continue
        if pattern.startswith("(?", i) and i + 2 < n and pattern[i + 2].isalpha() and pattern[i + 2] != "P":
            # Inline flags: "(?i)" or "(?i:"; only "i" is expected.
            j = i + 2
            while j < n and pattern[j].isalpha():
                j += 1
            flags = pattern[i + 2 : j]
            if set(flags) - {"i"}:
                raise ValueError(f"cannot lower flags {flags!r} in {pattern!r}")
            if pattern[j] == ")":
                i = j + 1  # "(?i)": dropped
                continue
            out.append("(?")  # "(?i:" -> "(?:"
            i = j
            continue
        out.append(ch.lower())
        i += 1
    return "".join(out)


def lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The plain regex over lower-cased text equivalent to ``pattern`` (see the module docstring)."""
    if not pattern.flags & re.IGNORECASE:
        raise ValueError(f"not case-insensitive: {pattern.pattern!r}")  # its twin would differ
    return re.compile(lowered_source(pattern.pattern), pattern.flags & ~re.IGNORECASE)

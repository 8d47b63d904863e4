"""Word-start alternations rewritten so that Python's ``re`` dispatches on their first character.

The cue and marker scans of :mod:`matcher.features` are big alternations of named groups tried
at every word start: ``(?<![a-z0-9])(?=[a-z])(?:(?P<neg>not|no|...)|(?P<req>requir|must|...)|...)``.
``re`` tries every alternative of every group at every word start, which made the cue scan the
costliest step of tagging. :func:`dispatch` builds an equivalent regex shaped as
``a(?<![a-z0-9]a)(?:...)|b(?<![a-z0-9]b)(?:...)|...``: each top-level alternative starts with a
literal, so ``re`` skips the positions no alternative can start at (a charset prefix scan in C)
and, at the others, tries only the alternatives that begin with that character.

The rewrite is exact, not approximate: alternatives are split at the top level, leading groups
are distributed (``(?:a|b)c`` is ``ac|bc`` in leftmost-first order), ``x?`` becomes ``x...|...``,
and a leading ``\\b`` becomes a one-character lookbehind after the first character. At each
position the alternatives are tried in their original order, so the first match, its end and
its group are the same. A pattern it cannot take apart raises :class:`Undispatchable`; callers
keep the original regex then.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_META = set("\\()[]{}?*+|.^$")
_QUANT = ("*", "+", "{")


class Undispatchable(ValueError):
    """A pattern :func:`dispatch` cannot split by first character."""


def _skip_class(pattern: str, i: int) -> int:
    """Index just past the character class opening at ``pattern[i] == "["``."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern):
        if pattern[j] == "\\":
            j += 2
            continue
        if pattern[j] == "]":
            return j + 1
        j += 1
    raise Undispatchable(f"unclosed class in {pattern!r}")


def _structure(pattern: str, i: int = 0) -> Iterator[tuple[int, str]]:
    """(index, char) of each ``(``, ``)`` and ``|`` from ``pattern[i]`` on, outside escapes and classes."""
    j = i
    while j < len(pattern):
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            j = _skip_class(pattern, j)
            continue
        if ch in "()|":
            yield j, ch
        j += 1


def close_group(pattern: str, i: int) -> int:
    """Index of the ``)`` closing the group opening at ``pattern[i] == "("``."""
    depth = 0
    for j, ch in _structure(pattern, i):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
    raise Undispatchable(f"unbalanced group in {pattern!r}")


def split_top(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern`` (classes, escapes and groups respected)."""
    parts: list[str] = []
    start = 0
    depth = 0
    for j, ch in _structure(pattern):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            parts.append(pattern[start:j])
            start = j + 1
    parts.append(pattern[start:])
    return parts


@dataclass(frozen=True)
class Head:
    """One way an alternative can start: the literal ``char``, then ``rest``; ``before`` is set when
    a ``\\b`` must hold just before ``char``."""

    char: str
    rest: str
    before: bool = False


def heads(alt: str, depth: int = 0) -> list[Head]:
    """The first characters of ``alt``, in the order a regex engine would try them."""
    if depth > 20:
        raise Undispatchable(f"too deep: {alt!r}")
    if not alt:
        raise Undispatchable("an empty alternative matches anywhere")
    if alt.startswith("\\b"):
        return [Head(h.char, h.rest, True) for h in heads(alt[2:], depth + 1)]
    if alt.startswith("(?:"):
        end = close_group(alt, 0)
        inner, rest = alt[3:end], alt[end + 1 :]
        if rest[:1] in _QUANT:
            raise Undispatchable(f"repeated leading group in {alt!r}")
        if rest[:1] == "?":
            if rest[1:2] in ("?", "+"):
                raise Undispatchable(f"lazy or possessive leading group in {alt!r}")
            # Greedy: the group's alternatives first, then skipping it.
            out = [h for a in split_top(inner) for h in heads(a + rest[1:], depth + 1)]
            return out + heads(rest[1:], depth + 1)
        return [h for a in split_top(inner) for h in heads(a + rest, depth + 1)]
    ch = alt[0]
    if ch == "\\":
        if len(alt) < 2 or alt[1].isalnum():
            raise Undispatchable(f"leading class escape in {alt!r}")
        lit, rest = alt[1], alt[2:]
    elif ch in _META:
        raise Undispatchable(f"leading {ch!r} in {alt!r}")
    else:
        lit, rest = ch, alt[1:]
    if rest[:1] in _QUANT:
        raise Undispatchable(f"repeated leading character in {alt!r}")
    if rest[:1] == "?":
        if rest[1:2] in ("?", "+"):
            raise Undispatchable(f"lazy or possessive leading character in {alt!r}")
        return [Head(lit, rest[1:]), *heads(rest[1:], depth + 1)]
    return [Head(lit, rest)]


def dispatch(
    groups: list[tuple[str, str]], *, not_after: str = "a-z0-9", first: str = "a-z"
) -> tuple[re.Pattern[str], dict[int, str]]:
    """The regex ``(?<![not_after])(?=[first])(?:(?P<g1>p1)|(?P<g2>p2)|...)`` rewritten to dispatch
    on its first character, and a map from the rewritten regex's group index to the group name.

    ``first`` lists the characters a match may start with (``a-z`` or ``a-z$`` style, no ``^``).
    A leading ``\\b`` is decided once per position: the alternatives are laid out twice, for a
    position after a word character and after anything else, each copy holding only the
    alternatives whose ``\\b`` holds there.
    """
    for _, pattern in groups:
        if re.search(r"(?<!\\)\((?!\?)", pattern):
            raise Undispatchable(f"capturing group in {pattern!r}")
    allowed = re.compile(f"[{first}]")
    word = re.compile(r"\w")
    names: dict[int, str] = {}
    index = 0
    layouts = []
    for after_word in (False, True):
        buckets: dict[str, list[tuple[str, str]]] = {}
        for name, pattern in groups:
            for alt in split_top(pattern):
                for head in heads(alt):
                    if not allowed.fullmatch(head.char):
                        continue  # can never match at a word start
                    if head.before and after_word == bool(word.match(head.char)):
                        continue  # its \b fails after this kind of character
                    buckets.setdefault(head.char, []).append((name, head.rest))
        parts = []
        for char, entries in buckets.items():
            # An empty group closes each alternative: the alternative itself starts with a
            # literal, which ``re`` checks before entering it (a group in front would not be).
            alts = []
            for name, rest in entries:
                index += 1
                names[index] = name
                alts.append(f"{rest}()")
            parts.append(f"{re.escape(char)}(?:{'|'.join(alts)})")
        if parts:
            layouts.append(f"(?{'<=' if after_word else '<!'}\\w)(?:{'|'.join(parts)})")
    if not layouts:
        raise Undispatchable("no alternative can start a match")
    return re.compile(f"(?<![{not_after}])(?:{'|'.join(layouts)})"), names

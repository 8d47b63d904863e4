"""Reading JSON-lines input (labelled postings, postings to tag) line by line, and the type checks
their fields share. A bad line is named by file and line, never a traceback."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def numbered_lines(path: str | Path) -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, parsed JSON, None)`` per non-blank line of ``path``, or ``(line number, None,
    problem)`` for a line that is not UTF-8 or not JSON, so a reader can go on past it."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                yield lineno, None, "not UTF-8 text"
                continue
            if not line:
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:  # JSONDecodeError, or an integer of over 4300 digits
                yield lineno, None, f"not JSON: {exc}"
                continue
            yield lineno, value, None


def json_kind(value: Any) -> str:
    """How a JSON value reads in an error message: ``a list``, ``the number 5``, ``null``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {_short(repr(value))}" if is_text(value) else "text that is not valid Unicode"
    if isinstance(value, float) and not is_number(value):
        return f"{value!r} (not a finite number)"
    return f"the number {_short(repr(value))}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def is_number(value: Any) -> bool:
    """A JSON number that is one: not true/false, not NaN or Infinity (Python's json reads both),
    not an integer too large for a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def is_text(value: Any) -> bool:
    """A string that can be written out as UTF-8 (json reads lone surrogates such as "\\ud800")."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_field_problems(record: dict[str, Any], keys: Iterable[str], *, nullable: bool) -> list[str]:
    """``<key> must be text`` for each of ``keys`` present in ``record`` with another value (null
    allowed when ``nullable``); absent keys are the caller's business."""
    allowed = "text or null" if nullable else "text"
    return [
        f"{key} must be {allowed}, not {json_kind(record[key])}"
        for key in keys
        if key in record and not is_text(record[key]) and not (nullable and record[key] is None)
    ]

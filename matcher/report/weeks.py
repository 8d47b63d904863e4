"""ISO weeks: parse ``2026-W48``, resolve ``last`` from the database, and give the bounds the
report's SQL compares timestamps with.

Timestamps in the store are ISO-8601 UTC text (``2026-11-23T12:00:00+00:00``), so a week is the
half-open text range ``[Monday, next Monday)`` compared as strings.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta

import sqlite_utils

from scraper.parsers.normalize import iso_date

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


class WeekError(ValueError):
    """A week that cannot be read or does not exist (2025-W53), or a database with no dates."""


@dataclass(frozen=True, order=True)
class Week:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """The Monday after the week (exclusive bound)."""
        return self.start + timedelta(days=7)

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=6)

    def shift(self, weeks: int) -> Week:
        return Week.containing(self.start + timedelta(weeks=weeks))

    @classmethod
    def containing(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def params(self) -> dict[str, str]:
        """The SQL parameters of this week."""
        return {
            "week_start": self.start.isoformat(),
            "week_end": self.end.isoformat(),
            "previous_start": (self.start - timedelta(days=7)).isoformat(),
            "trend_start": (self.start - timedelta(days=7 * 7)).isoformat(),
        }

    def __str__(self) -> str:
        return self.label


def parse_week(text: str) -> Week:
    """``2026-W48`` -> Week; raises :class:`WeekError` for malformed or non-existent weeks."""
    m = _WEEK_RE.match(text.strip())
    if not m:
        raise WeekError(f"week {text!r}: expected YYYY-Www (e.g. 2026-W48) or 'last'")
    year, week = int(m[1]), int(m[2])
    if not MINYEAR <= year <= MAXYEAR:
        raise WeekError(f"week {text!r}: the year must be {MINYEAR} to {MAXYEAR}")
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"week {text!r} does not exist: {year} has {weeks_in_year(year)} ISO weeks") from None
    return _reportable(Week(year, week), f"week {text!r}")


def _reportable(week: Week, what: str) -> Week:
    try:
        week.params()  # the report reads the seven weeks before and the Monday after
    except OverflowError:
        raise WeekError(f"{what} is too near the calendar's ends to report on") from None
    return week


def weeks_in_year(year: int) -> int:
    # December 28th is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar().week


def latest_week(db: sqlite_utils.Database) -> Week:
    """The ISO week of the latest crawl run's start, else of the latest ``postings.last_seen``."""
    for sql in ("select max(started_at) from crawl_runs", "select max(last_seen) from postings"):
        try:
            value = db.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:  # a table missing from a foreign database: try the next
            value = None
        day = iso_date(value)
        if day:
            week = Week.containing(date.fromisoformat(day))
            return _reportable(week, f"the latest week in the database ({week})")
    raise WeekError("no crawl run and no posting in the database: nothing to report (pass --week)")


def resolve_week(db: sqlite_utils.Database, week: str | Week) -> Week:
    if isinstance(week, Week):
        return week
    if week.strip().lower() == "last":
        return latest_week(db)
    return parse_week(week)

"""The demo world as data: invented employers and their postings' lives (``data/demo/``).

``data/demo/build.py`` writes the files; this module only reads them and answers "what does each
board list on day D?". See that script's docstring for what a posting's life holds.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"

# The demo's clock: weekly crawls on Mondays of ISO weeks 2026-W41 ... 2026-W48, at 06:00 UTC.
FIRST_CRAWL = date(2026, 10, 5)
WEEKS = 8
CRAWL_HOUR = 6


def crawl_days(weeks: int = WEEKS) -> list[date]:
    """The Mondays the demo crawls on (the last ``weeks`` of the eight, ending 2026-11-23)."""
    if not 1 <= weeks <= WEEKS:
        raise ValueError(f"weeks must be between 1 and {WEEKS}")
    days = [FIRST_CRAWL + timedelta(weeks=i) for i in range(WEEKS)]
    return days[WEEKS - weeks :]


def crawl_time(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, CRAWL_HOUR, tzinfo=UTC)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class World:
    employers: dict[str, dict[str, Any]]
    postings: list[dict[str, Any]]
    scale: int = 1
    _by_platform: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for posting in self.postings:
            self._by_platform.setdefault(posting["platform"], []).append(posting)

    def employer(self, key: str) -> dict[str, Any]:
        return self.employers[key]

    def of(self, employer: str) -> list[dict[str, Any]]:
        return [p for p in self.postings if p["employer"] == employer]

    def listed(self, employer: str, day: date) -> list[dict[str, Any]]:
        """The postings ``employer``'s board lists on ``day``, oldest first."""
        return [p for p in self.of(employer) if is_listed(p, day)]

    def listed_on(self, day: date, platform: str | None = None) -> list[dict[str, Any]]:
        pool = self._by_platform.get(platform, []) if platform else self.postings
        return [p for p in pool if is_listed(p, day)]

    def scaled(self, factor: int) -> World:
        """A bigger world for benchmarks: every posting ``factor`` times, under distinct ids."""
        if factor <= 1:
            return self
        out: list[dict[str, Any]] = []
        for copy_no in range(factor):
            for p in self.postings:
                clone = copy.deepcopy(p) if copy_no else p
                if copy_no:
                    clone["uid"] = f"{p['uid']}x{copy_no}"
                    clone["ids"] = {k: _scaled_id(k, v, copy_no) for k, v in p["ids"].items()}
                    if clone.get("job_key"):
                        clone["job_key"] = f"{p['job_key']}x{copy_no}"
                out.append(clone)
        return World(self.employers, out, scale=factor)


def _scaled_id(name: str, value: str, copy_no: int) -> str:
    if name in ("series", "grade"):
        return value
    if value.isdigit():  # numeric ids stay numeric (Greenhouse, USAJOBS, page numbers)
        return str(int(value) + copy_no * 7_000_000)
    if name == "id" and len(value) == 36 and value.count("-") == 4:  # Lever UUID: vary the last group
        return value[:-6] + f"{(int(value[-6:], 16) + copy_no) % 0xFFFFFF:06x}"
    return f"{value}-{copy_no}"


def is_listed(posting: dict[str, Any], day: date) -> bool:
    """Open on ``day`` (opened <= day < closes) and not in a week it was unlisted."""
    iso = day.isoformat()
    if posting["opened"] > iso or (posting["closes"] and iso >= posting["closes"]):
        return False
    return not any(start <= iso <= end for start, end in posting.get("hidden") or [])


def version_on(posting: dict[str, Any], day: date) -> dict[str, Any]:
    """The text of ``posting`` as published on ``day`` (the latest edit made by then)."""
    iso = day.isoformat()
    current = posting["versions"][0]
    for version in posting["versions"]:
        if version["from"] <= iso:
            current = version
    return current


def load_world(folder: Path = DEMO_DIR) -> World:
    """Read ``employers.json`` and ``postings.jsonl``; a missing or broken file is a clear error."""
    try:
        employers = json.loads((folder / "employers.json").read_text(encoding="utf-8"))
        with (folder / "postings.jsonl").open(encoding="utf-8") as lines:
            postings = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"cannot read the demo world in {folder}: {exc} (run python data/demo/build.py)"
        ) from exc
    return World({e["key"]: e for e in employers}, postings)

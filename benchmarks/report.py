"""Benchmark: the weekly report on a generated database of 1,000,000 tagged postings.

    python benchmarks/report.py        # 1,000,000 postings (builds /tmp/majobs-bench-report.db once)
    python benchmarks/report.py --postings 100000 --db /tmp/small.db

Goal: the report in <= 30 s and <= 2 GiB peak memory. The report runs in a child process so its
peak resident memory (ru_maxrss) is its own, not the generator's. Prints both figures and their
ratio to the goal. The generated database is kept and reused when it already holds the number asked.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.store import open_db

GOAL_SECONDS = 30.0
GOAL_BYTES = 2 * 1024**3
WEEK = "2026-W48"
WEEK_END = datetime(2026, 11, 30, tzinfo=UTC)
# A year of crawling: postings first seen over the 52 weeks before the week's end, each open for
# 1 to 13 weeks (the crawler closes what it no longer sees), so about a tenth of them are active
# in any one week. --open-share keeps that share open for good instead (a harsher mix).
SPAN_DAYS = 52 * 7

CERTS = ["CMA", "RMA", "CCMA", "NCMA", "MA_CERT_ANY", "BLS", "PHLEBOTOMY", "COA", "CPC", "CMPE", "ACLS"]
EHRS = ["Epic", "Oracle Health", "eClinicalWorks", "athenahealth", "NextGen", "Veradigm", "ModMed", "Nextech"]
SPECIALTIES = ["Family Medicine", "Primary Care", "Internal Medicine", "Pediatrics", "Dermatology",
               "Ophthalmology", "Orthopedics", "Cardiology", "OB/GYN", "Urgent Care", "Podiatry"]  # fmt: skip
SKILLS = ["vital signs", "patient intake", "phlebotomy", "injections", "EKG", "specimen collection",
          "scheduling", "EHR documentation", "point-of-care testing", "prior authorization",
          "staff supervision", "staff training", "inventory management", "compliance", "wound care",
          "insurance verification", "bilingual Spanish", "budgeting", "hiring"]  # fmt: skip
LEVELS = ["required", "preferred", "accepted"]
SOURCES = ["greenhouse", "lever", "workday", "usajobs", "jsonld"]
STATES = ["CA", "TX", "FL", "NY", "OR", "WA", "AZ", "OH", "PA", "IL", "GA", "NC", "MI", None]
TITLES = {
    "entry": ["Medical Assistant", "Clinical Medical Assistant", "Certified Medical Assistant", "MA I"],
    "mid": ["Lead Medical Assistant", "Senior Medical Assistant", "Clinical Coordinator"],
    "senior": ["Practice Manager", "Medical Assistant Supervisor", "Clinical Operations Manager"],
}


def _iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()


def generate(path: Path, n: int, seed: int = 7, open_share: float = 0.0) -> None:
    """``n`` postings with ~8 tags each, dedup groups, closures, pay in every form."""
    rnd = random.Random(seed)
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_db(path)
    # The generator does not need full-text search: drop its triggers to write fast.
    for trigger in ("postings_ai", "postings_ad", "postings_au"):
        db.execute(f"drop trigger if exists [{trigger}]")
    conn = db.conn
    conn.execute("PRAGMA synchronous = OFF")
    start = WEEK_END - timedelta(days=SPAN_DAYS)
    batch, tags = [], []
    columns = ("id", "source", "source_id", "source_key", "title", "company", "state", "first_seen",
               "last_seen", "closed_at", "dedup_group", "is_ma_role", "stage", "min_years_experience",
               "salary_min", "salary_max", "salary_unit", "salary_source", "pay_min", "pay_max", "pay_unit",
               "tag_model_version")  # fmt: skip
    insert_p = f"insert into postings ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    tag_columns = "posting_id, category, label, level, model_version"
    insert_t = f"insert or ignore into tags ({tag_columns}) values (?, ?, ?, ?, ?)"

    def flush() -> None:
        conn.executemany(insert_p, batch)
        conn.executemany(insert_t, tags)
        batch.clear()
        tags.clear()

    with conn:
        for i in tqdm(range(n), desc="postings", unit_scale=True, mininterval=2):
            source = SOURCES[i % len(SOURCES)]
            pid = f"{source}:{i}"
            first = start + timedelta(seconds=rnd.randrange(SPAN_DAYS * 86400))
            closed = None if rnd.random() < open_share else first + timedelta(days=rnd.randint(7, 91))
            closed_at = _iso(closed) if closed and closed < WEEK_END else None
            role = rnd.random()
            is_ma = 1 if role < 0.85 else 0 if role < 0.95 else None
            stage = rnd.choices(("entry", "mid", "senior"), (65, 25, 10))[0] if is_ma == 1 else None
            base = {"entry": 19, "mid": 23, "senior": 31}.get(stage or "", 20)
            pay = [None] * 7
            kind = rnd.random()
            if kind < 0.2:
                pay[:4] = [base * 2080 * 0.9, base * 2080 * 1.1, "YEAR", "structured"]
            elif kind < 0.6:
                pay[4:] = [base - 1 + rnd.random() * 2, base + 2 + rnd.random() * 3, "HOUR"]
            elif kind < 0.7:
                pay[:4] = [base + rnd.random(), None, "HOUR", "description"]
            batch.append((
                pid, source, str(i), f"{source}:board{i % 40}", rnd.choice(TITLES.get(stage or "entry")),
                f"Employer {i % 5000}", rnd.choice(STATES), _iso(first), _iso(closed or WEEK_END), closed_at,
                f"g{i // 2}" if i % 10 < 2 else None, is_ma, stage,
                rnd.choice((None, 0, 1, 2, 3, 5)), *pay, "bench-1" if is_ma is not None else None,
            ))  # fmt: skip
            if is_ma is not None:
                for label in rnd.sample(CERTS, rnd.randint(0, 3)):
                    tags.append((pid, "certification", label, rnd.choice(LEVELS), "bench-1"))
                for label in rnd.sample(EHRS, rnd.randint(0, 1)):
                    tags.append((pid, "ehr", label, None, "bench-1"))
                for label in rnd.sample(SPECIALTIES, rnd.randint(0, 1)):
                    tags.append((pid, "specialty", label, None, "bench-1"))
                for label in rnd.sample(SKILLS, rnd.randint(2, 7)):
                    tags.append((pid, "skill", label, None, "bench-1"))
            if len(batch) >= 20000:
                flush()
        flush()
        conn.execute(
            "insert into crawl_runs (started_at, finished_at, status, sources) values (?, ?, 'ok', 200)",
            [_iso(WEEK_END - timedelta(days=6)), _iso(WEEK_END - timedelta(days=6))],
        )
    conn.execute("analyze")
    db.close()


def _count(path: Path) -> int:
    if not path.exists():
        return -1
    db = open_db(path, create=False)
    try:
        return db.execute("select count(*) from postings").fetchone()[0]
    except Exception:  # a half-written file from an interrupted run: build it again
        return -1
    finally:
        db.close()


def _active(path: Path) -> int:
    db = open_db(path, create=False)
    try:
        sql = "select count(*) from postings where first_seen < ? and (closed_at is null or closed_at >= ?)"
        return db.execute(sql, ["2026-11-30", "2026-11-23"]).fetchone()[0]
    finally:
        db.close()


CHILD = """
import sys, time
from matcher.report import write_report
t = time.perf_counter()
write_report(sys.argv[1], week=sys.argv[2], out_dir=sys.argv[3])
print(time.perf_counter() - t)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/majobs-bench-report.db"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/majobs-bench-report"))
    parser.add_argument("--open-share", type=float, default=0.0, help="share of postings never closed")
    parser.add_argument("--regenerate", action="store_true", help="build the database even if it exists")
    args = parser.parse_args()
    if args.regenerate or _count(args.db) != args.postings:
        t = time.perf_counter()
        generate(args.db, args.postings, open_share=args.open_share)
        print(f"generated {args.postings:,} postings in {time.perf_counter() - t:.0f} s -> {args.db}")
    wall = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(args.db), WEEK, str(args.out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    wall = time.perf_counter() - wall
    inside = float(done.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    active = _active(args.db)
    print(f"report {WEEK} on {args.postings:,} postings ({active:,} active in the week)")
    print(f"  time: {inside:.1f} s in write_report ({wall:.1f} s with interpreter start); "
          f"goal {GOAL_SECONDS:.0f} s; ratio {inside / GOAL_SECONDS:.2f}")  # fmt: skip
    print(f"  peak memory: {peak / 1024**2:.0f} MiB; goal {GOAL_BYTES / 1024**3:.0f} GiB; "
          f"ratio {peak / GOAL_BYTES:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

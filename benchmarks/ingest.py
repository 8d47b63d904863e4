"""Ingest benchmark: postings upserted per second into a store that already holds many postings,
and the time of a full-text query on it.

    python benchmarks/ingest.py                       # 1,000,000 postings in /tmp (built once, reused)
    python benchmarks/ingest.py --size 100000 --db /tmp/bench-100k.db

Goals: >= 5,000 postings/s through ``scraper.store.save_postings`` (in batches as the crawl's
store pipeline writes them: ``MAJOBS_STORE_BATCH``; wall clock, and per CPU-second since a shared
machine's wall clock varies with its load and its disk), and <= 100 ms for an FTS query. The database is
built once (fast bulk path, FTS index rebuilt in one go) and then copied for each measurement,
so every figure starts from the same state. Prints each figure and its ratio to the goal.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import sqlite3
import statistics
import time
from pathlib import Path

from scraper.items import new_posting
from scraper.store import Checkpointer, open_db, save_postings

UPSERT_GOAL = 5000.0  # postings per second
FTS_GOAL_MS = 100.0

CITIES = [
    ("Phoenix", "AZ"), ("Tucson", "AZ"), ("Denver", "CO"), ("Erie", "PA"), ("Salem", "OR"),
    ("Portland", "OR"), ("Austin", "TX"), ("Dallas", "TX"), ("Miami", "FL"), ("Tampa", "FL"),
    ("Atlanta", "GA"), ("Durham", "NC"), ("Boston", "MA"), ("Albany", "NY"), ("Newark", "NJ"),
]  # fmt: skip
TITLES = [
    "Medical Assistant", "Certified Medical Assistant", "Medical Assistant - Dermatology",
    "Clinical Medical Assistant", "Medical Assistant II", "Lead Medical Assistant",
    "Medical Assistant - Urgent Care", "Float Medical Assistant", "Ophthalmic Medical Assistant",
]  # fmt: skip
# Every description: the common lines, 6 of the duty lines, and one specialty: so the query terms
# below match ~all, ~1/4 and ~1/100 of the postings.
COMMON = [
    "As a medical assistant you room patients, take vital signs and document the chief complaint.",
    "We offer medical, dental and vision coverage, a 403(b) match and tuition assistance.",
    "Maintain HIPAA confidentiality and follow OSHA infection-control practices.",
]
DUTIES = [
    "Perform venipuncture and point-of-care testing; process specimens for the lab courier.",
    "Administer injections and immunizations per protocol and keep the vaccine log current.",
    "Current CMA (AAMA) or RMA (AMT) certification required; BLS from the American Heart Association.",
    "Experience with Epic preferred; we train on our templates.",
    "Experience with athenahealth or eClinicalWorks is a plus.",
    "Schedule follow-up visits, route refill requests and answer the patient portal inbox.",
    "Assist providers with minor procedures, set up trays and sterilize instruments.",
    "Full-time, Monday to Friday, no nights; every third Saturday morning.",
    "Pay range $18.50 - $24.00 per hour, based on experience and certification.",
    "Perform EKGs, spirometry and visual acuity screening; stock exam rooms.",
    "Prepare charts the day before and reconcile medication lists with patients.",
    "Collect copays, verify insurance eligibility and obtain prior authorizations.",
    "Chaperone exams and support telehealth visits from the clinic.",
    "Order supplies, log refrigerator temperatures and run quality-control checks.",
    "Take X-rays under a limited-scope license where the state allows it.",
    "Keep the waiting room moving and update patients on wait times.",
    "Scribe for the provider during visits and close encounters the same day.",
    "Cross-train at the front desk and on the phones during peak hours.",
    "Bilingual English/Spanish speakers are encouraged to apply.",
    "Work alongside nurses, providers and our practice manager.",
    "Complete annual competencies and continuing education with paid time.",
    "Float between our three clinics as the schedule requires.",
    "Perform wound care, suture removal and dressing changes.",
    "Administer hearing tests and allergy scratch tests.",
]
SPECIALTIES = [f"specialty{k:03d}" for k in range(100)]


def make_posting(i: int, fetched_at: str, edit: str = "") -> dict:
    """Posting number ``i``: the same every time it is made (so a re-seen posting is unchanged)."""
    rng = random.Random(i)
    city, state = CITIES[i % len(CITIES)]
    lines = [*COMMON, *rng.sample(DUTIES, 6), f"Clinic focus: {SPECIALTIES[i % 100]}.", f"Requisition {i}."]
    text = "\n".join(lines) + edit
    return dict(
        new_posting(
            "greenhouse",
            str(1_000_000_000 + i),
            TITLES[i % len(TITLES)],
            source_key=f"greenhouse:board{i % 500}",
            url=f"https://boards.example/jobs/{i}",
            company=f"Employer {i % 500}",
            city=city,
            state=state,
            country="US",
            employment_type="FULL_TIME",
            date_posted="2026-10-01",
            salary_min=18.5,
            salary_max=24.0,
            salary_unit="HOUR",
            salary_currency="USD",
            salary_source="structured",
            description_html="<p>" + text.replace("\n", "</p><p>") + "</p>",
            description_text=text,
            all_locations=[[city, state]],
            raw={"id": i, "title": TITLES[i % len(TITLES)], "updated_at": fetched_at},
            fetched_at=fetched_at,
        )
    )


def build(path: Path, size: int) -> None:
    """A store holding ``size`` postings: bulk insert with the FTS triggers off, then one rebuild."""
    print(f"building {path} with {size:,} postings (once) ...", flush=True)
    started = time.perf_counter()
    db = open_db(path)
    triggers = db.execute(
        "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'postings'"
    )
    saved = triggers.fetchall()
    for name, _ in saved:
        db.execute(f"drop trigger [{name}]")
    batch = 20_000
    for start in range(0, size, batch):
        rows = []
        for i in range(start, min(size, start + batch)):
            rows.append(make_posting(i, "2026-10-01T06:00:00+00:00"))
        # save_postings' own path would be the thing measured; here we only need the state.
        save_postings(db, rows, now="2026-10-01T06:00:00+00:00")
        print(f"  {min(size, start + batch):,}", end="\r", flush=True)
    with db.conn:
        for _, sql in saved:
            db.execute(sql)
    db.execute("insert into postings_fts(postings_fts) values('rebuild')")
    db.execute("pragma wal_checkpoint(truncate)")
    db.execute("analyze")
    db.close()
    print(f"\n  built in {time.perf_counter() - started:.0f}s", flush=True)


def measure_upserts(
    path: Path, size: int, n: int, batch: int, mix: tuple[float, float], checkpointer: bool = True
) -> tuple[float, float]:
    """Postings/s for ``n`` upserts in batches of ``batch``; ``mix`` = (share new, share edited),
    the rest are seen again unchanged. With ``checkpointer`` the store is written as the crawl's
    store pipeline writes it (WAL checkpoints in a background thread: scraper.store.Checkpointer);
    without, with SQLite's automatic checkpoints inside the commits."""
    rng = random.Random(2)
    n_new, n_edited = int(n * mix[0]), int(n * mix[1])
    old_ids = rng.sample(range(size), n - n_new)
    postings = [
        make_posting(i, "2026-10-02T06:00:00+00:00", edit="\nEdited." if k < n_edited else "")
        for k, i in enumerate(old_ids)
    ]
    postings += [make_posting(size + 10 + k, "2026-10-02T06:00:00+00:00") for k in range(n_new)]
    rng.shuffle(postings)
    db = open_db(path)
    started, cpu = time.perf_counter(), time.process_time()
    with Checkpointer(db) if checkpointer else contextlib.nullcontext():
        for start in range(0, n, batch):
            save_postings(db, postings[start : start + batch], now="2026-10-02T06:00:00+00:00")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return n / elapsed, n / cpu


def measure_fts(path: Path, repeats: int = 7) -> dict[str, float]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    match = "select rowid from postings_fts where postings_fts match ?"
    top = "select p.id, p.title, p.company from postings_fts f join postings p on p.rowid = f.rowid "
    page = f"select id, title from postings where rowid in ({match}) order by first_seen desc, id limit 51"
    queries = {
        # the canned search of `majobs serve` (data/metadata.yaml): newest first, stops at 20
        "top 20 newest first, word in 1/4 of postings": (f"{top} where postings_fts match ? "
                                                          "order by f.rowid desc limit 20", ["spirometry"]),
        # a ?_search= table page as Datasette 0.65 writes it (sorted by first_seen, then the key)
        "Datasette ?_search= page, word in 1/4": (page, ["spirometry"]),
        "Datasette ?_search= page, word in 1/100": (page, ["specialty042"]),
        "count of matches, word in 1/4": ("select count(*) from postings_fts where postings_fts match ?",
                                          ["spirometry"]),
        # relevance ranking scores every match: fine for rare words, slow for common ones
        "top 20 by rank, word in 1/100": (f"{top} where postings_fts match ? order by rank limit 20",
                                          ["specialty042"]),
        "top 20 by rank, phrase AND word, ~1/6": (f"{top} where postings_fts match ? order by rank limit 20",
                                                  ['"point-of-care testing" AND epic']),
    }  # fmt: skip
    out = {}
    for name, (sql, params) in queries.items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            conn.execute(sql, params).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        out[name] = statistics.median(times)
    conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="postings already in the store")
    parser.add_argument("--db", type=Path, default=None, help="where to keep the built store")
    parser.add_argument("--n", type=int, default=20_000, help="postings upserted per measurement")
    parser.add_argument("--rebuild", action="store_true", help="build the store again even if it exists")
    parser.add_argument("--fts-only", action="store_true", help="only time the full-text queries")
    args = parser.parse_args()
    base = args.db or Path(f"/tmp/majobs-bench-{args.size}.db")
    if args.rebuild or not base.exists():
        base.unlink(missing_ok=True)
        build(base, args.size)
    work = base.with_name(base.stem + "-work.db")

    print(f"store: {args.size:,} postings ({base.stat().st_size / 1e9:.2f} GB)")
    runs = (
        ("a daily crawl: 10% new, 5% edited, 85% unchanged", 100, (0.10, 0.05), True),
        ("the same in batches of 1000", 1000, (0.10, 0.05), True),
        ("the daily crawl, checkpoints inside commits (no Checkpointer)", 100, (0.10, 0.05), False),
        ("a first crawl: all new", 100, (1.0, 0.0), True),
        ("worst case: all edited", 100, (0.0, 1.0), True),
    )
    for label, batch, mix, checkpointer in () if args.fts_only else runs:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        shutil.copyfile(base, work)
        # Flush the copy to disk now, or the first WAL checkpoint's fsync pays for it.
        fd = os.open(work, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        rate, cpu_rate = measure_upserts(work, args.size, args.n, batch, mix, checkpointer)
        print(
            f"upsert {args.n:,} postings in batches of {batch}, {label}: "
            f"{rate:,.0f}/s  (goal {UPSERT_GOAL:,.0f}/s: x{rate / UPSERT_GOAL:.2f}; "
            f"per CPU-second {cpu_rate:,.0f}/s)"
        )
    if args.fts_only:
        work = base
    for name, ms in measure_fts(work).items():
        print(f"FTS query, {name}: {ms:.1f} ms  (goal {FTS_GOAL_MS:.0f} ms: x{FTS_GOAL_MS / ms:.2f})")
    if not args.fts_only:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()

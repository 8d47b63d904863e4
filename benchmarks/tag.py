"""Benchmark: postings tagged per second, end to end (read, tag, write), and peak memory.

    python benchmarks/tag.py                 # 100,000 generated postings (the goal's size)
    python benchmarks/tag.py -n 5000         # a quick look

Builds a throw-away SQLite database of generated postings (seeded: the same postings every run;
~150-400 words each, mixing duties, requirements, pay lines, bonuses and boilerplate the way real
ads do), then times ``matcher.tag.tag_database`` on it in this one process (one core; BLS threads
pinned to 1 by the model). Goal: >= 2,000 postings/s, peak RSS < 1 GiB.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matcher.tag import tag_database
from matcher.train import load_model
from scraper.items import new_posting
from scraper.store import open_db, save_postings

GOAL_PER_SECOND = 2000
GOAL_PEAK_BYTES = 1 << 30

TITLES = [
    "Medical Assistant",
    "Certified Medical Assistant",
    "Clinical Medical Assistant - Family Medicine",
    "Lead Medical Assistant",
    "Medical Assistant II",
    "Ophthalmic Technician",
    "Front Office Medical Assistant",
    "Practice Manager",
    "Registered Nurse",
    "Phlebotomist",
    "Patient Service Representative",
    "Medical Assistant - Dermatology",
    "Orthopedic Medical Assistant / X-Ray",
    "Health Technician (Medical Assistant)",
]
COMPANIES = [
    "Riverbend Family Health",
    "Lakeside Eye Associates",
    "Summit Foot & Ankle Institute",
    "Northgate Pediatrics",
    "Cascade Orthopaedic Group",
    "Valley Community Health Center",
    "Harbor Women's Care",
    "Pinecrest Internal Medicine",
]
INTROS = [
    "{company} is growing and we are hiring a {title} to join our busy clinic.",
    "Join {company}! We have served our community for over 20 years and are looking for a {title}.",
    "Our team at {company} has epic views of the river and an even better culture.",
    "The U.S. Bureau of Labor Statistics (BLS) expects strong growth for medical assistants, and so do we.",
]
DUTIES = [
    "Room patients, take vital signs and update medication lists",
    "Perform venipuncture and capillary blood draws",
    "Administer IM and subcutaneous injections and vaccines",
    "Perform 12-lead EKGs and apply Holter monitors",
    "Run CLIA-waived tests such as rapid strep, flu and urine pregnancy",
    "Assist providers with minor procedures and biopsies",
    "Clean and sterilize instruments using the autoclave",
    "Schedule follow-up appointments and procedures",
    "Obtain prior authorizations and verify insurance eligibility",
    "Enter CPT and ICD-10 codes and capture charges",
    "Document visits and manage the in-basket in Epic",
    "Chart in athenaOne and route refill requests to providers",
    "Perform visual acuity, tonometry and OCT imaging",
    "Apply splints and fit walking boots",
    "Take x-rays within the scope of your permit",
    "Restock exam rooms and order clinical supplies",
    "Supervise the MA team, build staff schedules and approve timecards",
    "Precept and onboard new medical assistants",
]
REQUIREMENTS = [
    "CMA, RMA or CCMA required",
    "CCMA required within 90 days of hire",
    "Current BLS certification required",
    "CPR certification within 30 days of start",
    "CMA or RMA preferred",
    "One year of medical assistant experience required",
    "2-3 years of clinical experience preferred",
    "New grads welcome",
    "Limited x-ray permit required",
    "COA required; COT preferred",
    "Bilingual English/Spanish a plus",
    "NextGen or eClinicalWorks experience a plus",
    "Graduate of an accredited medical assistant program",
]
PAY = [
    "Pay: ${lo}.00 - ${hi}.00 per hour",
    "Compensation: ${lo}.50-${hi}.75/hr plus a $1,500 sign-on bonus",
    "Starting at ${lo}/hour. Bilingual differential $1.00/hr.",
    "Salary: ${lo},000 - ${hi},000 per year",
    "Competitive pay based on experience.",
]
BOILERPLATE = [
    "We offer medical, dental and vision insurance, a 401(k) with match, paid time off and tuition "
    "reimbursement.",
    "{company} is an equal opportunity employer. All qualified applicants will receive consideration for "
    "employment without regard to race, color, religion, sex, national origin, disability or veteran status.",
    "Our clinic is located on Greenway Parkway with free parking and easy access to public transit.",
    "Schedule: Monday through Friday, 8:00 a.m. to 5:00 p.m., no weekends or holidays.",
]


def generate(n: int, seed: int = 20261128, first_id: int = 0) -> list[dict]:
    rng = random.Random(seed)
    postings = []
    for i in range(first_id, first_id + n):
        title, company = rng.choice(TITLES), rng.choice(COMPANIES)
        lo = rng.randint(16, 24)
        pay = rng.choice(PAY)
        pay = pay.replace("{lo}", str(lo if "year" not in pay else lo * 2)).replace(
            "{hi}", str(lo + rng.randint(2, 6) if "year" not in pay else lo * 2 + 8)
        )
        parts = [rng.choice(INTROS).format(company=company, title=title), "", "Responsibilities"]
        parts += [f"- {d}" for d in rng.sample(DUTIES, rng.randint(5, 10))]
        parts += ["", "Requirements"] + [f"- {r}" for r in rng.sample(REQUIREMENTS, rng.randint(3, 6))]
        parts += ["", pay, "", "Benefits"] + [b.format(company=company) for b in rng.sample(BOILERPLATE, 3)]
        postings.append(
            new_posting("greenhouse", f"b{i}", title, company=company, description_text="\n".join(parts))
        )
    return postings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="postings to generate (default 100,000)")
    args = parser.parse_args()
    model = load_model()  # trained first when missing: not part of the timing
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        for start in range(0, args.n, 10_000):
            save_postings(
                db,
                generate(min(10_000, args.n - start), seed=start, first_id=start),
                now="2026-11-23T00:00:00+00:00",
            )
        words = db.execute(
            "select avg(length(description_text) - length(replace(description_text, ' ', '')) + 1) "
            "from postings"
        ).fetchone()[0]
        print(f"generated {args.n:,} postings (~{words:.0f} words each) in {time.perf_counter() - t0:.1f} s")
        t0, c0 = time.perf_counter(), time.process_time()
        summary = tag_database(db, progress=True, model=model)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    rate = summary["tagged"] / elapsed if elapsed else 0.0
    cpu_rate = summary["tagged"] / cpu if cpu else 0.0
    print(
        f"tagged {summary['tagged']:,} postings ({summary['tags']:,} tags) in {elapsed:.1f} s ({cpu:.1f} CPU)"
    )
    # CPU-time throughput is what one core gives when nothing else competes for it (wall time is
    # the real figure on an idle machine; on a shared one the two differ).
    print(f"CPU-time throughput: {cpu_rate:,.0f} postings/s   ratio to goal {cpu_rate / GOAL_PER_SECOND:.2f}")
    print(
        f"throughput: {rate:,.0f} postings/s   goal {GOAL_PER_SECOND:,}/s   "
        f"ratio {rate / GOAL_PER_SECOND:.2f}"
    )
    print(
        f"peak memory (RSS): {peak / 2**20:,.0f} MiB   goal < 1,024 MiB   ratio {peak / GOAL_PEAK_BYTES:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

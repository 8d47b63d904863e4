"""Benchmark: postings tagged per second, end to end (read, tag, write), and peak memory.

    python benchmarks/tag.py                 # 100,000 generated postings (the goal's size)
    python benchmarks/tag.py -n 5000         # a quick look

    python benchmarks/tag.py -n 20000 --no-cache   # without the cross-posting sentence cache
    python benchmarks/tag.py --workers 2           # `majobs tag --workers 2` (not the goal's one core)

Builds a throw-away SQLite database of generated postings (seeded: the same postings every run),
then times ``matcher.tag.tag_database`` on it in this one process (one core; BLAS threads pinned
to 1 by the model). Goal: >= 2,000 postings/s, peak RSS < 1 GiB.

The postings are varied the way a real crawl is, so that the matcher's sentence cache (which
remembers the analysis of sentences seen before) is measured honestly: 400 employers, each with
its own intro, benefits and EEO lines repeated on every one of its postings; the rest of a posting
(an opener, 4-8 duty lines, 3-5 requirement lines, a pay line) is drawn per posting, most lines
with a clinic, provider, city, specialty or number of their own. The cache hit rate is printed.
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

from matcher.analysis import sentence_cache
from matcher.candidates import default_matcher
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
TITLE_TAILS = ["", "", "", " - Float", " (Part Time)", " - {city}", " - Weekends", " - {specialty}"]
PLACES = [
    "Riverbend",
    "Lakeside",
    "Summit",
    "Northgate",
    "Cascade",
    "Valley",
    "Harbor",
    "Pinecrest",
    "Maple Grove",
    "Cedar Ridge",
    "Bayview",
    "Silver Creek",
    "Oak Hollow",
    "Prairie",
    "Granite Peak",
    "Willow Bend",
    "Stonebridge",
    "Fox Run",
    "Eastlake",
    "Westfield",
    "Sunrise",
    "Redwood",
    "Bluewater",
    "Highland",
    "Meadowbrook",
    "Ironwood",
    "Clearwater",
    "Aspen",
    "Brookside",
    "Kingsley",
]
KINDS = [
    "Family Health",
    "Eye Associates",
    "Foot & Ankle Institute",
    "Pediatrics",
    "Orthopaedic Group",
    "Community Health Center",
    "Women's Care",
    "Internal Medicine",
    "Dermatology",
    "Cardiology Partners",
    "Urgent Care",
    "Medical Group",
    "Health System",
    "Primary Care",
    "ENT & Allergy",
    "Surgical Specialists",
]
CITIES = [
    "Springfield",
    "Fairview",
    "Madison",
    "Georgetown",
    "Salem",
    "Franklin",
    "Clinton",
    "Greenville",
    "Bristol",
    "Dover",
    "Ashland",
    "Oxford",
    "Milton",
    "Newport",
    "Burlington",
    "Jackson",
    "Kingston",
    "Marion",
    "Auburn",
    "Dayton",
    "Lexington",
    "Arlington",
    "Hudson",
    "Chester",
    "Lebanon",
    "Winchester",
    "Riverside",
    "Centerville",
    "Manchester",
    "Waverly",
    "Troy",
    "Monroe",
    "Shelby",
    "Hamilton",
    "Camden",
]
SURNAMES = [
    "Patel",
    "Nguyen",
    "Garcia",
    "Smith",
    "Johnson",
    "Kim",
    "Chen",
    "Okafor",
    "Rossi",
    "Cohen",
    "Murphy",
    "Singh",
    "Lopez",
    "Haddad",
    "Novak",
    "Ito",
    "Schmidt",
    "Rivera",
    "Brooks",
    "Khan",
    "Walsh",
    "Moreau",
    "Ward",
    "Diaz",
    "Price",
    "Bauer",
    "Lindqvist",
    "Adeyemi",
    "Costa",
    "Fischer",
]
SPECIALTIES = [
    "family medicine",
    "pediatrics",
    "dermatology",
    "cardiology",
    "orthopedics",
    "ophthalmology",
    "OB/GYN",
    "urology",
    "gastroenterology",
    "podiatry",
    "ENT",
    "allergy",
    "oncology",
    "neurology",
    "internal medicine",
    "urgent care",
    "endocrinology",
    "rheumatology",
]
SHIFTS = ["morning", "evening", "weekend", "four-day", "rotating", "day"]
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
    "Call patients with normal lab results and answer portal messages",
    "Collect urine and stool specimens and prepare them for the lab",
    "Perform spirometry and pulse oximetry",
    "Give nebulizer treatments and teach inhaler technique",
]
# What makes a line this posting's own: the clinic, the provider, the numbers, the setting.
TAILS = [
    " for {n} to {m} patients a day",
    " in our {city} office on {street} Street",
    " for {surname} MD's {specialty} panel",
    " across {m} exam rooms in {city}",
    " on {shift} shifts at the {place} site",
    " alongside {n} providers and a {specialty} nurse practitioner",
    " at the {city} and {city2} sites",
    " as directed by {surname} MD and {surname2} PA-C",
    " in a fast-paced {specialty} practice of {m} staff",
    " using the {place} clinic's standing orders",
    " for our {specialty} and {specialty2} patients",
    " during {shift} clinics with provider {surname}",
]
REQUIREMENTS = [
    "CMA, RMA or CCMA required",
    "CCMA required within {n} days of hire",
    "Current BLS certification required",
    "CPR certification within {m} days of start",
    "CMA or RMA preferred",
    "{n} year of medical assistant experience required",
    "{n}-{m} years of clinical experience preferred",
    "At least {n} years of {specialty} experience required",
    "New grads welcome",
    "Limited x-ray permit required",
    "COA required; COT preferred",
    "Bilingual English/Spanish a plus",
    "NextGen or eClinicalWorks experience a plus",
    "Graduate of an accredited medical assistant program",
    "Experience with {ehr} preferred",
    "{n}+ years in a {specialty} clinic preferred",
]
EHRS = ["Epic", "Cerner", "athenahealth", "eClinicalWorks", "NextGen", "Allscripts", "Greenway", "ModMed"]
PAY = [
    "Pay: ${lo}.{c} - ${hi}.{c2} per hour",
    "Compensation: ${lo}.{c}-${hi}.{c2}/hr plus a ${bonus} sign-on bonus",
    "Starting at ${lo}.{c}/hour. Bilingual differential ${diff}/hr.",
    "Salary: ${lo},{c}0 - ${hi},{c2}0 per year",
    "Competitive pay based on experience.",
    "The hourly range for this role is ${lo}.{c} to ${hi}.{c2}, depending on experience.",
]
# Each employer's own boilerplate: repeated on every one of its postings, as on a real job board.
INTROS = [
    "{company} is growing and we are hiring to join our busy {city} clinic.",
    "Join {company}! We have served {city} for over {years} years.",
    "Our team at {company} has epic views of the river and an even better culture.",
    "At {company}, {n} providers care for {size} patients a year across {sites} locations.",
    "{company} is a physician-owned {specialty} practice in {city}.",
]
BENEFITS = [
    "We offer medical, dental and vision insurance, a 401(k) with a {match}% match, paid time off and "
    "tuition reimbursement.",
    "Benefits start on day one: health insurance, {pto} days of PTO and {holidays} paid holidays.",
    "Our clinic is located on {place} Parkway with free parking and easy access to public transit.",
    "Schedule: Monday through Friday, {start}:00 a.m. to {end}:00 p.m., no weekends or holidays.",
    "We pay for your CMA exam and offer a clear path to Lead MA.",
    "Employees enjoy an annual CME allowance of ${cme} and a wellness stipend.",
]
EEO = [
    "{company} is an equal opportunity employer. All qualified applicants will receive consideration for "
    "employment without regard to race, color, religion, sex, national origin, disability or veteran status.",
    "{company} participates in E-Verify and is a drug-free workplace.",
    "We are committed to a diverse workforce; reasonable accommodations are available on request.",
]
EMPLOYERS = 400


def _employers(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(EMPLOYERS):
        company = f"{rng.choice(PLACES)} {rng.choice(KINDS)}"
        fill = {
            "company": company,
            "city": rng.choice(CITIES),
            "years": rng.randint(5, 60),
            "n": rng.randint(3, 40),
            "size": f"{rng.randint(5, 90)},000",
            "sites": rng.randint(2, 12),
            "specialty": rng.choice(SPECIALTIES),
            "match": rng.choice([3, 4, 5, 6]),
            "pto": rng.randint(10, 25),
            "holidays": rng.randint(6, 11),
            "place": rng.choice(PLACES),
            "start": rng.choice([7, 8, 9]),
            "end": rng.choice([4, 5, 6]),
            "cme": rng.choice([250, 500, 750, 1000]),
        }
        out.append(
            {
                "company": company,
                "intro": rng.choice(INTROS).format(**fill),
                "benefits": [b.format(**fill) for b in rng.sample(BENEFITS, 3)],
                "eeo": rng.choice(EEO).format(**fill),
            }
        )
    return out


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.randint(1, 5),
        m=rng.randint(6, 90),
        city=rng.choice(CITIES),
        city2=rng.choice(CITIES),
        street=rng.choice(SURNAMES),
        surname=rng.choice(SURNAMES),
        surname2=rng.choice(SURNAMES),
        specialty=rng.choice(SPECIALTIES),
        specialty2=rng.choice(SPECIALTIES),
        shift=rng.choice(SHIFTS),
        place=rng.choice(PLACES),
        ehr=rng.choice(EHRS),
    )


def _own(line: str, rng: random.Random, p: float) -> str:
    """``line`` with, most of the time, a clause or two of this posting's own."""
    if rng.random() < p:
        line += _fill(rng.choice(TAILS), rng)
        if rng.random() < 0.85:
            line += _fill(rng.choice(TAILS), rng)
    return line


def generate(n: int, seed: int = 20261128, first_id: int = 0) -> list[dict]:
    """``n`` postings: most of their lines their own, some the employer's repeated boilerplate."""
    rng = random.Random(seed)
    employers = _employers(random.Random(20261128))  # the same employers in every chunk
    postings = []
    for i in range(first_id, first_id + n):
        emp = rng.choice(employers)
        title = rng.choice(TITLES) + _fill(rng.choice(TITLE_TAILS), rng)
        lo = rng.randint(16, 24)
        pay = rng.choice(PAY)
        yearly = "year" in pay
        pay = pay.format(
            lo=lo * 2 + 10 if yearly else lo,
            hi=lo * 2 + 18 if yearly else lo + rng.randint(2, 6),
            c=f"{rng.randint(0, 99):02d}",
            c2=f"{rng.randint(0, 99):02d}",
            bonus=f"{rng.randint(1, 5)},{rng.choice(['000', '500'])}",
            diff=f"{rng.choice([0.5, 1, 1.5, 2]):.2f}",
        )
        opener = _own(
            _fill(
                rng.choice(
                    [
                        "We are looking for a {specialty} medical assistant for our {city} location",
                        "The {surname} MD team is adding a full-time MA to the {city} clinic",
                        "This position supports {n} providers in {specialty} on {shift} shifts",
                        "The {place} office in {city} needs an MA who loves {specialty}",
                    ]
                ),
                rng,
            ),
            rng,
            1.0,
        )
        opener += "."
        parts = [emp["intro"], opener, "", "Responsibilities"]
        parts += [f"- {_own(duty, rng, 0.95)}" for duty in rng.sample(DUTIES, rng.randint(4, 8))]
        parts += ["", "Requirements"]
        parts += [f"- {_own(_fill(r, rng), rng, 0.9)}" for r in rng.sample(REQUIREMENTS, rng.randint(3, 5))]
        parts += ["", pay, "", "Benefits", *emp["benefits"], "", emp["eeo"]]
        postings.append(
            new_posting(
                "greenhouse", f"b{i}", title, company=emp["company"], description_text="\n".join(parts)
            )
        )
    return postings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="postings to generate (default 100,000)")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="analyse every sentence afresh (no cross-posting sentence cache)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="tagging processes (default 1, the goal's one core); peak memory is then main + workers",
    )
    args = parser.parse_args()
    model = load_model()  # trained first when missing: not part of the timing
    cache = sentence_cache(default_matcher())
    if args.no_cache:
        cache.size = 0
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
        cache.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        summary = tag_database(db, progress=True, model=model, workers=args.workers)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    if args.workers > 1:
        # This process plus every worker at the largest any of them reached (an upper bound).
        peak += args.workers * worker_peak
    rate = summary["tagged"] / elapsed if elapsed else 0.0
    cpu_rate = summary["tagged"] / cpu if cpu else 0.0
    if args.workers > 1:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_rate = summary["tagged"] / (cpu + children.ru_utime + children.ru_stime)
    print(
        f"tagged {summary['tagged']:,} postings ({summary['tags']:,} tags) in {elapsed:.1f} s ({cpu:.1f} CPU)"
    )
    looked_up = cache.hits + cache.misses
    if args.no_cache:
        print("sentence cache: off")
    elif args.workers > 1:
        print(f"sentence cache: one in each of {args.workers} workers (not counted here)")
    else:
        print(
            f"sentence cache: {cache.hits:,} of {looked_up:,} sentences seen before "
            f"(hit rate {cache.hits / looked_up if looked_up else 0:.1%}), {len(cache.infos):,} kept"
        )
    # CPU-time throughput is what one core gives when nothing else competes for it (wall time is
    # the real figure on an idle machine; on a shared one the two differ).
    print(f"CPU-time throughput: {cpu_rate:,.0f} postings/s   ratio to goal {cpu_rate / GOAL_PER_SECOND:.2f}")
    print(
        f"throughput: {rate:,.0f} postings/s   goal {GOAL_PER_SECOND:,}/s   "
        f"ratio {rate / GOAL_PER_SECOND:.2f}"
    )
    if args.workers > 1:
        print(
            f"peak RSS of this process {main_peak / 2**20:,.0f} MiB, "
            f"of the largest worker {worker_peak / 2**20:,.0f} MiB"
        )
    print(
        f"peak memory (RSS): {peak / 2**20:,.0f} MiB   goal < 1,024 MiB   ratio {peak / GOAL_PEAK_BYTES:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

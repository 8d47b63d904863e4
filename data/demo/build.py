"""Build the demo world: invented employers and their postings' lives, written to this folder.

    python data/demo/build.py            # rewrites employers.json and postings.jsonl

Deterministic (fixed seed, no clock, no hash-order dependence): running it twice gives the same
bytes. ``majobs demo`` only reads the files it writes. Everything here is invented: employers,
people, ids, addresses and text. The demo world is *not* matcher training data.

A posting's life: it opens on ``opened`` (its date as published), closes on ``closes`` (or stays
open), may be edited (a later entry in ``versions``), may vanish for a week and come back under
the same id (``hidden``), or be reposted under a new id (``repost_of``). Some jobs of Harbor
Valley Health are published both on its Workday tenant and on its own career site (same text,
``job_key`` shared), so cross-source dedup has work.

Each posting also carries ``facts``: what the generator put into the text (certifications and
their level, EHRs, specialty, stage, years, pay). They are for checking the demo's report by eye
and for tests; the crawl never reads them.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

SEED = 20261005
HERE = Path(__file__).resolve().parent
WORLD_START = date(2026, 8, 17)  # earliest opening date
WORLD_END = date(2026, 11, 23)  # the last crawl (Monday of ISO week 2026-W48)

# --- employers --------------------------------------------------------------------------------
# locations: (city, state, postal_code, site name)
EMPLOYERS: list[dict] = [
    {
        "key": "baysidederm", "name": "Bayside Dermatology Partners", "platform": "greenhouse",
        "board": "baysidederm", "company_name_in_jobs": True, "style": "startup", "size": 30,
        "specialties": ["Dermatology"], "ehr": ["ModMed", "ModMed", "Nextech", None],
        "site": "https://www.baysidedermpartners.example/careers",
        "locations": [("Red Bank", "NJ", "07701", "Red Bank"), ("Toms River", "NJ", "08753", "Toms River"),
                      ("Staten Island", "NY", "10314", "Staten Island"), ("Doylestown", "PA", "18901", "Doylestown")],
        "intro": "Bayside Dermatology Partners is a physician-led group of medical, surgical and cosmetic "
                 "dermatology practices along the Jersey Shore and beyond.",
    },
    {
        "key": "northstar", "name": "Northstar Primary Care", "platform": "greenhouse",
        "board": "northstarprimary", "company_name_in_jobs": False, "style": "practice", "size": 36,
        "specialties": ["Family Medicine", "Internal Medicine", "Primary Care", "Pediatrics"],
        "ehr": ["athenahealth", "athenahealth", "Elation", None, None],
        "site": "https://northstarprimarycare.example/join-us",
        "locations": [("Marietta", "GA", "30060", "Marietta"), ("Decatur", "Georgia", "30030", "Decatur"),
                      ("Durham", "NC", "27701", "Durham"), ("Cary", "NC", "27511", "Cary")],
        "intro": "Northstar Primary Care runs neighborhood primary care offices where a patient sees the "
                 "same team visit after visit.",
    },
    {
        "key": "clearview", "name": "Clearview Eye Specialists", "platform": "greenhouse",
        "board": "clearvieweye", "company_name_in_jobs": True, "style": "terse", "size": 26,
        "specialties": ["Ophthalmology"], "ehr": ["Nextech", "Compulink", "Epic", None],
        "site": "https://www.clearvieweyespecialists.example/careers",
        "locations": [("Plano", "TX", "75093", "Plano"), ("Fort Worth", "TX", "76104", "Fort Worth"),
                      ("Tulsa", "OK", "74133", "Tulsa South")],
        "intro": "Clearview Eye Specialists offers cataract, retina, glaucoma and comprehensive eye care "
                 "in North Texas and Oklahoma.",
    },
    {
        "key": "sunrise-peds", "name": "Sunrise Pediatrics", "platform": "lever", "site_slug": "sunrise-peds",
        "style": "startup", "size": 25, "specialties": ["Pediatrics"],
        "ehr": ["eClinicalWorks", "eClinicalWorks", "athenahealth", None],
        "locations": [("Mesa", "AZ", "85204", "Mesa"), ("Chandler", "AZ", "85224", "Chandler"),
                      ("Henderson", "NV", "89052", "Henderson")],
        "intro": "Sunrise Pediatrics cares for kids from their first checkup through college physicals.",
    },
    {
        "key": "kindredwomens", "name": "Kindred Women's Health", "platform": "lever",
        "site_slug": "kindredwomens", "style": "startup", "size": 26, "specialties": ["OB/GYN"],
        "ehr": ["Epic", "NextGen", "NextGen", None],
        "locations": [("Sacramento", "CA", "95816", "Midtown"), ("Roseville", "CA", "95661", "Roseville"),
                      ("Portland", "OR", "97210", "Northwest")],
        "intro": "Kindred Women's Health is an OB/GYN and midwifery practice that puts women's time first.",
    },
    {
        "key": "greatlakes", "name": "Great Lakes Health System", "platform": "workday",
        "tenant": "greatlakeshealth", "wd": "wd5", "wd_site": "GLHCareers", "loc_style": "city_st",
        "req_format": "R-{n:07d}", "style": "system", "size": 72,
        "specialties": ["Family Medicine", "Internal Medicine", "Cardiology", "Orthopedics", "Gastroenterology",
                        "Urgent Care", "Oncology", "Pediatrics", "Neurology", "Endocrinology"],
        "ehr": ["Epic", "Epic", "Epic", None],
        "locations": [("Grand Rapids", "MI", "49503", "Lakeshore Medical Pavilion"),
                      ("Ann Arbor", "MI", "48104", "Huron Valley Clinic"),
                      ("Toledo", "OH", "43604", "Maumee Bay Health Center"),
                      ("Fort Wayne", "IN", "46802", "Three Rivers Specialty Center"),
                      ("Kalamazoo", "MI", "49007", "Kalamazoo Family Care")],
        "intro": "Great Lakes Health System is a not-for-profit health system with 9 hospitals and more than "
                 "120 clinics across Michigan, Ohio and Indiana.",
    },
    {
        "key": "harborvalley", "name": "Harbor Valley Health", "platform": "workday",
        "tenant": "harborvalley", "wd": "wd1", "wd_site": "External", "loc_style": "st_city_site",
        "req_format": "JR-{n:06d}", "style": "system", "size": 46,
        "specialties": ["Primary Care", "Family Medicine", "Cardiology", "Dermatology", "Urology", "ENT",
                        "Pulmonology", "Rheumatology"],
        "ehr": ["Epic", "Epic", None],
        "jsonld_site": "https://careers.harborvalleyhealth.example",
        "locations": [("Worcester", "MA", "01605", "Harbor Valley Medical Center"),
                      ("Lowell", "MA", "01852", "Merrimack Health Pavilion"),
                      ("Nashua", "NH", "03060", "Nashua Specialty Care"),
                      ("Portland", "ME", "04101", "Casco Bay Physicians"),
                      ("Framingham", "MA", "01702", "MetroWest Ambulatory Center")],
        "intro": "Harbor Valley Health brings together academic medicine and community care across "
                 "Massachusetts, New Hampshire and Maine.",
    },
    {
        "key": "summitridge", "name": "Summit Ridge Medical Group", "platform": "workday",
        "tenant": "summitridge", "wd": "wd12", "wd_site": "SRMG_Careers", "loc_style": "us_state_city",
        "req_format": "REQ-{n:05d}", "style": "terse", "size": 40,
        "specialties": ["Family Medicine", "Orthopedics", "Allergy/Immunology", "Urgent Care",
                        "Occupational Medicine", "Podiatry"],
        "ehr": ["Oracle Health", "Oracle Health", "Epic", "Veradigm", None],
        "locations": [("Aurora", "CO", "80012", "Aurora Clinic"), ("Lakewood", "CO", "80228", "Green Mountain"),
                      ("Colorado Springs", "CO", "80907", "Garden Clinic"),
                      ("Salt Lake City", "UT", "84106", "Sugar House"), ("Ogden", "UT", "84403", "Ogden Valley")],
        "intro": "Summit Ridge Medical Group is a multispecialty physician group serving the Front Range "
                 "and the Wasatch Front.",
    },
    {
        "key": "lonestar", "name": "Lone Star Community Health", "platform": "jsonld",
        "jsonld_site": "https://careers.lonestarchc.example", "style": "practice", "size": 36,
        "specialties": ["Primary Care", "Pediatrics", "OB/GYN", "Behavioral Health", "Family Medicine"],
        "ehr": ["eClinicalWorks", "eClinicalWorks", "NextGen", "Greenway", None],
        "locations": [("San Antonio", "TX", "78207", "Westside Health Center"),
                      ("Laredo", "TX", "78040", "Laredo Family Clinic"),
                      ("El Paso", "TX", "79901", "Segundo Barrio Clinic"),
                      ("Las Cruces", "NM", "88001", "Mesilla Valley Clinic")],
        "intro": "Lone Star Community Health is a federally qualified health center caring for everyone who "
                 "walks in, insured or not, in English and Spanish.",
    },
    {
        "key": "usajobs", "name": "USAJOBS", "platform": "usajobs", "style": "federal", "size": 32,
        "agencies": [
            ("Veterans Health Administration", "Department of Veterans Affairs", "VA", 0.6),
            ("Indian Health Service", "Department of Health and Human Services", "IHS", 0.25),
            ("Defense Health Agency", "Department of Defense", "DHA", 0.15),
        ],
        "locations": [("Muskogee", "Oklahoma", "74401", "Jack C. Montgomery VA Medical Center"),
                      ("Tucson", "Arizona", "85723", "Southern Arizona VA Health Care System"),
                      ("Salem", "Virginia", "24153", "Salem VA Medical Center"),
                      ("Gallup", "New Mexico", "87301", "Gallup Indian Medical Center"),
                      ("Rapid City", "South Dakota", "57701", "Rapid City Service Unit"),
                      ("Fort Carson", "Colorado", "80913", "Evans Army Community Hospital"),
                      ("San Diego", "California", "92134", "Naval Medical Center San Diego"),
                      ("Bedford", "Massachusetts", "01730", "Edith Nourse Rogers VA")],
    },
]  # fmt: skip

STATE_NAMES = {
    "NJ": "New Jersey", "NY": "New York", "PA": "Pennsylvania", "GA": "Georgia", "NC": "North Carolina",
    "TX": "Texas", "OK": "Oklahoma", "AZ": "Arizona", "NV": "Nevada", "CA": "California", "OR": "Oregon",
    "MI": "Michigan", "OH": "Ohio", "IN": "Indiana", "MA": "Massachusetts", "NH": "New Hampshire",
    "ME": "Maine", "CO": "Colorado", "UT": "Utah", "NM": "New Mexico", "VA": "Virginia", "SD": "South Dakota",
}  # fmt: skip
STATE_CODES = {v: k for k, v in STATE_NAMES.items()}
HIGH_COST = {"CA", "MA", "NY", "NJ", "OR", "CO", "NH"}

# --- roles ------------------------------------------------------------------------------------
ENTRY_TITLES = [
    "Medical Assistant", "Medical Assistant", "Clinical Medical Assistant", "Certified Medical Assistant",
    "Medical Assistant - {spec}", "Medical Assistant, {spec}", "Back Office Medical Assistant",
    "Medical Assistant I", "Float Medical Assistant", "Medical Assistant (Part-Time)", "Medical Assistant - PRN",
    "{spec} Medical Assistant", "Registered Medical Assistant", "Medical Assistant - Per Diem",
    "Certified Clinical Medical Assistant (CCMA)",
]  # fmt: skip
APPRENTICE_TITLES = ["Medical Assistant Apprentice", "Medical Assistant Trainee"]
MID_TITLES = [
    "Lead Medical Assistant", "Senior Medical Assistant", "Medical Assistant II", "Medical Assistant III",
    "MA Team Lead", "Clinical Coordinator", "Lead Medical Assistant - {spec}", "Medical Assistant Educator",
]  # fmt: skip
SENIOR_TITLES = [
    ("Medical Assistant Supervisor", "supervisor"), ("Clinical Operations Manager", "manager"),
    ("Practice Manager", "manager"), ("Clinic Manager - {spec}", "manager"), ("Office Manager", "manager"),
    ("Clinical Supervisor", "supervisor"),
]  # fmt: skip
SPECIALTY_TITLES = {
    "Ophthalmology": [("Ophthalmic Assistant", "entry"), ("Ophthalmic Technician", "mid"),
                      ("Certified Ophthalmic Assistant (COA)", "mid"), ("Ophthalmic Scribe", "entry")],
    "Dermatology": [("Dermatology Medical Assistant", "entry"), ("Mohs Surgery Medical Assistant", "entry"),
                    ("Dermatology Medical Assistant - Cosmetic", "entry")],
    "Podiatry": [("Podiatric Medical Assistant", "entry")],
    "Orthopedics": [("Orthopedic Medical Assistant", "entry"), ("Orthopedic Technician", "mid")],
    "Allergy/Immunology": [("Allergy Medical Assistant", "entry")],
}  # fmt: skip
# Non-MA roles: (title, pay (min, max, unit), passes the crawl's MA title filter?)
NON_MA = [
    ("Registered Nurse - Ambulatory", (38.0, 52.0, "HOUR")),
    ("Licensed Practical Nurse", (25.5, 31.0, "HOUR")),
    ("LPN - {spec}", (26.0, 31.5, "HOUR")),
    ("Phlebotomist", (17.0, 21.0, "HOUR")),
    ("Patient Service Representative", (16.5, 19.5, "HOUR")),
    ("Receptionist", (16.0, 18.5, "HOUR")),
    ("Front Desk Receptionist", (16.0, 18.5, "HOUR")),
    ("Physician Assistant - {spec}", (118000.0, 142000.0, "YEAR")),
    ("Medical Scribe", (16.0, 19.0, "HOUR")),
    ("Patient Care Technician", (18.0, 22.0, "HOUR")),
    ("Certified Nursing Assistant", (17.5, 21.0, "HOUR")),
    ("Medical Billing Specialist", (19.0, 24.0, "HOUR")),
]  # fmt: skip
FEDERAL_ROLES = [
    # (title, series, MA role?, grade, weight)
    ("Medical Support Assistant", "0679", False, "GS-5", 5),
    ("Medical Support Assistant (OA)", "0679", False, "GS-5", 2),
    ("Advanced Medical Support Assistant", "0679", False, "GS-6", 2),
    ("Health Technician (Medical Assistant)", "0640", True, "GS-5", 4),
    ("Health Aid (Medical Assistant)", "0640", True, "GS-4", 2),
    ("Health Technician (Ophthalmology)", "0640", True, "GS-6", 2),
    ("Medical Assistant", "0640", True, "GS-5", 3),
    ("Physician Assistant", "0603", False, "GS-12", 1),
    ("Nursing Assistant", "0621", False, "GS-4", 1),
    ("Practical Nurse", "0620", False, "GS-6", 1),
]  # fmt: skip
GS_PAY = {"GS-4": (35395.0, 46015.0), "GS-5": (39576.0, 51446.0), "GS-6": (44117.0, 57349.0),
          "GS-12": (88520.0, 115079.0)}  # fmt: skip

# --- text pools -------------------------------------------------------------------------------
# Every pool entry is one way of saying a thing; the generator picks, so postings do not read as
# copies. Facts are recorded alongside so the report can be checked against what was written.
DUTIES = {
    "vital signs": ["Take and record vital signs, height, weight and BMI",
                    "Obtain vitals and document them accurately in the chart",
                    "Measure blood pressure, pulse, temperature and pulse oximetry"],
    "patient intake": ["Room patients, review medications and allergies, and document the chief complaint",
                       "Greet and room patients; complete intake questionnaires and health histories",
                       "Prepare patients for their visit: rooming, histories and medication reconciliation"],
    "phlebotomy": ["Perform venipuncture and capillary blood collection",
                   "Draw blood for in-house and reference labs",
                   "Collect blood specimens by venipuncture and fingerstick"],
    "injections": ["Administer vaccines and IM/SQ injections under provider orders",
                   "Give immunizations and TB skin tests; keep the vaccine log current",
                   "Administer injections, including B12 and Depo-Provera, per protocol"],
    "EKG": ["Perform 12-lead EKGs", "Run EKGs and route tracings to the provider"],
    "spirometry": ["Perform spirometry and peak-flow testing"],
    "specimen collection": ["Collect, label and process urine, swab and stool specimens",
                            "Process lab specimens and prepare them for courier pickup"],
    "point-of-care testing": ["Run CLIA-waived point-of-care tests (strep, flu, UA dipstick, glucose, A1c)",
                              "Perform rapid tests and urine pregnancy tests and log quality controls"],
    "medication administration": ["Administer oral, topical and nebulized medications as ordered",
                                  "Instill eye drops and dilate patients per protocol"],
    "wound care": ["Assist with dressing changes and suture and staple removal"],
    "procedure assistance": ["Set up rooms and instruments and assist providers with in-office procedures",
                             "Assist with biopsies, excisions and cryotherapy; maintain the sterile field",
                             "Prepare trays and assist with joint injections"],
    "sterilization": ["Clean, package and sterilize instruments (autoclave) and keep sterilization logs"],
    "scheduling": ["Schedule follow-up appointments, tests and procedures",
                   "Manage the provider's schedule and book procedures"],
    "insurance verification": ["Verify insurance eligibility and benefits before visits"],
    "prior authorization": ["Submit and track prior authorizations for medications, imaging and procedures",
                            "Obtain prior authorizations and pre-certifications with payers"],
    "referral coordination": ["Coordinate referrals to specialists and follow up on outstanding orders",
                              "Process incoming and outgoing referrals"],
    "prescription refills": ["Handle prescription refill requests per clinic protocol",
                             "Route refill requests and pharmacy calls to providers"],
    "telephone triage": ["Answer patient calls and perform telephone triage using approved protocols"],
    "patient education": ["Give patients prep instructions and education materials",
                          "Teach patients and families about medications, devices and after-visit care"],
    "scribing": ["Scribe for providers during visits"],
    "EHR documentation": ["Document accurately and promptly in the electronic health record",
                          "Work the provider's inbox and task queues"],
    "inventory management": ["Stock exam rooms and order clinical supplies",
                             "Manage vaccine inventory and temperature logs"],
    "check-in/check-out": ["Check patients in and out, collect copays and update demographics"],
    "ophthalmic testing": ["Check visual acuity, perform tonometry, lensometry and auto-refraction",
                           "Perform OCT, visual fields and biometry testing"],
    "vision screening": ["Perform vision and hearing screenings for well-child visits"],
    "hearing screening": ["Perform audiograms and tympanometry"],
    "allergy testing": ["Perform skin-prick allergy testing and mix allergy extracts"],
    "casting/splinting": ["Apply splints, braces and walking boots; assist with cast application"],
    "x-ray": ["Take limited x-rays under the state permit"],
    "cardiac monitoring": ["Apply Holter and event monitors and assist with stress tests"],
    "bilingual Spanish": ["Interpret for Spanish-speaking patients when needed"],
}
CORE = ["vital signs", "patient intake", "EHR documentation"]
COMMON = ["phlebotomy", "injections", "EKG", "specimen collection", "point-of-care testing", "scheduling",
          "prescription refills", "patient education", "inventory management", "referral coordination",
          "prior authorization", "telephone triage", "insurance verification", "medication administration"]
SPEC_DUTIES = {
    "Dermatology": ["procedure assistance", "sterilization", "wound care", "scribing"],
    "Ophthalmology": ["ophthalmic testing", "medication administration", "scribing"],
    "Pediatrics": ["vision screening", "injections", "hearing screening"],
    "OB/GYN": ["procedure assistance", "specimen collection", "patient education"],
    "Cardiology": ["EKG", "cardiac monitoring"],
    "Orthopedics": ["casting/splinting", "x-ray", "procedure assistance"],
    "Allergy/Immunology": ["allergy testing", "spirometry"],
    "Pulmonology": ["spirometry"],
    "Gastroenterology": ["prior authorization", "patient education"],
    "Urgent Care": ["x-ray", "point-of-care testing", "wound care"],
    "Occupational Medicine": ["specimen collection", "hearing screening", "spirometry"],
    "Podiatry": ["wound care", "procedure assistance", "casting/splinting"],
    "ENT": ["hearing screening", "procedure assistance"],
    "Urology": ["specimen collection", "procedure assistance"],
}
LEAD_DUTIES = [
    "Precept new medical assistants and externs and sign off their competencies",
    "Build the daily MA assignments and cover gaps in the schedule",
    "Serve as the go-to resource for providers and the MA team on clinic workflows",
    "Audit rooming and documentation for quality measures and close care gaps",
    "Keep the clinic's supply and vaccine inventory within par levels",
]
SENIOR_DUTIES = [
    "Hire, train, schedule and evaluate medical assistants and front-desk staff",
    "Own the clinic's labor budget and supply spend",
    "Lead quality improvement work on HEDIS measures and patient experience",
    "Keep the clinic ready for OSHA, CLIA and Joint Commission surveys",
    "Approve timecards and staff schedules; handle performance conversations",
    "Partner with the medical director on provider templates and access",
    "Track revenue-cycle metrics with the billing team, including denials and AR",
]
SENIOR_SKILLS = ["staff supervision", "staff training", "hiring", "budgeting", "quality improvement",
                 "compliance", "revenue cycle"]

CERT_PATTERNS = [
    # (weight, text, facts) for entry and mid MA roles
    (16, "Current national medical assistant certification (CMA, RMA, CCMA or NCMA) required.",
     {"CMA": "accepted", "RMA": "accepted", "CCMA": "accepted", "NCMA": "accepted"}),
    (10, "CMA (AAMA) or RMA (AMT) certification required.", {"CMA": "accepted", "RMA": "accepted"}),
    (7, "Must hold an active CCMA through the NHA, or obtain it within 90 days of hire.", {"CCMA": "required"}),
    (5, "Certified Medical Assistant (CMA) credential required; the exam fee is reimbursed.", {"CMA": "required"}),
    (6, "Medical assistant certification from a nationally recognized body is required.",
     {"MA_CERT_ANY": "required"}),
    (4, "Certification as a medical assistant is required within 6 months of hire.", {"MA_CERT_ANY": "required"}),
    (14, "CMA or RMA preferred.", {"CMA": "preferred", "RMA": "preferred"}),
    (9, "National certification (CMA, RMA or CCMA) is a plus.",
     {"CMA": "preferred", "RMA": "preferred", "CCMA": "preferred"}),
    (6, "CCMA preferred.", {"CCMA": "preferred"}),
    (5, "Medical assistant certification preferred but not required.", {"MA_CERT_ANY": "preferred"}),
    (18, None, {}),
]  # fmt: skip
BLS_PATTERNS = [
    (24, "Current BLS for Healthcare Providers (American Heart Association) required.", "required"),
    (16, "CPR/BLS certification required; we offer the class during orientation.", "required"),
    (12, "BLS certification required within 30 days of hire.", "required"),
    (10, "Basic Life Support (BLS) card required at time of hire.", "required"),
    (9, "BLS preferred.", "preferred"),
    (16, None, None),
]  # fmt: skip
EDUCATION = [
    "High school diploma or GED.",
    "Graduate of an accredited medical assistant program.",
    "Completion of a medical assistant diploma or certificate program, or equivalent military training.",
    "High school diploma or equivalent; completion of an MA program preferred.",
]
NON_MA_EDUCATION = {
    "Registered": ["Active RN license in the state of practice.", "Graduate of an accredited nursing program; RN license."],
    "Licensed": ["Current LPN/LVN license.", "Graduate of a practical nursing program with an active LPN license."],
    "LPN": ["Current LPN license."],
    "Physician": ["Graduate of an ARC-PA accredited program; NCCPA certification and state license (PA-C)."],
    "Phlebotomist": ["Phlebotomy certification (CPT, PBT or equivalent) preferred.",
                     "Completion of a phlebotomy training program."],
    "Certified": ["Active CNA certification on the state registry."],
    "Medical": ["High school diploma or GED; coding or billing coursework preferred.",
                "High school diploma or GED."],
}  # fmt: skip
YEARS_ENTRY = [
    (30, None, None), (16, "New graduates welcome.", 0), (8, "No experience required; we will train you.", 0),
    (20, "One year of medical assistant experience preferred.", 1),
    (10, "6 months to 2 years of clinical experience preferred.", 0.5),
    (10, "At least 1 year of experience in a clinical setting required.", 1),
    (6, "Two years of MA experience preferred.", 2),
]  # fmt: skip
YEARS_MID = [
    (30, "Minimum of three years of medical assistant experience.", 3),
    (25, "3-5 years of experience as an MA, including time as a preceptor.", 3),
    (20, "2+ years of medical assistant experience required.", 2),
    (15, "At least four years of clinical experience, one of them in a lead role preferred.", 4),
    (10, None, None),
]  # fmt: skip
YEARS_SENIOR = [
    (35, "5+ years of clinical experience, including 2 years in a supervisory role.", 5),
    (30, "Minimum of three years of healthcare management experience.", 3),
    (20, "Seven years of progressive experience in ambulatory operations.", 7),
    (15, "4-6 years of experience leading clinical teams.", 4),
]  # fmt: skip
SENIOR_EXTRA = [
    ("Bachelor's degree in healthcare administration or a related field preferred.", None),
    ("CMPE (ACMPE) or CMM credential preferred.", {"CMPE": "preferred", "CMM": "preferred"}),
    ("Lean or Six Sigma training a plus.", None),
    ("Background as a medical assistant, LPN or RN strongly preferred.", None),
]
EHR_PHRASES = [
    "{ehr} experience preferred.",
    "Experience with {ehr} a plus.",
    "Comfortable documenting in {ehr}.",
    "We train every new hire on {ehr}.",
    "Working knowledge of {ehr} required.",
    "Familiarity with an EHR (we use {ehr}) is helpful.",
]
GENERIC_EHR = ["Experience with an electronic health record preferred.", "Comfortable learning our EHR.",
               "Basic computer skills and EHR experience.", None, None]  # fmt: skip
SOFT = [
    "Warm, professional communication with patients of all ages",
    "Able to keep pace on a busy clinic day without cutting corners",
    "A team player who speaks up when something looks off",
    "Reliable attendance and a positive attitude",
    "Strong attention to detail and follow-through",
    "Able to stand and walk for most of the shift and lift up to 25 pounds",
]
BILINGUAL = [("Bilingual in English and Spanish required.", "required"),
             ("Bilingual (English/Spanish) strongly preferred; $1.00/hour language differential.", "preferred"),
             ("Spanish speakers encouraged to apply.", "preferred")]  # fmt: skip
BENEFITS = [
    "Medical, dental and vision coverage from day one",
    "403(b) retirement plan with employer match",
    "Paid time off and paid holidays",
    "Tuition assistance and paid certification exams",
    "Scrub allowance and free parking",
    "No nights; weekends only once a month",
    "Employee assistance program",
]
SIGN_ON = [
    "A $1,500 sign-on bonus is available for eligible external candidates.",
    "Sign-on bonus: $2,000, paid in two installments.",
    "New hires are eligible for a $1,000 sign-on bonus.",
]
EEO = ("{name} is an equal opportunity employer. All qualified applicants will receive consideration for "
       "employment without regard to race, color, religion, sex, sexual orientation, gender identity, national "
       "origin, disability or protected veteran status.")  # fmt: skip
SCHEDULES = ["Monday-Friday, 8:00 am - 4:30 pm", "Four 10-hour shifts, rotating Saturdays",
             "Monday-Friday, 7:30 am - 5:00 pm, no weekends", "Three 12-hour shifts per week",
             "Varies by clinic; some evenings until 7 pm", "Monday-Thursday 8-5, Friday 8-12"]  # fmt: skip


def weighted(rng: random.Random, items: list[tuple]) -> tuple:
    """One item by its weight (the first element)."""
    total = sum(item[0] for item in items)
    pick = rng.uniform(0, total)
    upto = 0.0
    for item in items:
        upto += item[0]
        if pick <= upto:
            return item
    return items[-1]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


# --- one posting --------------------------------------------------------------------------------
class Builder:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.postings: list[dict] = []
        self.counters: dict[str, int] = {}

    def next_id(self, name: str, start: int) -> int:
        self.counters[name] = self.counters.get(name, start) + self.rng.randint(1, 97)
        return self.counters[name]

    # --- timeline --------------------------------------------------------------------------
    def life(self) -> tuple[date, date | None]:
        rng = self.rng
        opened = WORLD_START + timedelta(days=rng.randint(0, (WORLD_END - WORLD_START).days - 1))
        days = int(rng.choice([10, 14, 18, 21, 25, 30, 35, 42, 49, 56, 70, 90]) * rng.uniform(0.8, 1.2))
        closes = opened + timedelta(days=max(days, 6))
        return opened, closes if closes <= WORLD_END + timedelta(days=60) else None

    # --- roles ------------------------------------------------------------------------------
    def role(self, emp: dict) -> dict:
        rng = self.rng
        spec = rng.choice(emp["specialties"])
        r = rng.random()
        if r < 0.09:  # not an MA role
            title, pay = rng.choice(NON_MA)
            return {"kind": "non_ma", "stage": None, "title": title.format(spec=spec), "spec": spec,
                    "pay_band": pay}
        if spec in SPECIALTY_TITLES and r < 0.45:
            title, stage = rng.choice(SPECIALTY_TITLES[spec])
        elif r < 0.63:
            title, stage = rng.choice(ENTRY_TITLES), "entry"
        elif r < 0.66:
            title, stage = rng.choice(APPRENTICE_TITLES), "entry"
        elif r < 0.82:
            title, stage = rng.choice(MID_TITLES), "mid"
        else:
            title, stage = rng.choice(SENIOR_TITLES)[0], "senior"
        return {"kind": "ma", "stage": stage, "title": title.format(spec=spec), "spec": spec}

    def employment(self, title: str) -> str:
        low = title.lower()
        if "part-time" in low:
            return "PART_TIME"
        if "prn" in low or "per diem" in low:
            return "PER_DIEM"
        return self.rng.choice(["FULL_TIME"] * 8 + ["PART_TIME", "PER_DIEM"])

    # --- pay ----------------------------------------------------------------------------------
    def pay(self, role: dict, state: str, cert_level: str | None) -> dict:
        rng = self.rng
        if role["kind"] == "non_ma":
            lo, hi, unit = role["pay_band"]
            f = rng.uniform(0.95, 1.08)
            return {"min": round(lo * f, 2 if unit == "HOUR" else -2), "max": round(hi * f, 2 if unit == "HOUR" else -2),
                    "unit": unit}  # fmt: skip
        cost = 2.4 if state in HIGH_COST else rng.uniform(-0.6, 0.3)
        spec_bonus = 0.0 if role["spec"] in ("Primary Care", "Family Medicine", "Internal Medicine", "Pediatrics") else 1.3
        cert_bonus = {"required": 1.7, "accepted": 1.7, "preferred": 0.5}.get(cert_level or "", 0.0)
        if role["stage"] == "senior":
            manager = "manager" in role["title"].lower()
            base = (66000 if manager else 56000) + cost * 2500 + spec_bonus * 1800 + rng.uniform(-3000, 3000)
            return {"min": round(base, -2), "max": round(base * rng.uniform(1.25, 1.4), -2), "unit": "YEAR"}
        base = {"entry": 18.6, "mid": 22.4}[role["stage"]] + cost + spec_bonus + cert_bonus + rng.uniform(-0.9, 0.9)
        if "apprentice" in role["title"].lower() or "trainee" in role["title"].lower():
            base -= 2.0
        return {"min": round(base, 2), "max": round(base * rng.uniform(1.18, 1.34), 2), "unit": "HOUR"}

    def pay_line(self, pay: dict, style: str) -> str:
        lo, hi = pay["min"], pay["max"]
        if pay["unit"] == "HOUR":
            forms = [f"Pay range: ${lo:.2f} - ${hi:.2f} per hour", f"Compensation: ${lo:.2f}/hr – ${hi:.2f}/hr",
                     f"The hourly range for this role is ${lo:.2f} to ${hi:.2f}, based on experience.",
                     f"Starting pay ${lo:.2f} - ${hi:.2f} hourly, depending on certification and experience"]  # fmt: skip
        else:
            forms = [f"Salary range: ${lo:,.0f} - ${hi:,.0f} annually", f"Pay: ${lo:,.0f} to ${hi:,.0f} per year",
                     f"The annual salary range for this position is ${lo:,.2f} - ${hi:,.2f}."]  # fmt: skip
        if style == "federal":
            return ""
        return self.rng.choice(forms)

    # --- text -----------------------------------------------------------------------------------
    def compose(self, emp: dict, role: dict, place: tuple, employment: str) -> dict:
        """The posting's content as data: intro paragraphs, titled sections, closing, and facts."""
        rng = self.rng
        style = emp["style"] if rng.random() < 0.75 else rng.choice(["system", "startup", "practice", "terse"])
        if emp["platform"] == "usajobs":
            style = "federal"
        city, state, _zip, site = place
        st = STATE_CODES.get(state, state)
        facts: dict = {"certifications": {}, "ehr": [], "skills": [], "specialty": role["spec"],
                       "stage": role["stage"], "is_ma": role["kind"] == "ma", "years": None}
        duties, reqs, prefs = [], [], []

        # duties
        if role["kind"] == "ma":
            names = list(CORE)
            names += rng.sample(COMMON, rng.randint(3, 6))
            names += [d for d in SPEC_DUTIES.get(role["spec"], []) if rng.random() < 0.7]
            if role["stage"] == "senior":  # managers oversee the clinical work more than they do it
                names = ["EHR documentation"] if rng.random() < 0.5 else []
            seen: list[str] = []
            for n in names:
                if n not in seen:
                    seen.append(n)
            facts["skills"] = seen
            duties = [rng.choice(DUTIES[n]) for n in seen]
            if role["stage"] == "mid":
                duties = rng.sample(LEAD_DUTIES, 2) + duties
                facts["skills"] += ["staff training"]
            if role["stage"] == "senior":
                picked = rng.sample(range(len(SENIOR_DUTIES)), 4)
                duties = [SENIOR_DUTIES[i] for i in sorted(picked)] + duties
                facts["skills"] += [SENIOR_SKILLS[i] for i in sorted(picked)]
                if rng.random() < 0.4:
                    duties.append("Step in to room patients and cover MA shifts when the clinic is short")
                    facts["skills"] += ["patient intake"]
        else:
            duties = self.non_ma_duties(role)

        # certifications
        cert_level = None
        if role["kind"] == "ma" and role["stage"] != "senior":
            _, text, certs = weighted(rng, CERT_PATTERNS)
            if "Ophthalm" in role["title"] and rng.random() < 0.6:
                text, certs = (("COA required, or COA eligible and certified within 12 months.", {"COA": "required"})
                               if role["stage"] == "mid" else ("COA preferred.", {"COA": "preferred"}))  # fmt: skip
            if text:
                (reqs if "preferred" not in text and "plus" not in text else prefs).append(text)
                facts["certifications"].update(certs)
                cert_level = sorted(set(certs.values()))[0] if certs else None
        if role["kind"] == "ma" and role["stage"] == "senior":
            extra = rng.sample(SENIOR_EXTRA, 2)
            for text, certs in extra:
                prefs.append(text)
                if certs:
                    facts["certifications"].update(certs)
        _, bls, bls_level = weighted(rng, BLS_PATTERNS)
        if bls and (role["kind"] == "ma" or rng.random() < 0.6):
            (reqs if bls_level == "required" else prefs).append(bls)
            facts["certifications"]["BLS"] = bls_level
        if role["spec"] in ("Orthopedics", "Urgent Care") and role["kind"] == "ma" and rng.random() < 0.3:
            prefs.append("Limited-scope x-ray permit (or willingness to obtain one) preferred.")
            facts["certifications"]["LIMITED_XRAY"] = "preferred"
        if role["kind"] == "ma" and rng.random() < 0.08:
            prefs.append("Phlebotomy certification (CPT or PBT) a plus.")
            facts["certifications"]["PHLEBOTOMY"] = "preferred"

        # EHR
        ehr = rng.choice(emp.get("ehr") or [None])
        if emp["platform"] == "usajobs":
            ehr = "VistA" if emp_agency(role) == "VA" else "RPMS" if emp_agency(role) == "IHS" else None
        if ehr:
            phrase = rng.choice(EHR_PHRASES).format(ehr={"Oracle Health": rng.choice(["Cerner", "Oracle Health (Cerner)"]),
                                                         "VistA": "VistA/CPRS"}.get(ehr, ehr))  # fmt: skip
            (reqs if "required" in phrase else prefs).append(phrase)
            facts["ehr"] = [ehr]
        else:
            generic = rng.choice(GENERIC_EHR)
            if generic:
                prefs.append(generic)

        # years, education
        pool = YEARS_ENTRY if role["stage"] in ("entry", None) else YEARS_MID if role["stage"] == "mid" else YEARS_SENIOR
        _, years_text, years = weighted(rng, pool)
        if years_text:
            (reqs if "preferred" not in years_text else prefs).append(years_text)
            facts["years"] = years
        if role["kind"] == "non_ma":
            reqs.insert(0, rng.choice(NON_MA_EDUCATION.get(role["title"].split(" ")[0], ["High school diploma or GED."])))
        elif role["stage"] != "senior":
            reqs.insert(0, rng.choice(EDUCATION))

        # bilingual: common in the Texas/New Mexico FQHC, occasional elsewhere
        if rng.random() < (0.55 if emp["key"] == "lonestar" else 0.07):
            text, level = rng.choice(BILINGUAL)
            (reqs if level == "required" else prefs).append(text)
            facts["skills"] = [*facts["skills"], "bilingual Spanish"]
        soft = rng.sample(SOFT, rng.randint(2, 3))

        # pay
        # Federal pay is structured (the grade), set by the caller; career sites often show none.
        no_pay = emp["platform"] == "usajobs" or (emp["platform"] == "jsonld" and rng.random() < 0.35)
        pay = None if no_pay else self.pay(role, st, cert_level)
        facts["pay"] = pay
        sign_on = rng.choice(SIGN_ON) if (pay and role["kind"] == "ma" and rng.random() < 0.18) else None

        spec_phrase = {"Primary Care": "primary care", "Urgent Care": "urgent care",
                       "Behavioral Health": "integrated behavioral health"}.get(role["spec"], role["spec"])  # fmt: skip
        intro = self.intro(emp, role, style, city, spec_phrase, site)
        schedule = rng.choice(SCHEDULES)
        return {
            "style": style,
            "intro": intro,
            "duties": duties,
            "requirements": reqs,
            "preferred": prefs,
            "soft": soft,
            "benefits": rng.sample(BENEFITS, rng.randint(3, 5)),
            "schedule": schedule,
            "pay": pay,
            "pay_line": self.pay_line(pay, style) if pay else None,
            "sign_on": sign_on,
            "facts": facts,
        }

    def intro(self, emp: dict, role: dict, style: str, city: str, spec: str, site: str) -> list[str]:
        rng = self.rng
        name = emp["name"]
        t = role["title"]
        if style == "federal":
            return [rng.choice([
                f"This position is located at the {site}. The incumbent serves as a {t} providing support to "
                f"the interdisciplinary care team.",
                f"The {t} works in an outpatient {spec} setting at the {site} under the supervision of the "
                f"nurse manager.",
                f"Come serve those who served. The {site} is hiring a {t} for its {spec} clinics.",
            ])]  # fmt: skip
        openers = {
            "system": [f"{emp.get('intro', '')} We are hiring a {t} for our {spec} team at {site} in {city}.",
                       f"Join {name} as a {t} at {site}. You will support physicians and advanced practice "
                       f"providers in a busy {spec} clinic."],
            "startup": [f"We're looking for a {t} to join our {spec} team in {city}. {emp.get('intro', '')}",
                        f"Love patient care and a team that has your back? {name} is hiring a {t} in {city}.",
                        f"{emp.get('intro', '')} Our {city} office needs a {t} who makes every visit feel easy."],
            "practice": [f"{name} is seeking a friendly, dependable {t} for our {city} office.",
                         f"Our {city} clinic is growing and we need a {t}. {emp.get('intro', '')}",
                         f"Are you a {t} who likes knowing your patients by name? Come work with us in {city}."],
            "terse": [f"{t} - {city}. {spec.capitalize() if spec.islower() else spec} clinic. {emp.get('intro', '')}",
                      f"Position: {t}\nLocation: {site}, {city}"],
        }  # fmt: skip
        return [rng.choice(openers[style]).strip()]

    def non_ma_duties(self, role: dict) -> list[str]:
        pool = self._non_ma_pool(role)
        return self.rng.sample(pool, max(3, len(pool) - 2)) if len(pool) > 3 else pool

    def _non_ma_pool(self, role: dict) -> list[str]:
        t = role["title"].lower()
        if "support assistant" in t:  # VA/DoD series 0679: front-office, not MA work
            return ["Schedule, cancel and reschedule appointments in VistA", "Check patients in and out",
                    "Answer the clinic's phones and route messages to the care team",
                    "Verify eligibility and update patient demographics and insurance",
                    "Manage consults and recall lists", "Scan and index documents into the record",
                    "Maintain the provider's clinic grid and no-show follow-up",
                    "Request records from community care providers"]  # fmt: skip
        if "nurse" in t or "lpn" in t:
            return ["Assess patients and carry out the plan of care", "Administer medications and treatments",
                    "Triage patient calls and coordinate care with providers", "Supervise clinical support staff"]
        if "physician assistant" in t:
            return ["Evaluate, diagnose and treat patients under the supervising physician",
                    "Order and interpret diagnostic tests", "Prescribe medications within state scope"]
        if "phlebotom" in t:
            return ["Collect blood specimens by venipuncture and capillary puncture",
                    "Label and process specimens for the reference lab", "Keep the draw station stocked"]
        if "billing" in t:
            return ["Submit and follow up on claims", "Work denials and patient statements", "Post payments"]
        if "scribe" in t:
            return ["Document the visit in real time for the provider", "Queue orders and referrals for signature"]
        if "nursing assistant" in t or "care technician" in t:
            return ["Help patients with daily care and mobility", "Take vital signs and report changes",
                    "Perform EKGs and blood draws as trained"]
        return ["Greet patients and check them in", "Answer phones and schedule appointments",
                "Verify insurance and collect copays", "Scan documents into the chart"]

    # --- edits -----------------------------------------------------------------------------
    def edited(self, version: dict) -> dict:
        """A mid-life edit: a raise, a new sign-on bonus, or reworded requirements."""
        rng = self.rng
        new = json.loads(json.dumps(version))
        kind = rng.choice(["raise", "bonus", "reword"])
        if kind == "raise" and new["pay"]:
            bump = 0.75 if new["pay"]["unit"] == "HOUR" else 2000
            new["pay"] = {**new["pay"], "min": round(new["pay"]["min"] + bump, 2), "max": round(new["pay"]["max"] + bump, 2)}
            new["facts"]["pay"] = new["pay"]
            new["pay_line"] = self.pay_line(new["pay"], new["style"])
        elif kind == "bonus" and new["pay"] and not new["sign_on"]:
            new["sign_on"] = rng.choice(SIGN_ON)
        else:
            new["soft"] = [*new["soft"], "Flexible and calm when the day changes plans"]
            new["benefits"] = [*new["benefits"], "Paid volunteer day"]
        new["edit"] = kind
        return new

    # --- per platform ----------------------------------------------------------------------------
    def ids_for(self, emp: dict, opened: date) -> dict:
        rng = self.rng
        p = emp["platform"]
        if p == "greenhouse":
            n = self.next_id("gh-" + emp["key"], 4_012_300_000)
            return {"id": str(n), "internal_job_id": str(n - 1_200_000_000 + rng.randint(0, 99))}
        if p == "lever":
            return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
        if p == "workday":
            n = self.next_id("wd-" + emp["key"], 10_000 if "JR" in emp["req_format"] else 4_000)
            return {"id": emp["req_format"].format(n=n)}
        if p == "jsonld":
            n = self.next_id("ld-" + emp["key"], 170_000)
            return {"id": f"LSCH-{n}", "page": str(n)}
        n = self.next_id("usajobs", 810_200_000)
        return {"id": str(n)}

    def posting(self, emp: dict, role: dict | None = None) -> dict:
        rng = self.rng
        role = role or self.role(emp)
        place = rng.choice(emp["locations"])
        more = [p for p in emp["locations"] if p != place]
        extra = rng.sample(more, rng.randint(1, 2)) if rng.random() < 0.12 and more else []
        employment = self.employment(role["title"])
        opened, closes = self.life()
        version = self.compose(emp, role, place, employment)
        record = {
            "uid": "",
            "employer": emp["key"],
            "platform": emp["platform"],
            "title": role["title"],
            "kind": role["kind"],
            "department": role["spec"],
            "location": list(place),
            "extra_locations": [list(p) for p in extra],
            "employment_type": employment,
            "remote": False,
            "opened": opened.isoformat(),
            "closes": closes.isoformat() if closes else None,
            "hidden": [],
            "repost_of": None,
            "job_key": None,
            "ids": self.ids_for(emp, opened),
            "versions": [{"from": opened.isoformat(), **version}],
        }
        life_days = ((closes or WORLD_END) - opened).days
        if life_days > 21 and rng.random() < 0.28:
            when = opened + timedelta(days=rng.randint(10, life_days - 7))
            record["versions"].append({"from": when.isoformat(), **self.edited(version)})
        return record


def emp_agency(role: dict) -> str:
    return role.get("agency", "VA")


def build(seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """(employers, postings) of the demo world."""
    b = Builder(seed)
    rng = b.rng
    postings: list[dict] = []
    for emp in EMPLOYERS:
        if emp["platform"] == "usajobs":
            for _ in range(emp["size"]):
                postings.append(federal_posting(b, emp))
            continue
        for _ in range(emp["size"]):
            postings.append(b.posting(emp))

    # One remote virtual MA on Lever (workplaceType remote) and one hybrid.
    kindred = next(e for e in EMPLOYERS if e["key"] == "kindredwomens")
    virtual = b.posting(kindred, {"kind": "ma", "stage": "entry", "title": "Virtual Medical Assistant", "spec": "OB/GYN"})
    virtual["remote"] = True
    postings.append(virtual)

    # Harbor Valley publishes about half of its Workday jobs on its own career site too.
    for p in [p for p in postings if p["employer"] == "harborvalley"]:
        if rng.random() < 0.5:
            p["job_key"] = f"harborvalley:{p['ids']['id']}"
            twin = json.loads(json.dumps(p))
            twin["platform"] = "jsonld"
            twin["employer"] = "harborvalley-site"
            twin["job_key"] = p["job_key"]
            postings.append(twin)

    # Reposts: a few closed jobs come back a week or two later under a new id, same text.
    closed = [p for p in postings if p["closes"] and p["closes"] < "2026-11-02" and p["platform"] != "jsonld"]
    emp_by_key = {e["key"]: e for e in EMPLOYERS}
    for p in rng.sample(closed, 12):
        again = json.loads(json.dumps(p))
        start = date.fromisoformat(p["closes"]) + timedelta(days=rng.randint(5, 13))
        again["opened"] = start.isoformat()
        again["closes"] = None if rng.random() < 0.6 else (start + timedelta(days=28)).isoformat()
        if p["platform"] == "usajobs":  # a re-announcement has its own fixed window
            again["closes"] = (start + timedelta(days=21)).isoformat()
        again["repost_of"] = p["ids"]["id"]
        again["job_key"] = None
        again["hidden"] = []
        # A new post id; the rest stays (Greenhouse's internal job, the USAJOBS announcement number).
        again["ids"] = {**p["ids"], "id": b.ids_for(emp_by_key[p["employer"]], start)["id"]}
        again["versions"] = [{**again["versions"][-1], "from": start.isoformat()}]
        postings.append(again)

    # Unlisted for a week, then back under the same id (a board glitch or a paused requisition).
    crawl_days = [date(2026, 10, 5) + timedelta(weeks=i) for i in range(8)]
    candidates = [p for p in postings if p["platform"] in ("greenhouse", "lever", "workday") and not p["repost_of"]]
    rng.shuffle(candidates)
    paused = 0
    for p in candidates:
        alive = [d for d in crawl_days if p["opened"] <= d.isoformat() and (not p["closes"] or d.isoformat() < p["closes"])]
        if len(alive) >= 4:
            gap = alive[len(alive) // 2]
            p["hidden"] = [[(gap - timedelta(days=2)).isoformat(), (gap + timedelta(days=2)).isoformat()]]
            paused += 1
        if paused == 8:
            break

    postings.sort(key=lambda p: (p["platform"], p["employer"], p["opened"], p["ids"]["id"]))
    for i, p in enumerate(postings, 1):
        p["uid"] = f"P{i:04d}"
    employers = [{k: v for k, v in e.items() if k != "size"} for e in EMPLOYERS]
    employers.append({"key": "harborvalley-site", "name": "Harbor Valley Health", "platform": "jsonld",
                      "jsonld_site": "https://careers.harborvalleyhealth.example", "mirror_of": "harborvalley"})  # fmt: skip
    return employers, postings


def federal_posting(b: Builder, emp: dict) -> dict:
    rng = b.rng
    title, series, is_ma, grade, _ = weighted_federal(rng)
    agency_name, dept, short, _ = rng.choices(emp["agencies"], weights=[a[3] for a in emp["agencies"]])[0]
    if short == "IHS":
        places = [p for p in emp["locations"] if p[1] in ("New Mexico", "South Dakota", "Arizona", "Oklahoma")]
    elif short == "DHA":
        places = [p for p in emp["locations"] if p[1] in ("Colorado", "California")]
    else:
        places = [p for p in emp["locations"] if p[1] not in ("South Dakota",)]
    spec = "Ophthalmology" if "Ophthalmology" in title else rng.choice(["Primary Care", "Primary Care", "Urgent Care",
                                                                        "Cardiology", "Orthopedics"])  # fmt: skip
    kind = "ma" if is_ma else "non_ma"
    stage = ("mid" if grade == "GS-6" else "entry") if is_ma else None
    role = {"kind": kind, "stage": stage, "title": title, "spec": spec, "agency": short, "pay_band": None}
    emp_here = {**emp, "locations": places}
    place = rng.choice(places)
    opened, closes = b.life()
    # Federal announcements have a fixed window: close 2-4 weeks after opening.
    closes = opened + timedelta(days=rng.choice([14, 14, 21, 28]))
    version = b.compose(emp_here, role, place, "FULL_TIME")
    low, high = GS_PAY[grade]
    hourly = short == "IHS" and "Aid" in title
    if hourly:
        pay = {"min": round(low / 2087, 2), "max": round(high / 2087, 2), "unit": "HOUR"}
    else:
        step = rng.choice([1.0, 1.0, 1.03])
        pay = {"min": round(low * step, 0), "max": round(high * step, 0), "unit": "YEAR"}
    version["pay"] = pay
    version["facts"]["pay"] = pay
    multi = rng.random() < 0.15
    extra = [list(p) for p in rng.sample([p for p in places if p != place], 1)] if multi and len(places) > 1 else []
    schedule = rng.choices(["Full-time", "Part-time", "Intermittent"], weights=[8, 1, 1])[0]
    return {
        "uid": "",
        "employer": "usajobs",
        "platform": "usajobs",
        "title": title,
        "kind": kind,
        "department": spec,
        "location": list(place),
        "extra_locations": extra,
        "employment_type": {"Full-time": "FULL_TIME", "Part-time": "PART_TIME", "Intermittent": "PER_DIEM"}[schedule],
        "remote": False,
        "opened": opened.isoformat(),
        "closes": closes.isoformat(),
        "hidden": [],
        "repost_of": None,
        "job_key": None,
        "ids": {**b.ids_for(emp, opened), "position_id": f"{short}-27-{rng.choice(['ABC', 'MSA', 'HT', 'OPH'])}-"
                f"{rng.randint(10000, 99999)}", "series": series, "grade": grade},  # fmt: skip
        "agency": [agency_name, dept, short],
        "schedule": schedule,
        "versions": [{"from": opened.isoformat(), **version}],
    }


def weighted_federal(rng: random.Random) -> tuple:
    return rng.choices(FEDERAL_ROLES, weights=[r[4] for r in FEDERAL_ROLES])[0]


def write(employers: list[dict], postings: list[dict], folder: Path = HERE) -> None:
    (folder / "employers.json").write_text(json.dumps(employers, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with (folder / "postings.jsonl").open("w", encoding="utf-8", newline="\n") as out:
        for p in postings:
            out.write(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    emps, posts = build()
    write(emps, posts)
    ma = sum(p["kind"] == "ma" for p in posts)
    print(f"{len(posts)} postings ({ma} MA roles, {len(posts) - ma} other) from {len(emps)} employers")

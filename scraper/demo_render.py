"""Render demo-world postings into each platform's real payload shapes (``shared/sources.md``).

Pure functions: a posting (and the day it is looked at) in, a payload out. The traps the real
sources set are rendered on purpose: escaped Greenhouse content with board boilerplate and pay in
cents without a unit, Lever requirements only in ``lists`` and millisecond dates, Workday relative
dates, "N Locations" and pay only in the text, USAJOBS string amounts and full state names, JSON-LD
``@graph`` with ``@id`` references, broken and CDATA-wrapped blocks and microdata-only pages.

Which variant a posting gets is decided by a hash of its uid, so it is stable across runs.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from scraper.demo_world import version_on

STATE_NAMES = {
    "AZ": "Arizona",
    "CA": "California",
    "CO": "Colorado",
    "GA": "Georgia",
    "IN": "Indiana",
    "MA": "Massachusetts",
    "ME": "Maine",
    "MI": "Michigan",
    "NC": "North Carolina",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NV": "Nevada",
    "NY": "New York",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "SD": "South Dakota",
    "TX": "Texas",
    "UT": "Utah",
    "VA": "Virginia",
}
STATE_CODES = {name: code for code, name in STATE_NAMES.items()}

EEO = (
    "{name} is an equal opportunity employer. All qualified applicants will receive consideration for "
    "employment without regard to race, color, religion, sex, sexual orientation, gender identity, national "
    "origin, disability or protected veteran status."
)


def pick(uid: str, salt: str, n: int) -> int:
    """A stable choice in ``range(n)`` for a posting."""
    digest = hashlib.sha1(f"{uid}/{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % n


def slugify(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def code(state: str) -> str:
    return STATE_CODES.get(state, state)


def full_state(state: str) -> str:
    return STATE_NAMES.get(state, state)


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _li(items: list[str]) -> str:
    return "".join(f"<li>{_e(i)}</li>" for i in items)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# --- description HTML ---------------------------------------------------------------------------


# Section headings per style, picked per posting: same style, different employers' wording.
HEADINGS: dict[str, list[str]] = {
    "summary": ["Job Summary", "Position Summary", "Overview", "About the Role"],
    "duties": ["Essential Functions", "Key Responsibilities", "Principal Duties", "What You Will Do"],
    "quals": ["Qualifications", "Minimum Qualifications", "Requirements", "Education and Experience"],
    "you_do": ["What you'll do", "Your day-to-day", "The role", "In this role you will"],
    "you_bring": ["What you'll bring", "About you", "You have", "Must-haves"],
    "nice": ["Nice to have", "Bonus points", "Even better if you have", "Preferred"],
    "perks": ["Perks", "Why you'll love it here", "Benefits", "What we offer"],
    "typical_day": ["On a typical day you will", "Your day will include:", "You will", "Duties include:"],
    "need": ["What we need from you:", "To be considered:", "You'll need:", "Requirements:"],
    "helpful": ["Also helpful:", "A plus:", "We'd love to see:", "Preferred:"],
    "resp": ["Responsibilities", "Duties", "Job Duties", "Scope"],
    "reqs": ["Requirements", "Qualifications", "Must have", "Required"],
}


def pay_block(v: dict[str, Any]) -> str:
    """The pay-transparency paragraph (with a sign-on bonus next to it, a trap for pay parsers)."""
    parts = [p for p in (v.get("pay_line"), v.get("sign_on")) if p]
    return "".join(f"<p>{_e(p)}</p>" for p in parts)


def description_html(
    posting: dict[str, Any], v: dict[str, Any], company: str, *, with_pay: bool = True
) -> str:
    """The posting body as the employer wrote it, in one of its writing styles."""
    style = v["style"]
    pay = pay_block(v) if with_pay else ""
    eeo = f"<p><em>{_e(EEO.format(name=company))}</em></p>"
    h = {name: options[pick(posting["uid"], name, len(options))] for name, options in HEADINGS.items()}
    if style == "system":
        return (
            f"<p><strong>{h['summary']}</strong></p>"
            + "".join(f"<p>{_e(p)}</p>" for p in v["intro"])
            + f"<p><strong>{h['duties']}</strong></p>"
            + _ul(v["duties"])
            + f"<p><strong>{h['quals']}</strong></p><p><em>Required:</em></p>"
            + _ul(v["requirements"])
            + ("<p><em>Preferred:</em></p>" + _ul(v["preferred"]) if v["preferred"] else "")
            + f"<p><strong>Schedule:</strong> {_e(v['schedule'])}</p>"
            + ("<p><strong>Pay Transparency</strong></p>" + pay if pay else "")
            + "<p><strong>Benefits</strong></p>"
            + _ul(v["benefits"])
            + eeo
        )
    if style == "startup":
        return (
            "".join(f"<p>{_e(p)}</p>" for p in v["intro"])
            + f"<h3>{h['you_do']}</h3>"
            + _ul(v["duties"])
            + f"<h3>{h['you_bring']}</h3>"
            + _ul(v["requirements"] + v["soft"])
            + (f"<h3>{h['nice']}</h3>" + _ul(v["preferred"]) if v["preferred"] else "")
            + f"<h3>{h['perks']}</h3>"
            + _ul(v["benefits"])
            + pay
        )
    if style == "practice":
        duties = "; ".join(_first_lower(d) for d in v["duties"])
        return (
            "".join(f"<p>{_e(p)}</p>" for p in v["intro"])
            + f"<p>{h['typical_day']} {_e(duties)}.</p>"
            + f"<p>{h['need']} {_e(' '.join(v['requirements']))}</p>"
            + (f"<p>{h['helpful']} {_e(' '.join(v['preferred']))}</p>" if v["preferred"] else "")
            + f"<p>Hours: {_e(v['schedule'])}. "
            + f"Benefits include {_e('; '.join(_first_lower(b) for b in v['benefits']))}.</p>"
            + pay
            + eeo
        )
    if style == "terse":
        lines = lambda items: "<br>".join(f"- {_e(i)}" for i in items)  # noqa: E731
        return (
            "<p>"
            + "<br>".join(_e(p) for p in "\n".join(v["intro"]).split("\n"))
            + "</p>"
            + f"<p><b>{h['resp']}:</b><br>{lines(v['duties'])}</p>"
            + f"<p><b>{h['reqs']}:</b><br>{lines(v['requirements'])}</p>"
            + (f"<p><b>Preferred:</b><br>{lines(v['preferred'])}</p>" if v["preferred"] else "")
            + f"<p><b>Schedule:</b> {_e(v['schedule'])}</p>"
            + pay
        )
    # federal text rendered as HTML (JSON-LD never sees it, but keep every style renderable)
    return (
        "".join(f"<p>{_e(p)}</p>" for p in v["intro"])
        + _ul(v["duties"])
        + _ul(v["requirements"] + v["preferred"])
    )


def plain(html_text: str) -> str:
    """A rough plain-text rendering, as Lever's ``*Plain`` fields carry."""
    out = html_text
    for tag in ("</p>", "<br>", "</li>", "</h3>", "</ul>"):
        out = out.replace(tag, "\n")
    out = out.replace("<li>", "• ")
    while "<" in out and ">" in out.split("<", 1)[1]:
        head, rest = out.split("<", 1)
        out = head + rest.split(">", 1)[1]
    return html.unescape(out).strip() + "\n"


def _local_time(uid: str, day: str, salt: str) -> datetime:
    """A posting's publication time on its day, in US Eastern (EDT before 2026-11-01, EST after)."""
    hour = 7 + pick(uid, salt + "h", 11)
    minute = pick(uid, salt + "m", 60)
    d = date.fromisoformat(day)
    from datetime import timezone

    offset = timedelta(hours=-4 if d < date(2026, 11, 1) else -5)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=timezone(offset))


# --- Greenhouse -----------------------------------------------------------------------------------


def greenhouse_board(employer: dict[str, Any]) -> dict[str, Any]:
    return {"name": employer["name"], "content": f"<p>{_e(employer.get('intro', ''))}</p>"}


def _gh_location(posting: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    places = [posting["location"], *posting["extra_locations"]]
    offices = [
        {
            "id": 40000 + pick(p[3], "office", 9000),
            "name": p[3],
            "location": f"{p[0]}, {code(p[1])}, United States",
            "parent_id": None,
            "child_ids": [],
        }
        for p in places
    ]
    if len(places) > 1:
        if pick(posting["uid"], "multi", 2):
            return "Multiple Locations", offices
        return "; ".join(f"{p[0]}, {p[1]}" for p in places), offices
    city, state = places[0][0], places[0][1]
    return f"{city}, {state}", offices


def greenhouse_job(
    posting: dict[str, Any], employer: dict[str, Any], day: date, *, content: bool
) -> dict[str, Any]:
    """One job as the board's ``/jobs`` list gives it (``content=true`` adds content/departments/offices)."""
    v = version_on(posting, day)
    uid, jid = posting["uid"], int(posting["ids"]["id"])
    site = employer.get("site")
    location, offices = _gh_location(posting)
    job: dict[str, Any] = {
        "id": jid,
        "internal_job_id": int(posting["ids"]["internal_job_id"]),
        "title": posting["title"],
        "updated_at": _local_time(uid, v["from"], "upd").isoformat(),
        "requisition_id": f"{employer['board'][:3].upper()}-{jid % 10000:04d}",
        "location": {"name": location},
        "absolute_url": f"{site}?gh_jid={jid}"
        if site
        else f"https://job-boards.greenhouse.io/{employer['board']}/jobs/{jid}",
        "data_compliance": [{"type": "gdpr", "requires_consent": False, "retention_period": None}],
        "metadata": None,
        "first_published": _local_time(uid, posting["opened"], "pub").isoformat(),
        "language": "en",
    }
    if employer.get("company_name_in_jobs"):
        job["company_name"] = employer["name"]
    if pick(uid, "meta", 3):  # metadata is null in some responses, a list in others
        label = {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "PER_DIEM": "Per Diem"}[
            posting["employment_type"]
        ]
        job["metadata"] = [
            {"id": 4011, "name": "Employment Type", "value": label, "value_type": "single_select"},
            {"id": 4012, "name": "Department Code", "value": None, "value_type": "short_text"},
        ]
    if content:
        show_pay_text = bool(v.get("pay")) and pick(uid, "ghpaytext", 5) < 2
        body = description_html(posting, v, employer["name"], with_pay=show_pay_text)
        # Board-level intro and conclusion repeat on every post (a trap for the classifier).
        body = f"<p>{_e(employer.get('intro', ''))}</p>" + body + "<p>Questions? careers@example.org</p>"
        job["content"] = html.escape(body, quote=True)  # entity-encoded, as the API sends it
        job["departments"] = [
            {
                "id": 700 + pick(posting["department"], "d", 99),
                "name": posting["department"],
                "parent_id": None,
                "child_ids": [],
            }
        ]
        job["offices"] = offices
    return job


def greenhouse_jobs(
    postings: list[dict[str, Any]], employer: dict[str, Any], day: date, *, content: bool
) -> dict:
    jobs = [greenhouse_job(p, employer, day, content=content) for p in postings]
    return {"jobs": jobs, "meta": {"total": len(jobs)}}


def greenhouse_detail(
    posting: dict[str, Any], employer: dict[str, Any], day: date, *, pay: bool
) -> dict[str, Any]:
    """``/jobs/{id}``: the job with content, plus ``pay_input_ranges`` when ``pay_transparency=true``."""
    job = greenhouse_job(posting, employer, day, content=True)
    v = version_on(posting, day)
    if pay:
        ranges = []
        if v.get("pay") and pick(posting["uid"], "ghpay", 4):  # a quarter leave the list empty
            lo, hi, unit = v["pay"]["min"], v["pay"]["max"], v["pay"]["unit"]
            title = ["Pay Range", "Hourly Range" if unit == "HOUR" else "Salary Range", "Base pay"][
                pick(posting["uid"], "ghpaytitle", 3)
            ]
            ranges.append(
                {
                    "min_cents": round(lo * 100),
                    "max_cents": round(hi * 100),
                    "currency_type": "USD",
                    "title": title,
                    "blurb": "<p>Final pay depends on experience and certification.</p>",
                }
            )
        job["pay_input_ranges"] = ranges
    return job


# --- Lever ----------------------------------------------------------------------------------------

LEVER_INTERVALS = {"HOUR": "per-hour-wage", "YEAR": "per-year-salary"}
LEVER_COMMITMENT = {
    "FULL_TIME": ["Full-time", "Full Time"],
    "PART_TIME": ["Part-time"],
    "PER_DIEM": ["Per Diem", "PRN"],
}


def lever_posting(posting: dict[str, Any], employer: dict[str, Any], day: date) -> dict[str, Any]:
    """One posting of the ``/v0/postings/{site}?mode=json`` array. Requirements live in ``lists``."""
    v = version_on(posting, day)
    uid = posting["uid"]
    created = datetime.fromisoformat(posting["opened"]).replace(tzinfo=UTC) + timedelta(
        hours=13 + pick(uid, "lh", 10), minutes=pick(uid, "lm", 60)
    )
    opening = "".join(f"<div>{_e(p)}</div>" for p in v["intro"])
    lists = [
        {"text": "What you'll do", "content": _li(v["duties"])},
        {"text": "What you'll bring", "content": _li(v["requirements"] + v["soft"])},
    ]
    if v["preferred"]:
        lists.append({"text": "Bonus points", "content": _li(v["preferred"])})
    additional = "<div>" + "".join(f"<div>{_e(b)}</div>" for b in v["benefits"]) + "</div>"
    if pick(uid, "lvpaytext", 2) and v.get("pay_line"):
        additional += pay_block(v)
    elif v.get("sign_on"):
        additional += f"<div>{_e(v['sign_on'])}</div>"
    places = [posting["location"], *posting["extra_locations"]]
    commitments = LEVER_COMMITMENT[posting["employment_type"]]
    workplace = (
        "remote"
        if posting.get("remote")
        else ["on-site", "on-site", "hybrid", "unspecified"][pick(uid, "wp", 4)]
    )
    out: dict[str, Any] = {
        "additional": additional,
        "additionalPlain": plain(additional),
        "categories": {
            "commitment": commitments[pick(uid, "cm", len(commitments))],
            "department": "Clinical",
            "location": "Remote - US" if posting.get("remote") else f"{places[0][0]}, {places[0][1]}",
            "team": posting["department"],
            "allLocations": [f"{p[0]}, {p[1]}" for p in places],
        },
        "createdAt": int(created.timestamp() * 1000),
        "descriptionPlain": plain(opening),
        "description": opening,
        "id": posting["ids"]["id"],
        "lists": lists,
        "text": posting["title"],
        "country": "US",
        "workplaceType": workplace,
        "opening": opening,
        "openingPlain": plain(opening),
        "descriptionBody": "",
        "descriptionBodyPlain": "",
        "hostedUrl": f"https://jobs.lever.co/{employer['site_slug']}/{posting['ids']['id']}",
        "applyUrl": f"https://jobs.lever.co/{employer['site_slug']}/{posting['ids']['id']}/apply",
    }
    if v.get("pay") and pick(uid, "lvsal", 5) < 3:
        out["salaryRange"] = {
            "currency": "USD",
            "interval": LEVER_INTERVALS[v["pay"]["unit"]],
            "min": v["pay"]["min"],
            "max": v["pay"]["max"],
        }
        out["salaryDescription"] = "<div>Base pay; final offer depends on experience.</div>"
        out["salaryDescriptionPlain"] = "Base pay; final offer depends on experience."
    return out


def lever_grouped(postings: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """What ``group=<field>`` turns the array into (the trap: a different shape)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in postings:
        groups.setdefault(str(p["categories"].get(field)), []).append(p)
    return [{"title": title, "postings": items} for title, items in groups.items()]


# --- Workday --------------------------------------------------------------------------------------


def workday_path(posting: dict[str, Any]) -> str:
    city, state = posting["location"][0], code(posting["location"][1])
    return f"/job/{slugify(city)}-{state}/{slugify(posting['title'])}_{posting['ids']['id']}"


def _wd_location_text(posting: dict[str, Any], style: str) -> str:
    if posting["extra_locations"]:
        return f"{1 + len(posting['extra_locations'])} Locations"
    city, state, _zip, site = posting["location"]
    if style == "st_city_site":
        return f"{code(state)} - {city} - {site}"
    if style == "us_state_city":
        return f"US, {full_state(state)}, {city}"
    return f"{city}, {code(state)}"


def posted_on(opened: str, day: date) -> str:
    days = (day - date.fromisoformat(opened)).days
    if days <= 0:
        return "Posted Today"
    if days == 1:
        return "Posted Yesterday"
    if days < 30:
        return f"Posted {days} Days Ago"
    return "Posted 30+ Days Ago"


def workday_list_item(posting: dict[str, Any], employer: dict[str, Any], day: date) -> dict[str, Any]:
    item = {
        "title": posting["title"],
        "externalPath": workday_path(posting),
        "locationsText": _wd_location_text(posting, employer.get("loc_style", "city_st")),
        "postedOn": posted_on(posting["opened"], day),
        "bulletFields": [posting["ids"]["id"]],
    }
    if pick(posting["uid"], "remoteType", 5) == 0:
        item["remoteType"] = "Hybrid"
    return item


def workday_list(
    postings: list[dict[str, Any]], employer: dict[str, Any], day: date, *, offset: int, limit: int
) -> dict[str, Any]:
    """One page of ``POST .../jobs``. ``total`` only on the first page; later pages say 0."""
    page = postings[offset : offset + limit]
    out: dict[str, Any] = {
        "total": len(postings) if offset == 0 else 0,
        "jobPostings": [workday_list_item(p, employer, day) for p in page],
    }
    if offset == 0:
        full = sum(p["employment_type"] == "FULL_TIME" for p in postings)
        out["facets"] = [
            {
                "facetParameter": "timeType",
                "descriptor": "Time Type",
                "values": [
                    {"descriptor": "Full time", "id": "9f3c1e0a7b2d4c55a1e0f1d2c3b4a596", "count": full},
                    {
                        "descriptor": "Part time",
                        "id": "1b2c3d4e5f60718293a4b5c6d7e8f901",
                        "count": len(postings) - full,
                    },
                ],
            },
            {"facetParameter": "locationMainGroup", "descriptor": "Locations", "values": []},
        ]
    return out


def workday_detail(posting: dict[str, Any], employer: dict[str, Any], day: date) -> dict[str, Any]:
    """``GET .../{externalPath}``: pay only in the ``jobDescription`` text (pay transparency)."""
    v = version_on(posting, day)
    host = f"https://{employer['tenant']}.{employer['wd']}.myworkdayjobs.com"
    city, state, _zip, site = posting["location"]
    style = employer.get("loc_style")
    location = f"{code(state)} - {city} - {site}" if style == "st_city_site" else f"{city}, {code(state)}"
    info: dict[str, Any] = {
        "id": hashlib.md5(posting["uid"].encode()).hexdigest(),
        "title": posting["title"],
        "jobDescription": description_html(posting, v, employer["name"]),
        "location": location,
        "postedOn": posted_on(posting["opened"], day),
        "startDate": posting["opened"],
        "timeType": "Full time" if posting["employment_type"] == "FULL_TIME" else "Part time",
        "jobReqId": posting["ids"]["id"],
        "jobPostingId": slugify(posting["title"]) + "_" + posting["ids"]["id"],
        "jobPostingSiteId": employer["wd_site"],
        "country": {"descriptor": "United States of America", "id": "bc33aa3152ec42d4995f4791a106ed09"},
        "canApply": True,
        "posted": True,
        "includeResumeParsing": True,
        "jobRequisitionLocation": {
            "descriptor": site,
            "country": {"descriptor": "United States of America", "alpha2Code": "US"},
        },
        "externalUrl": f"{host}/en-US/{employer['wd_site']}{workday_path(posting)}",
        "questionnaireId": "4c1ea0bd1f7c10011e4c3f0f2a2b0000",
    }
    if posting["extra_locations"]:
        info["additionalLocations"] = [f"{p[0]}, {code(p[1])}" for p in posting["extra_locations"]]
    if pick(posting["uid"], "remoteType", 5) == 0:
        info["remoteType"] = "Hybrid"
    return {
        "jobPostingInfo": info,
        "hiringOrganization": {"name": employer["name"], "url": ""},
        "similarJobs": [],
        "userAuthenticated": False,
    }


# --- USAJOBS --------------------------------------------------------------------------------------

SCHEDULE_CODES = {"Full-time": "1", "Part-time": "2", "Intermittent": "4"}


def usajobs_item(posting: dict[str, Any], day: date) -> dict[str, Any]:
    """One ``SearchResultItems`` entry: amounts as strings, full state names, city with its state."""
    v = version_on(posting, day)
    ids = posting["ids"]
    agency, department, _short = posting["agency"]
    places = [posting["location"], *posting["extra_locations"]]
    locations = [
        {
            "LocationName": f"{p[0]}, {p[1]}",
            "CountryCode": "United States",
            "CountrySubDivisionCode": p[1],
            "CityName": f"{p[0]}, {p[1]}",
            "Longitude": -100.0 + pick(p[0], "lon", 2000) / 100,
            "Latitude": 30.0 + pick(p[0], "lat", 1500) / 100,
        }
        for p in places
    ]
    pay = v["pay"]
    rate = {"YEAR": ("PA", "Per Year"), "HOUR": ("PH", "Per Hour")}[pay["unit"]]
    opened = date.fromisoformat(posting["opened"])
    closes = date.fromisoformat(posting["closes"])
    series_name = {
        "0640": "Health Aid And Technician",
        "0679": "Medical Support Assistance",
        "0603": "Physician Assistant",
        "0621": "Nursing Assistant",
        "0620": "Practical Nurse",
    }
    control = ids["id"]
    grade = ids["grade"].split("-")[1]
    descriptor = {
        "PositionID": ids["position_id"],
        "PositionTitle": posting["title"],
        "PositionURI": f"https://www.usajobs.gov/job/{control}"
        if pick(posting["uid"], "uri", 6)
        else f"https://www.usajobs.gov:443/GetJob/ViewDetails/{control}",
        "ApplyURI": [f"https://www.usajobs.gov/job/{control}/apply"],
        "PositionLocationDisplay": "Multiple Locations"
        if len(places) > 1
        else f"{places[0][0]}, {places[0][1]}",
        "PositionLocation": locations,
        "OrganizationName": agency,
        "DepartmentName": department,
        "JobCategory": [{"Name": series_name[ids["series"]], "Code": ids["series"]}],
        "JobGrade": [{"Code": "GS"}],
        "PositionSchedule": [{"Name": posting["schedule"], "Code": SCHEDULE_CODES[posting["schedule"]]}],
        "PositionOfferingType": [{"Name": "Permanent", "Code": "15317"}],
        "QualificationSummary": " ".join(v["requirements"] + v["preferred"]),
        "PositionRemuneration": [
            {
                "MinimumRange": f"{pay['min']:.1f}" if pay["unit"] == "YEAR" else f"{pay['min']:.2f}",
                "MaximumRange": f"{pay['max']:.1f}" if pay["unit"] == "YEAR" else f"{pay['max']:.2f}",
                "RateIntervalCode": rate[0],
                "Description": rate[1],
            }
        ],
        "PositionStartDate": f"{opened.isoformat()}T00:00:00.0000",
        "PositionEndDate": f"{closes.isoformat()}T23:59:59.9970",
        "PublicationStartDate": f"{opened.isoformat()}T00:00:00.0000",
        "ApplicationCloseDate": f"{closes.isoformat()}T23:59:59.9970",
        "PositionFormattedDescription": [{"Label": "Dynamic Teaser", "LabelDescription": "Hit highlighting"}],
        "UserArea": {
            "Details": {
                "JobSummary": " ".join(v["intro"]),
                "WhoMayApply": {"Name": "United States Citizens", "Code": "15514"},
                "LowGrade": grade,
                "HighGrade": grade,
                "MajorDuties": list(v["duties"]),
                "Education": "There is no educational substitution at this grade level.",
                "Requirements": "Selective Service registration is required for males born after 12/31/1959.",
                "Evaluations": "You will be rated on the specialized experience described above.",
                "AgencyMarketingStatement": f"The {agency} is committed to the health of those we serve.",
                "TravelCode": "0",
                "RemoteIndicator": False,
                "TeleworkEligible": False,
                "SecurityClearance": "Not Required",
                "DrugTestRequired": "False",
                "AgencyContactEmail": "hr.demo@example.gov",
            },
            "IsRadialSearch": False,
        },
    }
    return {"MatchedObjectId": control, "MatchedObjectDescriptor": descriptor, "RelevanceRank": 0}


def usajobs_page(items: list[dict[str, Any]], total: int, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "LanguageCode": "EN",
        "SearchParameters": params,
        "SearchResult": {
            "SearchResultCount": len(items),
            "SearchResultCountAll": total,
            "SearchResultItems": items,
            "UserArea": {"NumberOfPages": "1", "IsRadialSearch": False},
        },
    }


# --- JSON-LD career pages -------------------------------------------------------------------------


def _ld_address(place: list[str], *, full_name: bool) -> dict[str, Any]:
    city, state, postal, _site = place
    return {
        "@type": "PostalAddress",
        "addressLocality": city,
        "addressRegion": full_state(state) if full_name else code(state),
        "postalCode": postal,
        "addressCountry": "US" if full_name else {"@type": "Country", "name": "United States"},
    }


def _ld_salary(pay: dict[str, Any] | None, variant: int) -> Any:
    if not pay:
        return None
    if variant == 0:  # numbers as strings
        value = {
            "@type": "QuantitativeValue",
            "minValue": f"{pay['min']}",
            "maxValue": f"{pay['max']}",
            "unitText": pay["unit"],
        }
    else:
        value = {
            "@type": "QuantitativeValue",
            "minValue": pay["min"],
            "maxValue": pay["max"],
            "unitText": pay["unit"],
        }
    return {"@type": "MonetaryAmount", "currency": "USD", "value": value}


def jobposting_node(
    posting: dict[str, Any], employer: dict[str, Any], day: date, url: str, *, org_ref: str | None = None
) -> dict[str, Any]:
    """The schema.org JobPosting node for a career-site job page."""
    v = version_on(posting, day)
    uid = posting["uid"]
    escaped = pick(uid, "ldesc", 2) == 0
    body = description_html(
        posting, v, employer["name"], with_pay=bool(v.get("pay_line")) and pick(uid, "ldpay", 3) == 0
    )
    places = [posting["location"], *posting["extra_locations"]]
    full_names = pick(uid, "ldstate", 2) == 0
    node: dict[str, Any] = {
        "@type": "JobPosting" if pick(uid, "ldtype", 3) else ["JobPosting"],
        "title": posting["title"],
        "description": html.escape(body, quote=False) if escaped else body,
        "datePosted": posting["opened"]
        if pick(uid, "lddate", 2)
        else _local_time(uid, posting["opened"], "ld").isoformat(),
        "employmentType": [posting["employment_type"]]
        if pick(uid, "ldemp", 2)
        else {"FULL_TIME": "Full time", "PART_TIME": "Part-time", "PER_DIEM": "PRN"}[
            posting["employment_type"]
        ],
        "hiringOrganization": {"@id": org_ref}
        if org_ref
        else {"@type": "MedicalOrganization", "name": employer["name"], "sameAs": employer["jsonld_site"]},
        "identifier": {"@type": "PropertyValue", "name": employer["name"], "value": posting["ids"]["id"]}
        if pick(uid, "ldid", 3)
        else posting["ids"]["id"],
        "jobLocation": [{"@type": "Place", "address": _ld_address(p, full_name=full_names)} for p in places]
        if len(places) > 1 or pick(uid, "ldloc", 2)
        else {"@type": "Place", "address": _ld_address(places[0], full_name=full_names)},
        "url": url,
        "industry": "Health Care",
        "occupationalCategory": "31-9092.00 Medical Assistants" if posting["kind"] == "ma" else None,
    }
    if posting["closes"]:
        node["validThrough"] = f"{posting['closes']}T23:59"
    salary = _ld_salary(v.get("pay"), pick(uid, "ldsal", 2))
    if salary and pick(uid, "ldsalshow", 5):
        node["baseSalary"] = salary
    return {k: val for k, val in node.items() if val is not None}


def _page(title: str, head: str, body: str, canonical: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{_e(title)}</title><link rel="canonical" href="{html.escape(canonical)}">'
        f"{head}</head><body>{body}</body></html>\n"
    )


def _ld_script(data: Any, *, wrap: str = "") -> str:
    text = json.dumps(data, indent=1, ensure_ascii=False).replace("</", "<\\/")
    if wrap == "cdata":
        text = f"//<![CDATA[\n{text}\n//]]>"
    elif wrap == "trailing-comma":
        text = text.rstrip().rstrip("}") + ",\n}"
    return f'<script type="application/ld+json">{text}</script>\n'


def job_page_html(posting: dict[str, Any], employer: dict[str, Any], day: date, url: str) -> str:
    """A career-site job page. Variants: an ``@graph`` (org by ``@id``), several blocks next to a
    broken one (the JobPosting wrapped in CDATA, or with a trailing comma), or microdata only."""
    uid = posting["uid"]
    site = employer["jsonld_site"]
    org_id = f"{site}/#organization"
    variant = pick(uid, "ldvariant", 7)
    v = version_on(posting, day)
    visible = (
        f'<main><h1>{_e(posting["title"])}</h1><p class="loc">{_e(posting["location"][0])}, '
        f"{_e(code(posting['location'][1]))}</p>"
        f'<a class="apply" href="/apply/{quote(posting["ids"]["id"])}">Apply</a>'
        + description_html(posting, v, employer["name"])
        + "</main>"
    )
    if variant == 6:  # microdata only: no JSON-LD on the page at all
        return _page(posting["title"], "", microdata_html(posting, employer, day, url), url)
    if variant in (0, 1, 2):
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": ["Organization", "MedicalOrganization"],
                    "@id": org_id,
                    "name": employer["name"],
                    "url": site,
                    "logo": f"{site}/static/logo.png",
                },
                {"@type": "WebSite", "@id": f"{site}/#website", "url": site, "publisher": {"@id": org_id}},
                {
                    "@type": "BreadcrumbList",
                    "itemListElement": [
                        {"@type": "ListItem", "position": 1, "name": "Careers", "item": site},
                        {"@type": "ListItem", "position": 2, "name": posting["title"]},
                    ],
                },
                jobposting_node(posting, employer, day, url, org_ref=org_id),
            ],
        }
        return _page(posting["title"], _ld_script(graph), visible, url)
    node = {"@context": "http://schema.org", **jobposting_node(posting, employer, day, url)}
    # A raw tab inside a string (strict JSON refuses it; strict=False reads it).
    node["description"] = node["description"].replace("</p>", "</p>\t", 1)
    blocks = _ld_script(
        {"@context": "https://schema.org", "@type": "Organization", "name": employer["name"], "url": site}
    )
    blocks += (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "FAQPage", '
        '"mainEntity": [{"@type": "Question", "name": "How do I apply?", </script>\n'
    )  # broken: cut short
    job_json = json.dumps(node, indent=1, ensure_ascii=False).replace("\\t", "\t").replace("</", "<\\/")
    if variant in (3, 4):
        blocks += f'<script type="application/ld+json">//<![CDATA[\n{job_json}\n//]]></script>\n'
    else:
        blocks += f'<script type="application/ld+json">{job_json.rstrip()[:-1].rstrip()},\n}}</script>\n'
    return _page(posting["title"], blocks, visible, url)


def microdata_html(posting: dict[str, Any], employer: dict[str, Any], day: date, url: str) -> str:
    v = version_on(posting, day)
    city, state, postal, _site = posting["location"]
    pay = v.get("pay")
    salary = ""
    if pay:
        salary = (
            '<div itemprop="baseSalary" itemscope itemtype="https://schema.org/MonetaryAmount">'
            '<meta itemprop="currency" content="USD">'
            '<div itemprop="value" itemscope itemtype="https://schema.org/QuantitativeValue">'
            f'<meta itemprop="minValue" content="{pay["min"]}">'
            f'<meta itemprop="maxValue" content="{pay["max"]}">'
            f'<meta itemprop="unitText" content="{pay["unit"]}"></div></div>'
        )
    return (
        '<main itemscope itemtype="https://schema.org/JobPosting">'
        f'<h1 itemprop="title">{_e(posting["title"])}</h1>'
        f'<meta itemprop="datePosted" content="{posting["opened"]}">'
        f'<meta itemprop="employmentType" content="{posting["employment_type"]}">'
        f'<meta itemprop="identifier" content="{_e(posting["ids"]["id"])}">'
        f'<link itemprop="url" href="{html.escape(url)}">'
        '<div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">'
        f'<span itemprop="name">{_e(employer["name"])}</span></div>'
        '<div itemprop="jobLocation" itemscope itemtype="https://schema.org/Place">'
        '<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
        f'<span itemprop="addressLocality">{_e(city)}</span>, '
        f'<span itemprop="addressRegion">{_e(code(state))}</span> '
        f'<span itemprop="postalCode">{postal}</span>'
        '<meta itemprop="addressCountry" content="US"></div></div>'
        + salary
        + f'<div itemprop="description">{description_html(posting, v, employer["name"])}</div></main>'
    )


def sitemap_urlset(entries: list[tuple[str, str]]) -> str:
    rows = "".join(
        f"<url><loc>{html.escape(loc)}</loc><lastmod>{lastmod}</lastmod></url>\n" for loc, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</urlset>\n"
    )


def sitemap_index(entries: list[tuple[str, str]]) -> str:
    rows = "".join(
        f"<sitemap><loc>{html.escape(loc)}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for loc, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</sitemapindex>\n"
    )


def search_page_html(
    title: str, jobs: list[tuple[str, str, str]], canonical: str, extra_links: str = ""
) -> str:
    """A career-site search results page: links to job pages (root-relative), no JobPosting markup."""
    items = "".join(
        f'<li class="job"><a href="{html.escape(href)}">{_e(name)}</a> <span>{_e(where)}</span></li>'
        for href, name, where in jobs
    )
    body = (
        '<nav><a href="/">Home</a> <a href="/search/jobs">All jobs</a> '
        '<a href="/benefits">Benefits</a></nav>'
        f'<h1>{_e(title)}</h1><p>{len(jobs)} jobs</p><ul class="results">{items}</ul>{extra_links}'
    )
    return _page(title, "", body, canonical)

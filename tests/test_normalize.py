"""The shared field helpers in scraper/parsers/normalize.py (sources.md section 1)."""

from __future__ import annotations

from datetime import date

import pytest

from scraper.parsers.normalize import (
    ANNUAL_FACTORS,
    annualize,
    clean_text,
    country_code,
    decode_html,
    employment_type,
    epoch_ms_to_date,
    html_to_text,
    infer_salary_unit,
    iso_date,
    parse_location,
    relative_date,
    split_locations,
    state_code,
    to_float,
)

# --- locations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "City, ST" and "City, State"
        ("Tacoma, WA", ("Tacoma", "WA", "US")),
        ("Salem, Oregon", ("Salem", "OR", "US")),
        ("Spokane Valley, WA", ("Spokane Valley", "WA", "US")),
        ("Salem, OR 97301", ("Salem", "OR", "US")),
        ("Erie, PA, United States", ("Erie", "PA", "US")),
        ("Kansas City, Missouri, United States of America", ("Kansas City", "MO", "US")),
        # Workday forms
        ("OK - Broken Arrow - Site Name", ("Broken Arrow", "OK", "US")),
        ("US, Arizona, Chandler", ("Chandler", "AZ", "US")),
        ("USA.VA.Reston", ("Reston", "VA", "US")),
        # Greenhouse lists: the first place is the primary
        ("Erie, PA; Meadville, PA", ("Erie", "PA", "US")),
        ("Boise, ID | Nampa, ID", ("Boise", "ID", "US")),
        # places with no city
        ("3 Locations", (None, None, None)),
        ("Multiple Locations", (None, None, None)),
        ("Location Negotiable After Selection", (None, None, None)),
        ("Anywhere in the U.S. (remote job)", (None, None, None)),
        ("USA - Remote", (None, None, "US")),
        ("Remote - Oregon", (None, "OR", "US")),
        ("Remote, OR", (None, "OR", "US")),
        ("Remote", (None, None, None)),
        # a bare "CA" after a US city is California; alone it is Canada
        ("Fresno, CA", ("Fresno", "CA", "US")),
        ("CA, US", (None, "CA", "US")),
        ("CA", (None, None, "CA")),
        # city names that are also state names
        ("New York, NY", ("New York", "NY", "US")),
        ("New York, New York", ("New York", "NY", "US")),
        ("Washington, DC", ("Washington", "DC", "US")),
        ("Washington, District of Columbia", ("Washington", "DC", "US")),
        ("Muskogee, Oklahoma", ("Muskogee", "OK", "US")),
        # workplace qualifiers around the place
        ("Hybrid - Boston, MA", ("Boston", "MA", "US")),
        ("Boston, MA (Hybrid)", ("Boston", "MA", "US")),
        # no state known: keep the city, invent nothing
        ("San Francisco", ("San Francisco", None, None)),
        ("Toronto, ON, Canada", ("Toronto", None, "CA")),
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_parse_location(text, expected):
    assert parse_location(text) == expected


def test_split_locations():
    places = split_locations("Erie, PA; Meadville, PA | Warren, PA")
    assert places == ["Erie, PA", "Meadville, PA", "Warren, PA"]
    assert split_locations("Tacoma, WA") == ["Tacoma, WA"]
    assert split_locations("  ;  ") == []
    assert split_locations(None) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("OR", "OR"),
        ("or", "OR"),
        ("Oregon", "OR"),
        ("  north carolina ", "NC"),
        ("District of Columbia", "DC"),
        ("Puerto Rico", "PR"),
        ("Ore.", None),
        ("XX", None),
        ("Ontario", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_state_code(value, expected):
    assert state_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("United States", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("US", "US"),
        ("us", "US"),
        ("U.S.A.", "US"),
        ({"name": "United States"}, "US"),
        ({"alpha2Code": "US"}, "US"),
        ("Canada", "CA"),
        ("Narnia", None),
        (None, None),
    ],
)
def test_country_code(value, expected):
    assert country_code(value) == expected


# --- employment types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FULL_TIME", "FULL_TIME"),
        ("full-time", "FULL_TIME"),
        ("Full time", "FULL_TIME"),
        ("Regular", "FULL_TIME"),
        ("FT", "FULL_TIME"),
        ("Part-time", "PART_TIME"),
        ("part time", "PART_TIME"),
        ("Regular Part-Time", "PART_TIME"),
        ("PT", "PART_TIME"),
        ("Per Diem", "PER_DIEM"),
        ("PRN", "PER_DIEM"),
        ("Intermittent", "PER_DIEM"),  # USAJOBS; the one choice used everywhere
        ("Contract", "CONTRACTOR"),
        ("Temporary", "TEMPORARY"),
        ("Seasonal", "TEMPORARY"),
        ("Intern", "INTERN"),
        ("Internship", "INTERN"),
        ("Volunteer", "VOLUNTEER"),
        ("Multiple Schedules", "OTHER"),
        ("Full-time / Part-time", "FULL_TIME"),  # the first one written
        (["PART_TIME", "FULL_TIME"], "PART_TIME"),  # a list: its first value
        ("Medical Assistant - Ft. Worth", "OTHER"),  # "Ft." is Fort, not full-time
        ("Internal Medicine", "OTHER"),
        ("", None),
        (None, None),
        ([], None),
    ],
)
def test_employment_type(value, expected):
    assert employment_type(value) == expected


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-04", "2024-11-04"),
        ("2024-10-14T23:12:00-04:00", "2024-10-14"),  # date as written, not converted to UTC
        ("2025-01-06T00:00:00.0000", "2025-01-06"),  # USAJOBS: 4 fractional digits
        ("2024-11-26T23:59:59.9970", "2024-11-26"),
        ("2024-12-31T23:59", "2024-12-31"),
        ("2024-02-30", None),
        ("11/04/2024", None),
        ("", None),
        (None, None),
        (20241104, None),
    ],
)
def test_iso_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1730822400000, "2024-11-05"),
        ("1730822400000", "2024-11-05"),
        (1730851199999, "2024-11-05"),  # 23:59:59.999 UTC is still the 5th
        (1730851200000, "2024-11-06"),
        (1.7e20, None),  # not milliseconds: no date rather than a crash
        ("soon", None),
        (True, None),
        (None, None),
    ],
)
def test_epoch_ms_to_date(value, expected):
    assert epoch_ms_to_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Posted Today", "2026-11-23"),
        ("Posted Yesterday", "2026-11-22"),
        ("Posted 4 Days Ago", "2026-11-19"),
        ("posted 1 day ago", "2026-11-22"),
        ("Posted 30+ Days Ago", None),  # unknown: never invented
        ("Recently", None),
        (None, None),
    ],
)
def test_relative_date(value, expected):
    assert relative_date(value, date(2026, 11, 23)) == expected


# --- amounts and units --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("39576.0", 39576.0),
        ("$39,576.00", 39576.0),
        (" 22.5 ", 22.5),
        (27, 27.0),
        ("", None),
        ("n/a", None),
        ("nan", None),
        (True, None),
        (None, None),
    ],
)
def test_to_float(value, expected):
    assert to_float(value) == expected


@pytest.mark.parametrize(
    ("amount", "hints", "expected"),
    [
        (17.25, (), "HOUR"),
        (349.99, (), "HOUR"),
        (350, (), None),  # 350-999: a week or month candidate; unknown
        (999, (), None),
        (1000, (), "YEAR"),
        (52000, (), "YEAR"),
        (20, ("Salary Range",), "HOUR"),  # words yield to an absurd size
        (40000, ("Hourly Pay",), "YEAR"),
        (600, ("Annual salary range",), "YEAR"),  # words decide where size cannot
        (45000, ("Annual salary range",), "YEAR"),
        (500, ("Pay Range", "paid weekly"), "WEEK"),
        (4000, ("Monthly stipend",), "MONTH"),
        (25, ("$25/hr",), "HOUR"),
        (None, (), None),
        (None, ("per hour",), "HOUR"),
    ],
)
def test_infer_salary_unit(amount, hints, expected):
    assert infer_salary_unit(amount, *hints) == expected


def test_annualize_uses_one_set_of_factors():
    assert ANNUAL_FACTORS == {"HOUR": 2080, "DAY": 260, "WEEK": 52, "MONTH": 12, "YEAR": 1}
    assert annualize(20.0, "HOUR") == 41600.0
    assert annualize(150.0, "DAY") == 39000.0
    assert annualize(45000.0, "YEAR") == 45000.0
    assert annualize(20.0, None) is None
    assert annualize(None, "HOUR") is None


# --- text and HTML ------------------------------------------------------------------------------


def test_clean_text():
    title = clean_text("  Certified Medical Assistant &amp; Scribe \n")
    assert title == "Certified Medical Assistant & Scribe"
    assert clean_text("Medical\tAssistant   II") == "Medical Assistant II"
    assert clean_text("   ") is None
    assert clean_text(None) is None


def test_decode_html_once_or_twice_when_double_encoded():
    assert decode_html("&lt;p&gt;Join us&lt;/p&gt;") == "<p>Join us</p>"
    # double-encoded: decoded again only because &lt; survived the first pass
    assert decode_html("&amp;lt;p&amp;gt;Join us&amp;lt;/p&amp;gt;") == "<p>Join us</p>"
    # a literal "&amp;" inside once-encoded HTML stays an entity of the HTML
    assert decode_html("&lt;p&gt;Salary &amp;amp; benefits&lt;/p&gt;") == "<p>Salary &amp; benefits</p>"
    assert decode_html("<p>already HTML</p>") == "<p>already HTML</p>"
    assert decode_html("") is None
    assert decode_html(None) is None


def test_html_to_text_blocks_become_lines():
    html = (
        "<h2>About</h2><p>Room patients &amp; take vitals.</p>"
        "<ul><li>CMA required</li><li>BLS</li></ul>"
        "line one<br>line two<div>a block</div><p>&nbsp;</p>"
        "<script>var x = 1;</script><style>p {}</style>"
    )
    assert html_to_text(html) == (
        "About\nRoom patients & take vitals.\n- CMA required\n- BLS\nline one\nline two\na block"
    )


def test_html_to_text_plain_text_and_empty():
    assert html_to_text("Plain   text\n\n  second line ") == "Plain text\nsecond line"
    assert html_to_text("<p> </p>") is None
    assert html_to_text("") is None
    assert html_to_text(None) is None

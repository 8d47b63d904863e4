"""USAJOBS parser: fixture payload in, expected postings out (sources.md section 6 and its traps)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.items import POSTING_FIELDS
from scraper.parsers import usajobs
from tests.conftest import fixture_json

CASES = ("search_page", "odd_fields")


def parse_case(case: str) -> list[dict]:
    items, _ = usajobs.parse_search_page(fixture_json("usajobs", f"{case}.json"))
    return [usajobs.parse_item(item) for item in items]


def by_id(case: str = "search_page") -> dict[str, dict]:
    return {p["source_id"]: p for p in parse_case(case)}


@pytest.mark.parametrize("case", CASES)
def test_fixture_matches_expected(case):
    postings = parse_case(case)
    expected = fixture_json("usajobs", f"{case}.expected.json")
    assert len(postings) == len(expected)
    for got, want in zip(postings, expected, strict=True):
        assert set(got) == set(POSTING_FIELDS)
        assert {k: v for k, v in got.items() if k != "raw"} == want


@pytest.mark.parametrize("case", CASES)
def test_raw_is_the_whole_item_with_position_id(case):
    payload = fixture_json("usajobs", f"{case}.json")
    items = payload["SearchResult"]["SearchResultItems"]
    for posting, item in zip(parse_case(case), items, strict=True):
        assert posting["raw"] == item
        # the announcement number (reused across re-announcements) stays in raw, not in the key
        assert posting["raw"]["MatchedObjectDescriptor"]["PositionID"] != posting["source_id"]


def test_page_shape_and_total():
    items, total = usajobs.parse_search_page(fixture_json("usajobs", "search_page.json"))
    assert (len(items), total) == (5, 5)
    assert usajobs.parse_search_page({"SearchResult": {"SearchResultCountAll": "0"}}) == ([], 0)
    assert usajobs.parse_search_page({"SearchResult": {"SearchResultItems": None}}) == ([], 0)


@pytest.mark.parametrize(
    "payload",
    [
        {"LanguageCode": "EN"},
        {"SearchResult": None},
        {"SearchResult": {"SearchResultItems": {"MatchedObjectId": "1"}}},
        ["not", "an", "object"],
        None,
    ],
)
def test_malformed_pages_are_structural_errors(payload):
    with pytest.raises(ValueError):
        usajobs.parse_search_page(payload)


def test_string_amounts_with_dollar_signs_and_commas():
    postings = by_id()
    assert (postings["790011122"]["salary_min"], postings["790011122"]["salary_max"]) == (39576.0, 51446.0)
    assert (postings["790022233"]["salary_min"], postings["790022233"]["salary_max"]) == (21.35, 27.8)
    odd = by_id("odd_fields")
    assert (odd["790066677"]["salary_min"], odd["790066677"]["salary_max"]) == (42285.0, 54969.0)
    assert (odd["790088899"]["salary_min"], odd["790088899"]["salary_max"]) == (19.12, 19.12)  # one figure
    assert odd["790077788"]["salary_min"] is None and odd["790077788"]["salary_source"] is None


@pytest.mark.parametrize(
    ("source_id", "unit"),
    [
        ("790011122", "YEAR"),  # PA
        ("790022233", "HOUR"),  # PH
        ("790033344", "DAY"),  # PD
        ("790044455", None),  # BW: figures kept, unit unknown
    ],
)
def test_rate_interval_codes(source_id, unit):
    posting = by_id()[source_id]
    assert posting["salary_unit"] == unit
    assert posting["salary_currency"] == "USD" and posting["salary_source"] == "structured"


def test_spelled_out_interval_of_older_payloads():
    item = fixture_json("usajobs", "search_page.json")["SearchResult"]["SearchResultItems"][0]
    item["MatchedObjectDescriptor"]["PositionRemuneration"] = [
        {"MinimumRange": "92166", "MaximumRange": "161600", "RateIntervalCode": "Per Year"}
    ]
    assert usajobs.parse_item(item)["salary_unit"] == "YEAR"


def test_city_with_state_and_full_state_names():
    msa = by_id()["790011122"]
    assert (msa["city"], msa["state"], msa["country"]) == ("Muskogee", "OK", "US")  # "Muskogee, Oklahoma"
    spokane = by_id("odd_fields")["790066677"]
    assert (spokane["city"], spokane["state"]) == ("Spokane Valley", "WA")  # not "Washington" the city
    cavazos = by_id("odd_fields")["790077788"]
    assert (cavazos["city"], cavazos["state"]) == ("Fort Cavazos", "TX")  # CityName without the state


def test_multiple_locations():
    tech = by_id()["790022233"]
    assert (tech["city"], tech["state"]) == ("Gallup", "NM")
    assert tech["all_locations"] == [["Gallup", "NM"], ["Shiprock", "NM"], ["Chinle", "AZ"]]
    # "Location Negotiable After Selection" first: no primary city is invented from the others
    negotiable = by_id()["790044455"]
    assert (negotiable["city"], negotiable["state"], negotiable["country"]) == (None, None, "US")
    assert negotiable["all_locations"] == [["Fort Liberty", "NC"]]


def test_overseas_location_is_not_made_american():
    landstuhl = by_id("odd_fields")["790088899"]
    assert (landstuhl["city"], landstuhl["state"], landstuhl["country"]) == ("Landstuhl", None, None)


def test_dates_with_four_fractional_digits():
    msa = by_id()["790011122"]
    assert (msa["date_posted"], msa["valid_through"]) == ("2024-11-12", "2024-11-26")
    naf = by_id("odd_fields")["790077788"]
    assert (naf["date_posted"], naf["valid_through"]) == ("2025-04-02", None)


def test_schedules():
    types = {p["source_id"]: p["employment_type"] for p in parse_case("search_page")}
    assert types["790011122"] == "FULL_TIME"
    assert types["790022233"] == "PART_TIME"
    assert types["790033344"] == "PER_DIEM"  # Intermittent
    assert types["790044455"] == "OTHER"  # Multiple Schedules
    assert by_id("odd_fields")["790077788"]["employment_type"] is None  # no schedule given


def test_remote_indicator():
    postings = by_id()
    assert postings["790033344"]["remote"] is True
    assert (postings["790033344"]["city"], postings["790033344"]["state"]) == (None, None)
    assert postings["790011122"]["remote"] is False
    assert by_id("odd_fields")["790066677"]["remote"] is False  # the string "false"


def test_description_sections_in_order():
    msa = by_id()["790011122"]
    text = msa["description_text"]
    order = [
        "Summary",
        "Jack C. Montgomery",
        "Duties",
        "- Schedules appointments",
        "Qualifications",
        "6 months",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Requirements\nConditions of Employment" in text
    assert "Education" not in text  # empty field: no empty section
    assert "<li>Checks patients in and out &amp; verifies insurance.</li>" in msa["description_html"]
    assert "Checks patients in and out & verifies insurance." in text


def test_html_ish_text_fields():
    tech = by_id()["790022233"]
    # real tags are kept; their entities stay entities in the HTML and are decoded in the text
    assert (
        "Eye Clinic.<br>The Health Technician performs pre-exam testing &amp; assists"
        in (tech["description_html"])
    )
    assert (
        "Eye Clinic.\nThe Health Technician performs pre-exam testing & assists" in tech["description_text"]
    )
    assert "- Takes visual acuity and tonometry readings." in tech["description_text"]
    spokane = by_id("odd_fields")["790066677"]
    # HTML sent entity-escaped is decoded once
    assert (
        "<p>Join the Mann-Grandstaff VA team.</p><p>Telework is not available.</p>"
        in (spokane["description_html"])
    )
    # MajorDuties as one string with line breaks
    assert (
        "Duties\nGreets patients\nVerifies eligibility\nSchedules follow-up visits"
        in (spokane["description_text"])
    )


def test_company_and_department():
    tech = by_id()["790022233"]
    assert tech["company"] == "Indian Health Service"
    assert tech["department"] == "Department of Health And Human Services"


def test_url_old_and_new_forms():
    postings = by_id()
    assert postings["790011122"]["url"] == "https://www.usajobs.gov/job/790011122"
    assert postings["790022233"]["url"] == "https://www.usajobs.gov:443/GetJob/ViewDetails/790022233"


@pytest.mark.parametrize(
    "item",
    [
        {"MatchedObjectId": "1"},
        {"MatchedObjectId": "1", "MatchedObjectDescriptor": {"PositionTitle": " "}},
        {"MatchedObjectDescriptor": {"PositionTitle": "Medical Support Assistant"}},
    ],
)
def test_item_without_id_or_title_raises(item):
    with pytest.raises(ValueError):
        usajobs.parse_item(item)


# --- the search URL -------------------------------------------------------------------------------


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_search_url_defaults():
    url = usajobs.SearchParams(keyword="medical assistant").url(usajobs.API_ORIGIN, 1)
    assert url.startswith("https://data.usajobs.gov/api/search?")
    assert query_of(url) == {
        "Keyword": ["medical assistant"],
        "JobCategoryCode": ["0640;0679"],  # several codes in one parameter
        "ResultsPerPage": ["250"],
        "Page": ["1"],
    }


def test_search_url_options():
    params = usajobs.SearchParams(
        keyword="medical assistant",
        job_category_codes=["0640", "0679"],
        location="Tulsa, Oklahoma",
        results_per_page=500,
        date_posted=14,
    )
    assert query_of(params.url("http://127.0.0.1:9/usa", 3)) == {
        "Keyword": ["medical assistant"],
        "JobCategoryCode": ["0640;0679"],
        "LocationName": ["Tulsa, Oklahoma"],
        "DatePosted": ["14"],
        "ResultsPerPage": ["500"],
        "Page": ["3"],
    }


@pytest.mark.parametrize(
    "options",
    [{"results_per_page": 501}, {"results_per_page": 0}, {"results_per_page": "250"}, {"date_posted": 61}],
)
def test_bad_search_options_are_refused(options):
    with pytest.raises(ValueError):
        usajobs.SearchParams(keyword="medical assistant", **options)

"""Lever parser: fixture payload in, expected postings out (sources.md section 4 and its traps)."""

from __future__ import annotations

import pytest

from scraper.items import POSTING_FIELDS
from scraper.parsers import lever
from tests.conftest import fixture_json

# case -> (site slug, company from the sources file)
CASES = {
    "basic": ("riverbend-derm", "Riverbend Dermatology"),
    "pay_intervals": ("sagebrush-health", "Sagebrush Health"),
    "remote_and_commitments": ("lumen-telehealth", None),
}


def parse_case(case: str) -> list[dict]:
    site, company = CASES[case]
    payload = fixture_json("lever", f"{case}.json")
    return [lever.parse_posting(p, site=site, company=company) for p in lever.parse_postings_list(payload)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_matches_expected(case):
    postings = parse_case(case)
    expected = fixture_json("lever", f"{case}.expected.json")
    assert len(postings) == len(expected)
    for got, want in zip(postings, expected, strict=True):
        assert set(got) == set(POSTING_FIELDS)
        assert {k: v for k, v in got.items() if k != "raw"} == want


@pytest.mark.parametrize("case", sorted(CASES))
def test_raw_keeps_the_source_json(case):
    payload = fixture_json("lever", f"{case}.json")
    for posting, source in zip(parse_case(case), payload, strict=True):
        assert posting["raw"] == {"site": CASES[case][0], **source}


def by_id(case: str) -> dict[str, dict]:
    return {p["source_id"]: p for p in parse_case(case)}


def test_createdat_milliseconds_become_a_utc_date():
    postings = by_id("basic")
    assert postings["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]["date_posted"] == "2024-11-05"  # 1730822400000
    other = by_id("remote_and_commitments")
    assert other["f3e2d1c0-1111-4aaa-9bbb-200000000001"]["date_posted"] == "2024-12-31"  # a string of ms
    assert other["f3e2d1c0-2222-4aaa-9bbb-200000000002"]["date_posted"] == "2024-12-31"  # 23:59:59.999 UTC
    assert other["f3e2d1c0-3333-4aaa-9bbb-200000000003"]["date_posted"] is None  # absent: never invented


def test_company_comes_from_config_else_the_site_slug():
    assert {p["company"] for p in parse_case("basic")} == {"Riverbend Dermatology"}
    assert {p["company"] for p in parse_case("remote_and_commitments")} == {"lumen-telehealth"}


def test_requirements_from_lists_are_in_both_descriptions():
    posting = by_id("basic")["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]
    assert "<h3>Requirements</h3>\n<ul><li>CMA or RMA</li><li>BLS</li></ul>" in posting["description_html"]
    assert "Requirements\n- CMA or RMA\n- BLS" in posting["description_text"]
    # the order is description, lists, additional
    text = posting["description_text"]
    assert text.index("room patients") < text.index("CMA or RMA") < text.index("Benefits include")


def test_html_is_not_unescaped_a_second_time():
    posting = by_id("remote_and_commitments")["f3e2d1c0-1111-4aaa-9bbb-200000000001"]
    assert "Lift &lt; 25 lb &amp; sit" in posting["description_html"]  # Lever HTML is used as sent
    assert "Lift < 25 lb & sit" in posting["description_text"]


@pytest.mark.parametrize(
    ("source_id", "pay"),
    [
        ("0a1b2c3d-0001-4e5f-8a9b-100000000001", (1680.0, 1920.4, None)),  # bi-week-salary
        ("0a1b2c3d-0002-4e5f-8a9b-100000000002", (1850.0, 2100.0, None)),  # semi-month-salary
        ("0a1b2c3d-0003-4e5f-8a9b-100000000003", (1500.0, 1500.0, None)),  # one-time
        ("0a1b2c3d-0004-4e5f-8a9b-100000000004", (1150.0, 1300.0, "WEEK")),
        ("0a1b2c3d-0005-4e5f-8a9b-100000000005", (210.0, 240.0, "DAY")),
        ("0a1b2c3d-0006-4e5f-8a9b-100000000006", (3900.0, 4400.0, "MONTH")),
        ("0a1b2c3d-0008-4e5f-8a9b-100000000008", (None, None, None)),  # salaryRange: null
    ],
)
def test_salary_intervals(source_id, pay):
    posting = by_id("pay_intervals")[source_id]
    assert (posting["salary_min"], posting["salary_max"], posting["salary_unit"]) == pay
    assert posting["salary_source"] == ("structured" if pay[0] is not None else None)


def test_decimal_salary_and_hourly_range():
    postings = by_id("basic")
    hourly = postings["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]
    assert (hourly["salary_min"], hourly["salary_max"], hourly["salary_unit"]) == (22.5, 27.0, "HOUR")
    yearly = postings["8c41d7e0-93aa-4c0e-b1f5-2a6b0d9e4f10"]
    assert (yearly["salary_min"], yearly["salary_max"], yearly["salary_unit"]) == (41600.5, 49920.75, "YEAR")


def test_missing_salary_range_falls_back_to_the_text_but_not_to_a_bonus():
    posting = by_id("pay_intervals")["0a1b2c3d-0007-4e5f-8a9b-100000000007"]
    assert (posting["salary_min"], posting["salary_max"], posting["salary_unit"]) == (19.0, 23.5, "HOUR")
    assert posting["salary_source"] == "description"


def test_salary_description_field_is_read_first():
    posting = {
        "id": "x1",
        "text": "Medical Assistant",
        "descriptionPlain": "Great team.",
        "salaryDescriptionPlain": "The pay range for this role is $21.00 - $25.00 per hour.",
    }
    parsed = lever.parse_posting(posting, site="acme")
    assert (parsed["salary_min"], parsed["salary_max"], parsed["salary_unit"]) == (21.0, 25.0, "HOUR")


def test_only_workplace_type_remote_is_remote():
    assert [p["remote"] for p in parse_case("remote_and_commitments")] == [True, False, False]
    assert [p["remote"] for p in parse_case("basic")] == [False, False]  # on-site, hybrid
    # "remote" in the text of a non-remote posting does not count
    assert (
        "remote"
        in by_id("remote_and_commitments")["f3e2d1c0-2222-4aaa-9bbb-200000000002"]["description_text"]
    )


def test_commitment_maps_onto_the_enum():
    types = {p["title"]: p["employment_type"] for c in CASES for p in parse_case(c)}
    assert types["Medical Assistant - Mohs Surgery"] == "FULL_TIME"
    assert types["Certified Medical Assistant (Float) – Part-Time"] == "PART_TIME"
    assert types["Medical Assistant - Sleep Lab"] == "PER_DIEM"  # Per Diem
    assert types["Virtual Medical Assistant"] == "PER_DIEM"  # PRN
    assert types["Medical Assistant - Travel"] == "CONTRACTOR"
    assert types["Medical Assistant Intern"] == "INTERN"
    assert types["Medical Assistant - Flu Clinic"] == "TEMPORARY"
    assert types["Medical Assistant (Back Office)"] is None  # no commitment


def test_locations_primary_and_all():
    posting = by_id("basic")["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]
    assert (posting["city"], posting["state"], posting["country"]) == ("Tacoma", "WA", "US")
    assert posting["all_locations"] == [["Tacoma", "WA"], ["Olympia", "WA"]]  # "Olympia, Washington"
    remote = by_id("remote_and_commitments")["f3e2d1c0-1111-4aaa-9bbb-200000000001"]
    assert (remote["city"], remote["state"], remote["country"]) == (None, None, "US")  # "Remote - US"
    assert remote["all_locations"] == []


def test_team_and_department():
    postings = by_id("basic")
    assert postings["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]["department"] == "Clinical"
    assert postings["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]["raw"]["categories"]["team"] == "Dermatology"
    # no department: the team stands in
    assert by_id("pay_intervals")["0a1b2c3d-0001-4e5f-8a9b-100000000001"]["department"] == "Primary Care"


def test_grouped_response_is_refused():
    with pytest.raises(ValueError, match="group="):
        lever.parse_postings_list(fixture_json("lever", "grouped.json"))


@pytest.mark.parametrize(
    "payload",
    [{"ok": False, "error": "Document not found"}, "not a list", None, 42],
)
def test_non_list_payloads_are_structural_errors(payload):
    with pytest.raises(ValueError):
        lever.parse_postings_list(payload)


def test_empty_board_is_an_empty_list():
    assert lever.parse_postings_list([]) == []


@pytest.mark.parametrize("posting", [{"text": "Medical Assistant"}, {"id": "x", "text": "  "}, {"id": "x"}])
def test_posting_without_id_or_title_raises(posting):
    with pytest.raises(ValueError):
        lever.parse_posting(posting, site="acme")


def test_postings_url():
    assert lever.postings_url(lever.API_ORIGIN, "riverbend-derm") == (
        "https://api.lever.co/v0/postings/riverbend-derm?mode=json"
    )
    assert lever.postings_url(lever.EU_API_ORIGIN, "acme", skip=100, limit=50) == (
        "https://api.eu.lever.co/v0/postings/acme?mode=json&skip=100&limit=50"
    )
    assert "group" not in lever.postings_url(lever.API_ORIGIN, "acme", skip=0, limit=10)

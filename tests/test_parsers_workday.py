"""The Workday parser on invented fixtures, one per trap in sources.md section 5."""

from __future__ import annotations

from datetime import date

import pytest

from scraper.parsers import workday as wd
from scraper.parsers.pay import find_pay
from tests.conftest import FIXTURES, fixture_json

RUN_DATE = date(2026, 11, 23)  # the run's clock; relative "postedOn" resolves against it
CASES = sorted(p.name.removesuffix(".expected.json") for p in (FIXTURES / "workday").glob("*.expected.json"))


def parse_case(case: str, **kwargs):
    data = fixture_json("workday", f"{case}.json")
    board = wd.board_from_url(data["board_url"])
    return wd.parse_job(data["item"], data["detail"], board=board, today=RUN_DATE, **kwargs)


@pytest.mark.parametrize("case", CASES)
def test_case_matches_expected(case):
    posting = parse_case(case)
    expected = fixture_json("workday", f"{case}.expected.json")
    got = {k: v for k, v in posting.items() if k in expected}
    assert got == expected
    assert posting["raw"]["externalPath"]  # the key for fetching the detail is kept


def test_cases_cover_the_traps():
    assert {
        "family_medicine",
        "multi_location",
        "prn_list_only",
        "remote_dotted",
        "facility_location",
    } <= set(CASES)


def test_board_from_cxs_url():
    board = wd.board_from_url("https://bannerhealth.wd108.myworkdayjobs.com/wday/cxs/bannerhealth/Careers")
    assert board == wd.Board(
        host="bannerhealth.wd108.myworkdayjobs.com", tenant="bannerhealth", site="Careers"
    )
    assert board.public_origin == "https://bannerhealth.wd108.myworkdayjobs.com"
    with pytest.raises(ValueError, match="CXS root"):
        wd.board_from_url("https://bannerhealth.wd108.myworkdayjobs.com/en-US/Careers")


def test_list_request_is_a_post_body_with_limit_20():
    body = wd.list_body(40, "medical assistant", {"timeType": ["abc123"]})
    assert body == {
        "appliedFacets": {"timeType": ["abc123"]},
        "limit": 20,
        "offset": 40,
        "searchText": "medical assistant",
    }
    assert wd.list_body(0, None)["appliedFacets"] == {}
    root = "https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site"
    assert wd.list_url(root + "/") == root + "/jobs"
    assert wd.detail_url(root, "/job/X_1") == root + "/job/X_1"


def test_list_page_total_and_postings():
    page = wd.parse_list_page(fixture_json("workday", "list_page_1.json"))
    assert page.total == 41
    assert len(page.postings) == 4  # the non-object entry is skipped
    later = wd.parse_list_page(fixture_json("workday", "list_page_later.json"))
    assert later.total == 0 and len(later.postings) == 1  # "total: 0" on a later page is not the truth
    with pytest.raises(ValueError, match="jobPostings"):
        wd.parse_list_page({"errorCode": "HTTP_400", "message": "limit must be <= 20"})
    with pytest.raises(ValueError):
        wd.parse_list_page([])


def test_source_id_fallbacks():
    item = {"externalPath": "/job/A/Medical-Assistant_JR-1", "bulletFields": ["JR-2"]}
    assert wd.job_req_id(item, {"jobReqId": "JR-3"}) == "JR-3"  # detail first
    assert wd.job_req_id(item, None) == "JR-2"  # then bulletFields[0]
    assert wd.job_req_id({"externalPath": "/job/A/Medical-Assistant_JR-1"}, None) == "JR-1"  # then the path
    assert wd.job_req_id({"externalPath": "/job/A/No-Id-Here"}, None) is None
    board = wd.board_from_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site")
    with pytest.raises(ValueError, match="jobReqId"):
        wd.parse_job(
            {"title": "Medical Assistant", "externalPath": "/job/A/B"}, None, board=board, today=RUN_DATE
        )
    with pytest.raises(ValueError, match="title"):
        wd.parse_job({"externalPath": "/job/A/B_1"}, None, board=board, today=RUN_DATE)


def test_relative_dates_against_run_date():
    board = wd.board_from_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site")

    def posted(text: str, start: str | None = None):
        detail = {"jobPostingInfo": {"title": "Medical Assistant", "startDate": start}} if start else None
        item = {"title": "Medical Assistant", "externalPath": "/job/A/B_1", "postedOn": text}
        return wd.parse_job(item, detail, board=board, today=RUN_DATE)["date_posted"]

    assert posted("Posted Today") == "2026-11-23"
    assert posted("Posted Yesterday") == "2026-11-22"
    assert posted("Posted 4 Days Ago") == "2026-11-19"
    assert posted("Posted 30+ Days Ago") is None  # unknown, never invented
    assert posted("Posted 30+ Days Ago", start="2026-09-01") == "2026-09-01"  # the detail's startDate wins
    assert posted("sometime") is None


def test_n_locations_without_detail_has_no_place():
    board = wd.board_from_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site")
    item = {"title": "Medical Assistant", "externalPath": "/job/A/B_1", "locationsText": "4 Locations"}
    posting = wd.parse_job(item, None, board=board, today=RUN_DATE)
    assert (posting["city"], posting["state"], posting["all_locations"]) == (None, None, [])


def test_url_is_on_the_real_host_and_company_falls_back_to_config():
    data = fixture_json("workday", "prn_list_only.json")
    board = wd.board_from_url(data["board_url"])
    posting = wd.parse_job(data["item"], None, board=board, today=RUN_DATE, company="Summit Valley Health")
    assert posting["url"].startswith("https://summitvalley.wd1.myworkdayjobs.com/SVHCareers/job/")
    assert posting["company"] == "Summit Valley Health"
    assert posting["raw"]["list"] == data["item"] and "detail" not in posting["raw"]


def test_detail_company_beats_config_and_similar_jobs_not_kept():
    posting = parse_case("family_medicine", company="Config Name")
    assert posting["company"] == "Summit Valley Health"
    assert "similarJobs" not in posting["raw"]["detail"]
    # Plain HTML is kept byte for byte: literal entities are not decoded into markup.
    assert "lift &lt; 25 lbs" in posting["description_html"]


def test_sign_on_bonus_and_differential_are_not_pay():
    posting = parse_case("family_medicine")
    assert (posting["salary_min"], posting["salary_max"]) == (17.8, 23.1)  # not the $1,000 bonus
    posting = parse_case("facility_location")
    assert (posting["salary_min"], posting["salary_max"]) == (21.35, 28.8)  # not the $2.00 differential
    board = wd.board_from_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site")
    detail = {
        "jobPostingInfo": {"title": "Medical Assistant", "jobDescription": "<p>$750 sign-on bonus!</p>"}
    }
    posting = wd.parse_job(
        {"title": "Medical Assistant", "externalPath": "/job/A/B_1"}, detail, board=board, today=RUN_DATE
    )
    assert posting["salary_min"] is None and posting["salary_source"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$16.40 - $21.90 per hour", (16.4, 21.9, "HOUR")),
        ("$17.00/hr – $22.50/hr", (17.0, 22.5, "HOUR")),
        ("$21.35 to $28.80 hourly", (21.35, 28.8, "HOUR")),
        ("$46,500.00 - $61,000.00 annually", (46500.0, 61000.0, "YEAR")),
        ("$18.75/hour", (18.75, 18.75, "HOUR")),
        ("$45k–$53k", (45000.0, 53000.0, "YEAR")),
        ("$750 sign-on bonus", None),
        ("$2.00/hour night differential", None),
    ],
)
def test_find_pay_on_the_sources_md_examples(text, expected):
    """Workday pay is text only, so the shared pay parser must read every example in the spec."""
    pay = find_pay(f"<p>{text}</p>")
    assert (None if pay is None else (pay.min, pay.max, pay.unit)) == expected


def test_per_diem_in_title_beats_time_type():
    board = wd.board_from_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site")
    for title in ("Medical Assistant Per Diem", "Medical Assistant (PRN)", "Medical Assistant - Per-Diem"):
        item = {"title": title, "externalPath": "/job/A/B_1", "timeType": "Part time"}
        assert wd.parse_job(item, None, board=board, today=RUN_DATE)["employment_type"] == "PER_DIEM"
    item = {"title": "Medical Assistant", "externalPath": "/job/A/B_1", "timeType": "Part time"}
    assert wd.parse_job(item, None, board=board, today=RUN_DATE)["employment_type"] == "PART_TIME"
    item = {"title": "Medical Assistant", "externalPath": "/job/A/B_1"}
    assert wd.parse_job(item, None, board=board, today=RUN_DATE)["employment_type"] is None


def test_usa_remote_keeps_the_country():
    board = wd.board_from_url("https://t.wd1.myworkdayjobs.com/wday/cxs/t/Site")
    item = {
        "title": "Medical Assistant",
        "externalPath": "/job/A/B_1",
        "locationsText": "USA - Remote",
        "remoteType": "Remote",
    }
    posting = wd.parse_job(item, None, board=board, today=RUN_DATE)
    assert (posting["city"], posting["state"], posting["country"], posting["remote"]) == (
        None,
        None,
        "US",
        True,
    )


def test_find_pay_amount_followed_by_a_comma():
    # Real pay-transparency phrasing (and the demo world's): a comma right after the top of the range.
    pay = find_pay("The hourly range for this role is $20.65 to $24.93, based on experience.")
    assert pay is not None and (pay.min, pay.max, pay.unit) == (20.65, 24.93, "HOUR")

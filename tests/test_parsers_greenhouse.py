"""Greenhouse parser: fixture payloads in, expected postings out (sources.md section 3 and its traps)."""

from __future__ import annotations

import logging

import pytest

from scraper.items import POSTING_FIELDS
from scraper.parsers import greenhouse as gh
from tests.conftest import fixture_json

BOARD = "cascadeclinic"
BOARD_NAME = "Cascade Clinic"


def traps() -> list[dict]:
    jobs = gh.parse_jobs_list(fixture_json("greenhouse", "traps.json"))
    details = fixture_json("greenhouse", "traps_details.json")
    return [gh.parse_job(j, details.get(str(j["id"])), board=BOARD, board_name=BOARD_NAME) for j in jobs]


def by_id() -> dict[str, dict]:
    return {p["source_id"]: p for p in traps()}


def test_traps_fixture_matches_expected():
    postings = traps()
    expected = fixture_json("greenhouse", "traps.expected.json")
    assert len(postings) == len(expected) == 6
    for got, want in zip(postings, expected, strict=True):
        assert set(got) == set(POSTING_FIELDS)
        assert {k: v for k, v in got.items() if k != "raw"} == want


def test_raw_keeps_list_entry_and_detail():
    posting = by_id()["7020000002"]
    assert posting["raw"]["board"] == BOARD
    assert posting["raw"]["internal_job_id"] == 6650002002  # from the list entry
    assert posting["raw"]["pay_input_ranges"][0]["min_cents"] == 50000  # from the detail


# --- escaped content ----------------------------------------------------------------------------


def test_escaped_content_is_decoded_once():
    (job,) = [j for j in fixture_json("greenhouse", "jobs.json")["jobs"] if j["id"] == 7012345001]
    posting = gh.parse_job(job, board="pinecrest")
    assert posting["description_html"] == (
        "<p>Join our urgent care team.</p><ul><li>CMA or RMA required</li><li>BLS</li></ul>"
    )
    assert posting["description_text"] == "Join our urgent care team.\n- CMA or RMA required\n- BLS"


def test_double_escaped_content_is_decoded_twice():
    posting = by_id()["7020000001"]
    # "&amp;lt;p&amp;gt;" -> "<p>"; the text's own "&amp;amp;amp;" ends as the HTML entity "&amp;"
    assert (
        posting["description_html"]
        == "<p>Room patients &amp; take vitals.</p><ul><li>CCMA preferred</li></ul>"
    )
    assert posting["description_text"] == "Room patients & take vitals.\n- CCMA preferred"


def test_list_without_content_flag_has_no_description():
    posting = gh.parse_job(
        {"id": 1, "title": "Medical Assistant", "location": {"name": "Erie, PA"}}, board="b"
    )
    assert posting["description_html"] is None and posting["description_text"] is None


def test_title_entities_are_decoded():
    assert by_id()["7020000005"]["title"] == "Medical Assistant & Scribe"


# --- pay in cents with no unit --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_id", "pay"),
    [
        ("7020000001", (18.0, 22.0, "HOUR")),  # under 350: hourly by size
        ("7020000002", (500.0, 600.0, None)),  # 350-999: week or month? unknown
        ("7020000003", (42000.0, 48000.0, "YEAR")),  # 1,000 or more: yearly by size
        ("7020000004", (900.0, 950.0, "WEEK")),  # the blurb says "weekly"
        ("7020000006", (400.0, 400.0, "HOUR")),  # the title says "Hourly": words beat size
    ],
)
def test_cents_without_unit(source_id, pay):
    posting = by_id()[source_id]
    assert (posting["salary_min"], posting["salary_max"], posting["salary_unit"]) == pay
    assert posting["salary_currency"] == "USD" and posting["salary_source"] == "structured"


def test_ambiguous_band_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="scraper.parsers.greenhouse"):
        traps()
    messages = [r.getMessage() for r in caplog.records]
    assert any("500.0-600.0" in m and "unit left unknown" in m for m in messages)


def test_empty_pay_ranges_fall_back_to_the_text_but_not_the_bonus():
    posting = by_id()["7020000005"]
    assert (posting["salary_min"], posting["salary_max"], posting["salary_unit"]) == (19.5, 23.0, "HOUR")
    assert posting["salary_source"] == "description"


def test_no_detail_no_structured_pay():
    job = fixture_json("greenhouse", "traps.json")["jobs"][0]
    posting = gh.parse_job(job, None, board=BOARD)
    assert (posting["salary_min"], posting["salary_unit"], posting["salary_source"]) == (None, None, None)


def test_one_sided_range():
    job = {"id": 9, "title": "Medical Assistant", "location": {"name": "Erie, PA"}}
    detail = {"pay_input_ranges": [{"min_cents": 2100, "max_cents": None, "currency_type": "USD"}]}
    posting = gh.parse_job(job, detail, board="b")
    assert (posting["salary_min"], posting["salary_max"], posting["salary_unit"]) == (21.0, 21.0, "HOUR")


# --- locations ----------------------------------------------------------------------------------


def test_multi_location_string_first_is_primary():
    posting = by_id()["7020000002"]
    assert (posting["city"], posting["state"], posting["country"]) == ("Boise", "ID", "US")
    assert posting["all_locations"] == [
        ["Boise", "ID"],
        ["Meridian", "ID"],
        ["Nampa", "ID"],
    ]  # "Nampa, Idaho"


def test_full_state_names():
    posting = by_id()["7020000001"]
    assert (posting["city"], posting["state"]) == ("Salem", "OR")  # "Salem, Oregon"


def test_useless_location_falls_back_to_the_office():
    posting = by_id()["7020000005"]  # "Multiple Locations"
    assert (posting["city"], posting["state"], posting["country"]) == ("Kansas City", "MO", "US")


@pytest.mark.parametrize(
    ("source_id", "remote", "place"),
    [
        ("7020000003", True, (None, None)),  # "Remote", office named Remote
        ("7020000004", True, (None, "OR")),  # "Remote - Oregon"
        ("7020000001", False, ("Salem", "OR")),
    ],
)
def test_remote_locations(source_id, remote, place):
    posting = by_id()[source_id]
    assert posting["remote"] is remote
    assert (posting["city"], posting["state"]) == place


def test_office_named_remote_alone_makes_it_remote():
    job = {
        "id": 3,
        "title": "Medical Assistant",
        "location": {"name": "Portland, OR"},
        "offices": [{"name": "Remote"}],
    }
    assert gh.parse_job(job, board="b")["remote"] is True


# --- metadata, dates, company ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_id", "employment_type"),
    [
        ("7020000001", None),  # metadata null, nothing in the title
        ("7020000002", "PART_TIME"),  # metadata list without a type field: the title says Part-Time
        ("7020000003", "FULL_TIME"),  # "Employment Type": "Full-time"
        ("7020000004", "PER_DIEM"),  # "Job Type": ["Per Diem"] (multi-select)
        ("7020000005", None),  # metadata []
    ],
)
def test_metadata_null_or_list(source_id, employment_type):
    assert by_id()[source_id]["employment_type"] == employment_type


def test_first_published_beats_updated_at_and_keeps_its_own_date():
    postings = by_id()
    # first_published 2024-10-31T22:30-07:00 is Nov 1 in UTC: the posting's own date is kept
    assert postings["7020000002"]["date_posted"] == "2024-10-31"
    # no first_published: updated_at
    assert postings["7020000001"]["date_posted"] == "2024-11-02"


def test_company_name_beats_board_name():
    postings = by_id()
    assert postings["7020000003"]["company"] == "Cascade Telehealth"
    assert postings["7020000001"]["company"] == BOARD_NAME


def test_department_names():
    assert by_id()["7020000001"]["department"] == "Family Medicine"
    assert by_id()["7020000002"]["department"] is None


# --- structural errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{"meta": {"total": 0}}, {"jobs": None}, [], None])
def test_jobs_payload_without_jobs_list(payload):
    with pytest.raises(ValueError):
        gh.parse_jobs_list(payload)


def test_board_name():
    assert gh.parse_board_name({"name": " Cascade  Clinic ", "content": ""}) == "Cascade Clinic"
    with pytest.raises(ValueError):
        gh.parse_board_name(["not", "an", "object"])


@pytest.mark.parametrize("job", [{"title": "Medical Assistant"}, {"id": 5, "title": ""}])
def test_job_without_id_or_title(job):
    with pytest.raises(ValueError):
        gh.parse_job(job, board="b")


def test_urls():
    assert (
        gh.jobs_url(gh.API_ORIGIN, "acme")
        == "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true"
    )
    assert gh.job_url(gh.API_ORIGIN, "acme", 7) == (
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs/7?pay_transparency=true"
    )

"""The JSON-LD / microdata parser on invented pages, one per trap in sources.md section 2."""

from __future__ import annotations

import json

import pytest

from scraper.parsers import jsonld
from tests.conftest import FIXTURES, fixture_json, fixture_text

CASES = sorted(p.name.removesuffix(".expected.json") for p in (FIXTURES / "jsonld").glob("*.expected.json"))


def parse_case(case: str, **kwargs) -> jsonld.PageResult:
    expected = fixture_json("jsonld", f"{case}.expected.json")
    return jsonld.parse_page(fixture_text("jsonld", f"{case}.html"), expected["page_url"], **kwargs)


@pytest.mark.parametrize("case", CASES)
def test_case_matches_expected(case):
    expected = fixture_json("jsonld", f"{case}.expected.json")
    result = parse_case(case)
    assert result.syntax == expected["syntax"]
    assert len(result.broken_blocks) == expected["broken_blocks"]
    assert len(result.skipped) == expected.get("skipped", 0)
    assert len(result.postings) == len(expected["postings"])
    for posting, want in zip(result.postings, expected["postings"], strict=True):
        assert {k: posting[k] for k in want} == want
        assert posting["source"] == "jsonld"
        json.dumps(posting["raw"])  # raw is stored as JSON


def test_cases_cover_the_traps():
    assert {
        "graph_org_ref",
        "broken_block",
        "cdata_trailing_commas",
        "hospital_remote",
        "microdata_only",
        "list_two_postings",
        "address_variants",
    } <= set(CASES)


def test_site_key_prefixes_identifier_ids_only():
    result = parse_case("graph_org_ref", site_key="jobs.harborfamilyclinic.example")
    assert result.postings[0]["source_id"] == "jobs.harborfamilyclinic.example:HFC-0087"
    # A URL is unique on its own: no prefix.
    result = parse_case("cdata_trailing_commas", site_key="riverbendim.example")
    assert result.postings[0]["source_id"] == "https://riverbendim.example/careers/job/CMA-2291"


def test_graph_reference_and_requirements_kept_raw():
    (posting,) = parse_case("graph_org_ref").postings
    raw = posting["raw"]
    assert raw["hiringOrganization"] == {
        "@id": "https://jobs.harborfamilyclinic.example/#org"
    }  # stored as-is
    assert raw["educationRequirements"]["credentialCategory"] == "high school"
    assert raw["experienceRequirements"]["monthsOfExperience"] == 12
    assert raw["skills"] == "Phlebotomy, EHR (Epic)"
    assert raw["occupationalCategory"].startswith("31-9092")
    assert raw["_syntax"] == "json-ld"


def test_broken_block_beside_a_good_one():
    result = parse_case("broken_block")
    assert len(result.broken_blocks) == 1 and "block 1" in result.broken_blocks[0]
    assert [p["title"] for p in result.postings] == ["Medical Assistant - Pediatrics"]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1, 2,],}',
        '//<![CDATA[\n{"a": 1}\n//]]>',
        '<!--\n{"a": 1}\n-->',
        '/*<![CDATA[*/{"a": 1}/*]]>*/',
        '{"a": "line one\nline\ttwo"}',
        '\n  {"a": 1},\n',
    ],
)
def test_lenient_json(text):
    assert jsonld.loads_lenient(text)["a"] in (1, "line one\nline\ttwo")


def test_lenient_json_gives_up_on_truncation():
    with pytest.raises(ValueError):
        jsonld.loads_lenient('{"@type": "JobPosting", "title": "Medical Ass')


def test_type_spellings():
    for t in (
        "JobPosting",
        ["Thing", "JobPosting"],
        "http://schema.org/JobPosting",
        "https://schema.org/JobPosting",
    ):
        assert jsonld.is_type({"@type": t}, "JobPosting"), t
    assert jsonld.is_type({"@type": "schema:JobPosting"}, "JobPosting")
    assert not jsonld.is_type({"@type": "JobPostingList"}, "JobPosting")
    assert not jsonld.is_type({"title": "x"}, "JobPosting")


def test_flatten_and_nested_posting():
    data = [
        {
            "@graph": [
                {"@type": "WebPage", "mainEntity": {"@type": "JobPosting", "title": "Medical Assistant"}}
            ]
        },
        {"@type": "Organization", "@id": "#o", "name": "X"},
    ]
    nodes = jsonld.flatten(data)
    assert [n["@type"] for n in nodes] == ["WebPage", "Organization"]
    assert [p["title"] for p in jsonld.find_job_postings(nodes)] == ["Medical Assistant"]
    assert jsonld.resolve({"@id": "#o"}, jsonld.build_index(nodes))["name"] == "X"
    assert jsonld.resolve({"@id": "#missing"}, {}) == {"@id": "#missing"}


def test_escaped_description_unescaped_once():
    (posting,) = parse_case("cdata_trailing_commas").postings
    assert posting["description_html"].startswith("<p>Room patients &amp; scribe")  # once, not twice


def test_estimated_salary_ignored_and_bare_number_inferred():
    (posting,) = parse_case("cdata_trailing_commas").postings
    assert (posting["salary_min"], posting["salary_unit"]) == (21.5, "HOUR")  # not the 30k-90k estimate


def test_date_posted_is_the_date_as_written():
    (posting,) = parse_case("broken_block").postings
    assert posting["date_posted"] == "2026-11-02"  # 22:30 -08:00 is the 3rd in UTC: not converted


def test_microdata_only_page():
    (posting,) = parse_case("microdata_only").postings
    assert (
        posting["description_text"]
        == "Check in patients and assist with skin checks.\nOne year of clinic experience"
    )
    assert posting["raw"]["_syntax"] == "microdata"


def test_js_injected_and_app_shell_pages_are_flagged():
    result = jsonld.parse_page(
        fixture_text("jsonld", "js_injected.html"), "https://summitortho.example/jobs/88"
    )
    assert result.postings == [] and "script writes the ld+json" in (result.js_hint or "")
    result = jsonld.parse_page(
        fixture_text("jsonld", "app_shell.html"), "https://summitortho.example/jobs/89"
    )
    assert result.postings == [] and "empty app shell" in (result.js_hint or "")
    assert jsonld.parse_page("", "https://x.example/j/1").js_hint == "empty page"


def test_expired_page_without_markup_is_not_flagged_as_js():
    result = jsonld.parse_page(fixture_text("jsonld", "expired_no_markup.html"), "https://x.example/jobs/1")
    assert result.postings == [] and result.syntax is None and result.js_hint is None


def test_job_links_one_hop():
    html = fixture_text("jsonld", "search_page.html")
    links = jsonld.job_links(html, "https://careers.cumberlandhealth.example/search/jobs/in/tennessee")
    assert links == [
        "https://careers.cumberlandhealth.example/jobs/17513377-medical-assistant-primary-care",
        "https://careers.cumberlandhealth.example/jobs/17513401-echo-technician",
        "https://apply.atsvendor.example/jobs/17513377/apply",  # other hosts are left to the caller
    ]
    assert jsonld.job_links(html, "https://c.example/s", pattern=r"/search/jobs/in/") == [
        "https://c.example/search/jobs/in/tennessee?page=2"
    ]


def test_salary_shapes():
    def pay(base):
        node = {
            "@type": "JobPosting",
            "title": "Medical Assistant",
            "url": "https://x.example/j/1",
            "baseSalary": base,
        }
        p = jsonld.parse_job_posting(
            node, index={}, page_url="https://x.example/j/1", canonical=None, alone=True
        )
        return (p["salary_min"], p["salary_max"], p["salary_unit"], p["salary_source"])

    assert pay(
        {"currency": "USD", "value": {"minValue": "$38,000", "maxValue": 44000, "unitText": "YEAR"}}
    ) == (
        38000.0,
        44000.0,
        "YEAR",
        "structured",
    )
    assert pay({"value": {"minValue": 24, "maxValue": 19}}) == (19.0, 24.0, "HOUR", "structured")  # swapped
    assert pay("52000") == (52000.0, 52000.0, "YEAR", "structured")  # a bare number: unit by magnitude
    assert pay({"value": {"value": 600}}) == (600.0, 600.0, None, "structured")  # 350-1000: unknown
    assert pay([{"value": {"minValue": 2800, "maxValue": 3200, "unitText": "MONTH"}}]) == (
        2800.0,
        3200.0,
        "MONTH",
        "structured",
    )
    assert pay(None) == (None, None, None, None)


def test_remote_rules():
    def remote(**extra):
        node = {"@type": "JobPosting", "title": "Medical Assistant", "url": "https://x.example/j/1", **extra}
        p = jsonld.parse_job_posting(
            node, index={}, page_url="https://x.example/j/1", canonical=None, alone=True
        )
        return p["remote"]

    assert remote(jobLocationType="TELECOMMUTE")
    assert remote(jobLocationType=["TELECOMMUTE"])
    assert remote(applicantLocationRequirements={"@type": "State", "name": "Oregon"})
    place = {"@type": "Place", "address": {"addressLocality": "Salem", "addressRegion": "OR"}}
    assert not remote(applicantLocationRequirements={"@type": "Country", "name": "USA"}, jobLocation=place)
    assert not remote(
        description="<p>Remote patient monitoring program; hybrid schedule.</p>", jobLocation=place
    )


def test_node_without_title_is_skipped():
    html = (
        '<script type="application/ld+json">{"@type": "JobPosting", "url": "https://x.example/j/1"}</script>'
        "<p>Some page text</p>"
    )
    result = jsonld.parse_page(html, "https://x.example/j/1")
    assert result.postings == [] and result.skipped == ["JobPosting without title or name"]
    assert result.syntax == "json-ld"

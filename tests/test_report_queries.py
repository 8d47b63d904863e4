"""The canned queries (for Datasette) are the report's own SQL: run self-contained on a read-only
connection, they give the figures the report printed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from matcher import report_queries as rq
from matcher.report.guide import load_guide
from scraper.parsers.normalize import ANNUAL_FACTORS
from tests.test_report import hand_db, report, small_guide  # noqa: F401 - shared fixtures

PARAMS = {
    "week_start": "2026-11-23",
    "week_end": "2026-11-30",
    "previous_start": "2026-11-16",
    "trend_start": "2026-10-05",
    "pay_low": 10000.0,
    "pay_high": 300000.0,
}


def _run(db_path: Path, sql: str, **extra) -> list[dict]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)  # as Datasette serves it
    conn.row_factory = sqlite3.Row
    try:
        params = {k: v for k, v in {**PARAMS, **extra}.items() if f":{k}" in sql}
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def test_every_canned_query_runs_read_only(hand_db, small_guide):  # noqa: F811
    canned = rq.canned_queries(load_guide(small_guide))
    assert {
        "report_headline",
        "report_labels",
        "report_label_sets",
        "report_pay_gap_cert_unlocks_pay",
    } <= set(canned)
    for name, query in canned.items():
        rows = _run(hand_db, query["sql"], stage="entry", ranks="[1, 2]")
        assert isinstance(rows, list), name


def test_canned_figures_match_the_report(hand_db, small_guide, report):  # noqa: F811
    canned = rq.canned_queries(load_guide(small_guide))
    headline = _run(hand_db, canned["report_headline"]["sql"])[0]
    assert headline["ma_active"] == report["headline"]["ma_active"] == 8
    assert headline["ma_new"] == report["headline"]["ma_new"]
    by_source = _run(hand_db, canned["report_by_source"]["sql"])
    assert by_source == report["headline"]["by_source"]
    trend = _run(hand_db, canned["report_trend"]["sql"])
    assert [(t["active"], t["new"]) for t in trend] == [
        (t["active"], t["new"]) for t in report["headline"]["trend"]
    ]
    sets = {(r["name"], r["stage"]): r for r in _run(hand_db, canned["report_label_sets"]["sql"])}
    rec = next(r for r in report["recommendations"] if r["id"] == "entry-ma-cert")
    assert sets[("rec:entry-ma-cert", "entry")]["asked"] == rec["counts"]["asked"] == 2
    gap = {r["side"]: r for r in _run(hand_db, canned["report_pay_gap_cert_unlocks_pay"]["sql"])}
    assert (gap["a"]["n"], gap["b"]["n"]) == (2, 2)
    ranks = _run(hand_db, canned["report_pay_ranks"]["sql"], stage="entry", ranks=json.dumps([1, 4]))
    assert [r["x"] for r in ranks] == [18 * ANNUAL_FACTORS["HOUR"], 21 * ANNUAL_FACTORS["HOUR"]]


@pytest.mark.parametrize(("unit", "factor"), sorted(ANNUAL_FACTORS.items()))
def test_annual_pay_uses_the_one_set_of_factors(unit, factor):
    assert f"when '{unit}' then {factor}" in rq.ANNUAL_PAY


def test_guide_labels_are_quoted_in_sql():
    assert rq._q("O'Brien") == "'O''Brien'"


def test_pay_bounds_given_as_text_as_datasette_passes_them(hand_db, small_guide):  # noqa: F811
    """Datasette's form values are strings: the pay queries give the same figures with "10000"."""
    canned = rq.canned_queries(load_guide(small_guide))
    as_text = {"pay_low": "10000", "pay_high": "300000.0"}
    pay = [name for name, query in canned.items() if ":pay_low" in query["sql"]]
    assert {"report_pay_summary", "report_pay_ranks", "report_pay_gap_cert_unlocks_pay"} <= set(pay)
    for name in pay:
        sql = canned[name]["sql"]
        extra = {"stage": "entry", "ranks": json.dumps([1, 4])}
        numbers = _run(hand_db, sql, **extra)
        assert numbers, name
        assert _run(hand_db, sql, **extra, **as_text) == numbers, name


def test_salary_in_another_currency_is_not_read_as_dollars(tmp_path):
    """A structured salary in Canadian dollars is no US pay, nor is the matcher's reading of the
    posting's text, which states the same pay ("$24 - $28 CAD an hour"): the posting has no pay,
    in the report's SQL and in the views."""
    from scraper.items import new_posting
    from scraper.store import open_db, save_postings

    db = open_db(tmp_path / "p.db")
    pay = {"salary_min": 50000.0, "salary_max": 50000.0, "salary_unit": "YEAR", "salary_source": "structured"}
    save_postings(
        db,
        [
            new_posting("lever", "usd", "Medical Assistant", salary_currency="USD", **pay),
            new_posting("lever", "none", "Medical Assistant", salary_currency=None, **pay),  # dollars
            new_posting("lever", "cad", "Medical Assistant", salary_currency="CAD", **pay),
            new_posting("lever", "cad-text", "Medical Assistant", salary_currency="cad", **pay),
            new_posting("jobspy", "usd-text", "Medical Assistant", salary_currency="USD"),
            new_posting("jsonld", "dollar-sign", "Medical Assistant", salary_currency=" US$ ", **pay),
        ],
    )
    db.execute("update postings set pay_min = 24, pay_max = 28, pay_unit = 'HOUR' where id like '%-text'")
    db.conn.commit()
    sql = f"select p.source_id, {rq.ANNUAL_PAY}, {rq.PAY_SOURCE} from postings p"
    got = {r[0]: (r[1], r[2]) for r in db.execute(sql).fetchall()}
    hourly = 26 * ANNUAL_FACTORS["HOUR"]
    assert got == {
        "usd": (50000.0, "structured"),
        "none": (50000.0, "structured"),
        "cad": (None, None),
        "cad-text": (None, None),
        "usd-text": (hourly, "matcher"),
        "dollar-sign": (50000.0, "structured"),  # a site's JSON-LD spelling of dollars
    }
    view = db.execute("select source, annual_mid, pay_source from posting_pay").fetchall()
    structured = ("lever", 50000.0, "structured")
    jsonld = ("jsonld", 50000.0, "structured")
    assert sorted(view) == [("jobspy", hourly, "matcher"), jsonld, structured, structured]

"""The weekly report's numbers, checked against a small hand-built database.

Week 2026-W48 runs Monday 2026-11-23 to Sunday 2026-11-29. The postings below are chosen so that
every figure can be worked out by hand (done next to each assert). The guide is the real
data/guide.yaml with its minimum counts lowered to 2, so a handful of postings can earn verdicts.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from scipy import stats as sp_stats

from matcher.cli import cli
from matcher.report import ReportDataError, write_report
from matcher.report.figures import gap_verdict, share_verdict
from matcher.report.guide import GUIDE_PATH
from matcher.report.weeks import Week, WeekError, latest_week, parse_week
from scraper.parsers.normalize import ANNUAL_FACTORS
from tests.report_db import crawl_run, new_db, posting

H = ANNUAL_FACTORS["HOUR"]
XSS_TITLE = "<script>alert(1)</script> Medical Assistant"
XSS_COMPANY = "Evil & <b>Co</b> | [x](javascript:alert(1))"


@pytest.fixture(scope="module")
def small_guide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("guide")
    raw = yaml.safe_load(GUIDE_PATH.read_text(encoding="utf-8"))
    raw["rules"]["min_postings"] = 2
    raw["rules"]["min_pay_postings"] = 2
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "jobs.db"
    db = new_db(path)
    # --- entry stage: active in W48 are e1, e2, e3, e6 (+ its duplicate), e7 ---
    posting(db, "e1", first_seen="2026-11-24T10:00:00+00:00", title=XSS_TITLE, company=XSS_COMPANY,
            tags=[("certification", "CMA", "required"), ("certification", "BLS", "required"),
                  ("ehr", "Epic", None), ("skill", "vital signs", None)],
            pay=(20, 22, "HOUR"), years=0)  # fmt: skip
    # Structured salary wins over the matcher's reading: (40000 + 44000) / 2 = 42000.
    posting(db, "e2", source="lever", state="WA", first_seen="2026-11-10T08:00:00+00:00",
            tags=[("certification", "CMA", "preferred"), ("certification", "RMA", "preferred"),
                  ("ehr", "Oracle Health", None)],
            salary=(40000, 44000, "YEAR"), pay=(10, 10, "HOUR"), years=1)  # fmt: skip
    # Closed during the week: still active (not closed before the week's start). No pay.
    posting(db, "e3", first_seen="2026-11-16T08:00:00+00:00", closed_at="2026-11-25T08:00:00+00:00",
            tags=[("certification", "BLS", "preferred")])  # fmt: skip
    # Closed before the week: not active in W48 (active in W47 and before).
    posting(db, "e4", first_seen="2026-11-01T08:00:00+00:00", closed_at="2026-11-20T08:00:00+00:00",
            tags=[("certification", "CMA", "required")])  # fmt: skip
    # First seen the Monday after the week: not active.
    posting(db, "e5", first_seen="2026-11-30T00:00:00+00:00", tags=[("certification", "CMA", "required")])
    # One job seen twice (dedup group g1): counted once, from its first sighting (11-20, not new),
    # represented by its smallest id (greenhouse:e6). Pay from the description: 18 * 2080.
    posting(db, "e6", first_seen="2026-11-20T08:00:00+00:00", dedup_group="g1",
            tags=[("certification", "CCMA", "required"), ("certification", "BLS", "required")],
            salary=(18, 18, "HOUR"), salary_source="description", years=2)  # fmt: skip
    posting(db, "e6b", source="lever", first_seen="2026-11-25T08:00:00+00:00", dedup_group="g1",
            tags=[("certification", "COA", "required")], salary=(99, 99, "HOUR"))  # fmt: skip
    # First seen exactly at the week's start: new. No certification asked. 18 * 2080.
    posting(db, "e7", source="workday", state=None, first_seen="2026-11-23T00:00:00+00:00",
            pay=(17, 19, "HOUR"))  # fmt: skip
    # --- mid stage ---
    posting(db, "m1", stage="mid", state="CA", first_seen="2026-11-24T09:00:00+00:00",
            title="Lead Medical Assistant", tags=[("specialty", "Dermatology", None)],
            salary=(50000, None, "YEAR"), years=3)  # fmt: skip
    posting(db, "m2", stage="mid", source="lever", first_seen="2026-11-26T09:00:00+00:00",
            title="Lead Medical Assistant", tags=[("specialty", "Family Medicine", None)],
            salary=(45000, 45000, "YEAR"), years=4)  # fmt: skip
    # "$16 a year" is a parsing slip: left out of pay, counted as implausible.
    posting(db, "m3", stage="mid", first_seen="2026-11-25T09:00:00+00:00", pay=(16, 16, "YEAR"))
    # --- not counted as MA demand ---
    posting(db, "n1", is_ma_role=0, first_seen="2026-11-24T09:00:00+00:00", title="Registered Nurse")
    posting(db, "u1", is_ma_role=None, first_seen="2026-11-24T09:00:00+00:00", title="Untagged MA")
    crawl_run(db, 1, "2026-11-23T06:00:00+00:00", {"greenhouse:board": 7, "lever:board": 3})
    crawl_run(db, 2, "2026-11-16T06:00:00+00:00", {"greenhouse:board": 5})
    db.close()
    return path


@pytest.fixture(scope="module")
def report(hand_db: Path, small_guide: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp_path = tmp_path_factory.mktemp("report")
    paths = write_report(hand_db, week="2026-W48", out_dir=tmp_path / "out", guide_path=small_guide,
                         models_dir=tmp_path / "no-models")  # fmt: skip
    assert [p.name for p in paths] == ["2026-W48.html", "2026-W48.md", "2026-W48.json"]
    figures = json.loads(paths[2].read_text(encoding="utf-8"))
    figures["_paths"] = paths
    return figures


def _rec(figures: dict, rec_id: str) -> dict:
    return next(r for r in figures["recommendations"] if r["id"] == rec_id)


def _claim(figures: dict, claim_id: str) -> dict:
    return next(c for c in figures["claims"] if c["id"] == claim_id)


def test_headline_counts(report):
    h = report["headline"]
    # MA active: e1 e2 e3 g1 e7 m1 m2 m3 = 8; new: e1 e7 m1 m2 m3 = 5 (g1 first seen 11-20).
    assert (h["ma_active"], h["ma_new"]) == (8, 5)
    assert (h["untagged_active"], h["untagged_new"], h["other_active"]) == (1, 1, 1)
    assert h["all_active"] == 10
    assert h["ma_deduplicated"] == 1
    assert h["ma_with_pay"] == 7  # all but e3
    md = report["_paths"][1].read_text(encoding="utf-8")
    assert "- 1 other job (not MA roles)" in md
    assert "- 1 job was seen on more than one source and is counted once." in md
    html_text = report["_paths"][0].read_text(encoding="utf-8")
    assert "1 of these jobs was seen on more than one source and is counted once." in html_text
    # W47 (11-16..11-22): e2 e3 e4 g1 active; e3 and g1 new.
    assert h["previous"]["ma_active"] == 4 and h["previous"]["ma_new"] == 2
    assert h["by_source"] == [
        {"source": "greenhouse", "active": 5, "new": 3},  # e1 e3 e6 m1 m3
        {"source": "lever", "active": 2, "new": 1},  # e2 m2 (e6b is a copy of e6)
        {"source": "workday", "active": 1, "new": 1},  # e7
    ]
    assert h["by_state"] == [
        {"state": "OR", "active": 5, "new": 3},
        {"state": "", "active": 1, "new": 1},
        {"state": "CA", "active": 1, "new": 1},
        {"state": "WA", "active": 1, "new": 0},
    ]


def test_trend_over_eight_weeks(report):
    trend = {t["week"]: (t["active"], t["new"]) for t in report["headline"]["trend"]}
    assert list(trend) == [f"2026-W{w}" for w in range(41, 49)]
    # e4 first seen Sunday 11-01 (W44), open until 11-20; e2 from 11-10 (W46).
    assert trend["2026-W43"] == (0, 0)
    assert trend["2026-W44"] == (1, 1)
    assert trend["2026-W45"] == (1, 0)
    assert trend["2026-W46"] == (2, 1)
    assert trend["2026-W47"] == (4, 2)
    assert trend["2026-W48"] == (8, 5)


def test_stage_shares_and_verdicts(report):
    stages = report["stages"]
    assert (stages["entry"]["postings"], stages["mid"]["postings"], stages["senior"]["postings"]) == (5, 3, 0)
    ma_cert = _rec(report, "entry-ma-cert")  # CMA or RMA: e1 required, e2 preferred -> 2 of 5
    assert ma_cert["counts"] == {"asked": 2, "required": 1, "preferred": 1, "accepted": 0}
    assert ma_cert["share"] == 0.4 and ma_cert["verdict"] == "supported"  # expected: >= 40 %
    bls = _rec(report, "entry-bls")  # required by e1 and e6; preferred by e3 -> 2 of 5 required
    assert bls["counts"]["asked"] == 3 and bls["share"] == 0.4
    assert bls["verdict"] == "partly"  # universal: 75 % supported, 40 % partly
    ehr = _rec(report, "entry-ehr-any")
    assert ehr["counts"]["asked"] == 2 and ehr["verdict"] == "supported"
    phleb = _rec(report, "entry-phlebotomy")
    assert phleb["share"] == 0 and phleb["verdict"] == "contradicted"
    assert _rec(report, "entry-education")["verdict"] == "not measured"


def test_a_stage_with_no_postings_draws_no_verdict(report):
    senior = [r for r in report["recommendations"] if r["stage"] == "senior"]
    assert senior and all(r["verdict"] in ("too few postings", "not measured") for r in senior)
    assert report["stages"]["senior"]["too_few"] is True
    assert _claim(report, "senior-pay-band")["verdict"] == "too few postings"
    assert _claim(report, "pay-rises-by-stage")["verdict"] == "too few postings"


def test_share_claims(report):
    assert _claim(report, "cert-preferred")["value"] == 3  # e1 CMA, e2 CMA/RMA, e6 CCMA
    assert _claim(report, "cert-preferred")["verdict"] == "supported"  # 60 % >= 50 %
    assert _claim(report, "cert-often-required")["value"] == 2  # e1, e6
    no_exp = _claim(report, "no-experience")  # e1 (0 years), e3 and e7 (none stated): 3 of 5
    assert (no_exp["value"], no_exp["n"], no_exp["verdict"]) == (3, 5, "partly")
    years = _claim(report, "mid-years")  # m1 3, m2 4: nearest-rank median 3
    assert (years["median"], years["n"], years["verdict"]) == (3, 2, "supported")
    ehr = _claim(report, "ehr-most-common")  # Epic and Oracle Health tie at 1 posting: both rank 1
    assert ehr["ranks"] == {"Epic": 1, "Oracle Health": 1, "eClinicalWorks": None, "athenahealth": None}
    assert ehr["verdict"] == "partly"


def test_pay_by_stage_against_the_bls_bands(report):
    entry = report["pay"]["stages"]["entry"]
    # e6 and e7: 18 * 2080 = 37440; e2: 42000; e1: 21 * 2080 = 43680. e3 has none.
    assert entry["n"] == 4
    assert entry["median"] == 18 * H  # nearest rank: ceil(0.5 * 4) = 2nd value
    assert entry["p90"] == 21 * H and entry["p75"] == 42000
    assert entry["mean"] == pytest.approx((2 * 18 * H + 42000 + 21 * H) / 4)
    assert _claim(report, "entry-pay-band")["verdict"] == "supported"  # 37,440 in 35,020-37,610
    mid = report["pay"]["stages"]["mid"]
    assert mid["n"] == 2 and mid["median"] == 45000  # m3's $16/year left out
    assert {r["pay_source"]: (r["postings"], r["implausible"]) for r in report["pay"]["sources"]} == {
        "matcher": (3, 1),
        "structured": (3, 0),
        "description": (1, 0),
        "none": (1, 0),
    }


def test_certification_pay_gap_with_welch_interval(report):
    gap = _claim(report, "cert-unlocks-pay")
    a, b = [21 * H, 18 * H], [42000, 18 * H]  # e1, e6 require a certification; e2, e7 do not
    assert (gap["n_a"], gap["n_b"]) == (2, 2)
    assert gap["diff"] == pytest.approx(sum(a) / 2 - sum(b) / 2)
    ci = sp_stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert gap["low"] == pytest.approx(ci.low, abs=0.01) and gap["high"] == pytest.approx(ci.high, abs=0.01)
    assert gap["verdict"] == "partly"  # positive gap, interval includes 0


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [(120.0, 900.0, "supported"), (-900.0, -120.0, "contradicted"), (-900.0, 0.0, "contradicted"),
     (-900.0, 120.0, "partly"), (0.0, 120.0, "partly")],
)  # fmt: skip
def test_pay_gap_verdict_needs_the_whole_interval(low, high, verdict):
    assert gap_verdict(low, high) == verdict


@pytest.mark.parametrize(
    ("value", "n", "verdict"),
    [
        (8, 20, "supported"),
        (7, 20, "partly"),
        (3, 20, "partly"),
        (2, 20, "contradicted"),
        (19, 19, "too few postings"),
    ],
)
def test_share_verdict_thresholds_are_inclusive(value, n, verdict):
    assert share_verdict(value, n, supported=0.40, partly=0.15, min_n=20) == verdict


def test_too_few_postings_is_never_a_pay_claim(report):
    gap = _claim(report, "specialty-pays-more")  # m1 (Dermatology) vs m2 (Family Medicine): 1 each
    assert (gap["n_a"], gap["n_b"]) == (1, 1)
    assert gap["verdict"] == "too few postings" and gap["diff"] is None


def test_movers_since_last_week(report):
    movers = {(m["category"], m["label"]): m for m in report["movers"]["rows"]}
    # CMA: 2 of 8 now (e1, e2) against 2 of 4 in W47 (e2, e4): -25 points.
    assert movers[("certifications", "CMA")]["change_pp"] == -25.0
    # BLS: 3 of 8 against 2 of 4 (e3, e6): -12.5 points.
    assert movers[("certifications", "BLS")]["change_pp"] == -12.5
    changes = [abs(m["change_pp"]) for m in report["movers"]["rows"]]
    assert changes == sorted(changes, reverse=True)


def test_method_section(report):
    method = report["method"]
    assert [r["id"] for r in method["crawl_runs"]] == [1]  # run 2 started in W47
    assert {r["source_key"]: r["fetched"] for r in method["crawl_sources"]} == {
        "greenhouse:board": 7,
        "lever:board": 3,
    }
    assert method["models"] == [{"version": "rules-test-1", "metrics": None}]
    html = report["_paths"][0].read_text(encoding="utf-8")
    assert "not available" in html


def test_model_metrics_are_shown_when_present(hand_db, small_guide, tmp_path):
    folder = tmp_path / "models" / "tagger" / "rules-test-1"
    folder.mkdir(parents=True)
    metrics = {
        "cv": {
            "keyword": {"stage_accuracy": 0.5, "certifications": {"micro": {"f1": 0.6}}},
            "model": {
                "stage_accuracy": 0.9464,
                "certifications": {
                    "micro": {"f1": 0.8125, "precision": 0.9},
                    "per_label": {"CMA": {"f1": 1.0}},
                },
            },
        }
    }
    (folder / "metrics.json").write_text(json.dumps(metrics))
    paths = write_report(hand_db, week="2026-W48", out_dir=tmp_path / "o", guide_path=small_guide,
                         models_dir=tmp_path / "models")  # fmt: skip
    figures = json.loads(paths[2].read_text(encoding="utf-8"))
    # The model's headline scores, not the keyword baseline's, nor per-label rows.
    assert figures["method"]["models"][0]["metrics"] == [
        {"name": "certifications.micro.f1", "value": 0.8125},
        {"name": "stage_accuracy", "value": 0.9464},
    ]
    # Shown as a reader says them, and said to be cross-validation, not dev or held-out scores.
    for path in paths[:2]:
        text = path.read_text(encoding="utf-8")
        assert "certifications micro-F1 = 0.812; stage accuracy = 0.946" in text
        assert "cross-validation on its training postings" in text


def test_posting_text_is_escaped_in_html_and_markdown(report):
    html = report["_paths"][0].read_text(encoding="utf-8")
    md = report["_paths"][1].read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Medical Assistant" in html
    assert "Evil &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    assert not re.search(r"(?<!\\)<(script|/script|b>)", md), "unescaped HTML in the Markdown"
    assert r"\<script\>alert(1)\</script\> Medical Assistant" in md
    # A "|" from a posting must not break a Markdown table row, nor a link come alive.
    assert r"Evil \& \<b\>Co\</b\> \| \[x\](javascript:alert(1))" in md


def test_html_is_self_contained(report):
    html = report["_paths"][0].read_text(encoding="utf-8")
    assert html.count("<svg") >= 4  # trend, stage bars, EHR ranking, pay
    # Namespace names (xmlns="http://www.w3.org/2000/svg") are identifiers, never fetched.
    text = re.sub(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    for needle in ("http://", "https://", "<script", "<link", "@import", "src="):
        assert needle not in text, needle
    assert not re.search(r"url\((?!#)", text), "only in-page references (clip paths) may use url()"


def test_same_database_and_week_give_the_same_bytes(hand_db, small_guide, tmp_path):
    first = write_report(hand_db, week="2026-W48", out_dir=tmp_path / "a", guide_path=small_guide)
    second = write_report(hand_db, week="2026-W48", out_dir=tmp_path / "b", guide_path=small_guide)
    for x, y in zip(first, second, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_an_empty_week(hand_db, small_guide, tmp_path):
    paths = write_report(hand_db, week="2026-W30", out_dir=tmp_path, guide_path=small_guide)
    figures = json.loads(paths[2].read_text(encoding="utf-8"))
    assert figures["headline"]["ma_active"] == 0
    assert all(r["verdict"] in ("too few postings", "not measured") for r in figures["recommendations"])
    assert all(c["verdict"] == "too few postings" for c in figures["claims"])
    assert figures["movers"]["comparable"] is False
    assert "No MA postings this week." in paths[0].read_text(encoding="utf-8")
    # The verdict is "too few postings", so every share claim's rule says where "too few" begins.
    shares = {c["id"]: c["rule"] for c in figures["claims"] if c.get("rule", "").startswith("share of")}
    assert {"no-experience", "cert-preferred"} <= set(shares)
    assert all("too few postings under" in rule for rule in shares.values()), shares


def test_last_week_is_the_latest_crawl_run_then_the_latest_sighting(hand_db, tmp_path):
    import shutil

    from scraper.store import open_db

    copy = tmp_path / "copy.db"
    shutil.copy(hand_db, copy)
    db = open_db(copy)
    assert latest_week(db) == Week(2026, 48)  # crawl run 1 started 2026-11-23
    db.execute("delete from crawl_runs")
    db.conn.commit()
    assert latest_week(db) == Week(2026, 49)  # e5's last_seen is 2026-11-30
    db.execute("delete from postings")
    db.conn.commit()
    with pytest.raises(WeekError, match="nothing to report"):
        latest_week(db)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 30)),
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 4)),  # 2026 starts on a Thursday: 53 weeks
        ("2027-W01", date(2027, 1, 4), date(2027, 1, 11)),
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 4)),
        ("2021-W01", date(2021, 1, 4), date(2021, 1, 11)),
    ],
)
def test_iso_week_bounds(text, start, end):
    week = parse_week(text)
    assert (week.start, week.end, week.label) == (start, end, text)


def test_week_arithmetic_across_year_ends():
    assert Week.containing(date(2027, 1, 3)) == Week(2026, 53)
    assert Week.containing(date(2021, 1, 1)) == Week(2020, 53)
    assert parse_week("2027-W01").shift(-1) == Week(2026, 53)
    assert parse_week("2026-W53").shift(1) == Week(2027, 1)
    assert parse_week("2026-W01").start == date(2025, 12, 29)


@pytest.mark.parametrize(
    "text",
    ["2025-W53", "2027-W53", "2026-W00", "2026-48", "last week", "2026-W54",
     "0000-W01", "0001-W01", "0001-W07", "9999-W52"],  # the report reads 7 weeks back, 1 day on
)  # fmt: skip
def test_bad_weeks_are_clear_errors(text):
    with pytest.raises(WeekError):
        parse_week(text)


def test_weeks_at_the_calendars_ends(tmp_path):
    assert parse_week("0001-W08").label == "0001-W08"  # the first week with seven before it
    assert parse_week("9999-W51").end == date(9999, 12, 27)
    db = new_db(tmp_path / "jobs.db")
    crawl_run(db, 1, "9999-12-31T00:00:00+00:00", {})  # a last crawl no report can be made for
    with pytest.raises(WeekError, match="too near the calendar's ends"):
        latest_week(db)


def test_postings_at_a_year_end_land_in_the_right_week(tmp_path, small_guide):
    path = tmp_path / "jobs.db"
    db = new_db(path)
    posting(db, "a", first_seen="2027-01-03T23:59:59+00:00")  # Sunday: last day of 2026-W53
    posting(db, "b", first_seen="2027-01-04T00:00:00+00:00")  # Monday: 2027-W01
    db.close()
    w53 = json.loads(write_report(path, "2026-W53", tmp_path / "r", guide_path=small_guide)[2].read_text())
    w01 = json.loads(write_report(path, "2027-W01", tmp_path / "r", guide_path=small_guide)[2].read_text())
    assert (w53["headline"]["ma_active"], w53["headline"]["ma_new"]) == (1, 1)
    assert (w01["headline"]["ma_active"], w01["headline"]["ma_new"]) == (2, 1)
    assert w01["week"]["previous"] == "2026-W53"


def test_a_week_no_crawl_ran_in_says_so_at_the_top(hand_db, small_guide, tmp_path, report, caplog):
    """The week after the last crawl still counts the postings last seen open; the report says
    first thing that its figures may be out of date (it only showed in the Method's run table)."""
    assert report["headline"]["crawl_runs"] >= 1
    html, md = (p.read_text(encoding="utf-8") for p in report["_paths"][:2])
    assert "No crawl ran this week" not in html and "No crawl ran this week" not in md
    with caplog.at_level("WARNING", logger="matcher.report"):
        paths = write_report(hand_db, week="2026-W49", out_dir=tmp_path, guide_path=small_guide)
    figures = json.loads(paths[2].read_text(encoding="utf-8"))
    assert figures["headline"]["crawl_runs"] == 0 and figures["headline"]["ma_active"] > 0
    html, md = (p.read_text(encoding="utf-8") for p in paths[:2])
    for text in (html, md):
        summary = text.index("In one look")
        assert summary < text.index("No crawl ran this week") < summary + 400
    assert "no crawl ran in 2026-W49" in caplog.text


def test_cli_report_prints_the_three_paths(hand_db, tmp_path):
    result = CliRunner().invoke(cli, ["report", "--db", str(hand_db), "--week", "2026-W48", "--out",
                                      str(tmp_path / "r")])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.split()
    assert [Path(x).name for x in lines] == ["2026-W48.html", "2026-W48.md", "2026-W48.json"]
    assert all(Path(x).exists() for x in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2025-W53"], "does not exist"),
        (["--db", "/nonexistent/jobs.db"], "no database"),
    ],
)
def test_cli_report_errors_are_clear(hand_db, tmp_path, args, message):
    base = ["report", "--db", str(hand_db), "--out", str(tmp_path)]
    result = CliRunner().invoke(cli, base + args)
    assert result.exit_code != 0 and message in result.output


@pytest.mark.parametrize("week", ["0000-W01", "0001-W01", "9999-W52", "2026-W54", "2026-W00", "26-W48"])
def test_cli_report_bad_week_is_a_usage_error(hand_db, tmp_path, week):
    result = CliRunner().invoke(cli, ["report", "--db", str(hand_db), "--week", week, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Invalid value for '--week'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_foreign_database_is_a_clear_error(tmp_path, small_guide):
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("create table postings (id text, last_seen text)").connection.commit()
    with pytest.raises(ReportDataError, match="no tags"):
        write_report(path, "2026-W48", tmp_path, guide_path=small_guide)

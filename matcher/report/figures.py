"""The numbers behind the weekly report: run the SQL of ``matcher.report_queries`` for one week,
then hold the results against the guide. Everything returned is plain JSON-ready data; the
templates only format it. Python here works on aggregates (a few hundred rows), never on postings.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlite_utils

from matcher import report_queries as rq
from matcher.report import stats
from matcher.report.guide import ANY, LABEL_CATEGORIES, TAG_CATEGORY, Claim, Guide, Rules
from matcher.report.weeks import Week
from matcher.taxonomy import STAGES

logger = logging.getLogger(__name__)

SUPPORTED, PARTLY, CONTRADICTED, TOO_FEW, NOT_MEASURED = (
    "supported",
    "partly",
    "contradicted",
    "too few postings",
    "not measured",
)
CATEGORY_FROM_TAG = {v: k for k, v in TAG_CATEGORY.items()}
TREND_WEEKS = 8
MOVERS = 10
# The headline scores of a metrics file: micro F1 per category, accuracies, exact-match rates.
_HEADLINE_SCORE = re.compile(r"(?:^|\.)(?:micro\.f1|\w*accuracy|\w*_exact)$|^f1$")
_BASELINE = re.compile(r"(?:^|\.)(?:keyword|baseline|rules)\.")


class ReportDataError(RuntimeError):
    """The database lacks what the report reads (no postings table, say)."""


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


class _Runner:
    """Runs report queries against the TEMP relations of one connection."""

    def __init__(self, db: sqlite_utils.Database, guide: Guide) -> None:
        self.db = db
        self.guide = guide
        low, high = guide.rules.plausible_annual_pay
        self.base = {"pay_low": low, "pay_high": high}
        self.week_params: dict[str, str] = {}
        self.extra: set[str] = set()  # the queries' own small relations

    def rows(self, query: rq.Query, **params: Any) -> list[dict[str, Any]]:
        for name, select, columns in query.relations:
            self.db.execute(f"drop table if exists temp.{name}")
            self.db.execute(f"create temp table {name} as {select}")
            self.db.execute(f"create index temp.{name}_idx on {name}({', '.join(columns)})")
            self.extra.add(name)
        sql = query.report_sql()
        args = {k: v for k, v in {**self.base, **self.week_params, **params}.items() if f":{k}" in sql}
        cursor = self.db.execute(sql, args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def materialize(self, week: Week) -> None:
        """report_jobs: the jobs that can be active in the 8 weeks up to the week's end."""
        self.db.execute("drop table if exists temp.report_jobs")
        self.db.execute("create temp table report_jobs as " + rq.JOBS, week.params())

    def select_week(self, week: Week) -> None:
        """report_week and report_week_tags for ``week``."""
        self.cleanup(("report_week_tags", "report_week"))
        self.week_params = week.params()
        self.db.execute("create temp table report_week as " + rq.WEEK, self.week_params)
        self.db.execute("create temp table report_week_tags as " + rq.WEEK_TAGS)

    def cleanup(self, tables: tuple[str, ...] = ("report_week_tags", "report_week", "report_jobs")) -> None:
        for table in (*tables, *sorted(self.extra)):
            self.db.execute(f"drop table if exists temp.{table}")


def _check_tables(db: sqlite_utils.Database) -> None:
    missing = [t for t in ("postings", "tags", "crawl_runs", "crawl_run_sources") if not db.table(t).exists()]
    if missing:
        raise ReportDataError(f"the database has no {', '.join(missing)} table: is it a majobs database?")


def _fast_pragmas(db: sqlite_utils.Database) -> dict[str, int]:
    """Working tables and sorts in memory, with a larger page cache, for this connection only;
    returns the old values to restore."""
    wanted = {"temp_store": 2, "cache_size": -262144}  # MEMORY; 256 MiB
    saved = {name: int(db.execute(f"PRAGMA {name}").fetchone()[0]) for name in wanted}
    for name, value in wanted.items():
        db.execute(f"PRAGMA {name} = {value}")
    return saved


def compute_figures(
    db: sqlite_utils.Database, guide: Guide, week: Week, *, models_dir: Path | None = None
) -> dict[str, Any]:
    """Every figure of the report for ``week`` as JSON-ready data."""
    _check_tables(db)
    run = _Runner(db, guide)
    saved = _fast_pragmas(db)
    try:
        run.materialize(week)
        run.select_week(week)
        figures = _figures_for_week(run, guide, week, models_dir)
    finally:
        run.cleanup()
        for name, value in saved.items():
            db.execute(f"PRAGMA {name} = {value}")
    head = figures["headline"]
    head["previous"] = {
        "ma_active": head.pop("ma_active_previous"),
        "ma_new": head.pop("ma_new_previous"),
        "untagged_active": head.pop("untagged_active_previous"),
    }
    figures["movers"] = _movers(figures.pop("_labels"), head, guide)
    return figures


def _figures_for_week(run: _Runner, guide: Guide, week: Week, models_dir: Path | None) -> dict[str, Any]:
    rules = guide.rules
    headline = run.rows(rq.HEADLINE)[0]
    stage_rows = {r["stage"]: r for r in run.rows(rq.STAGES)}
    stages = {}
    for sid, stage in guide.stages.items():
        row = stage_rows.get(sid, {"postings": 0, "new": 0, "with_pay": 0})
        stages[sid] = {
            "id": sid,
            "name": stage.name,
            "years": stage.years_text,
            "titles": list(stage.titles),
            "postings": row["postings"],
            "new": row["new"],
            "with_pay": row["with_pay"],
            "too_few": row["postings"] < rules.min_postings,
        }
    unstaged = stage_rows.get("", {}).get("postings", 0)

    labels = run.rows(rq.LABELS)
    sets = {(r["name"], r["stage"]): r for r in run.rows(rq.label_set_query(guide))}
    pay = _pay(run, guide)
    years = run.rows(rq.YEARS)
    figures: dict[str, Any] = {
        "week": {
            "label": week.label,
            "start": week.start.isoformat(),
            "last_day": week.last_day.isoformat(),
            "previous": week.shift(-1).label,
        },
        "guide": {
            "title": guide.title,
            "sha256": guide.sha256,
            "specialties": list(guide.specialties),
            "ehr": sorted(guide.mentioned_labels("ehr")),
            "specialties_quote": guide.specialties_quote,
        },
        "headline": {
            **headline,
            "unstaged": unstaged,
            "by_source": run.rows(rq.BY_SOURCE),
            "by_state": run.rows(rq.BY_STATE),
            "trend": [
                {
                    "week": Week.containing(_date(r["week_start"])).label,
                    "active": r["active"],
                    "new": r["new"],
                }
                for r in run.rows(rq.TREND)
            ],
            "employers": run.rows(rq.EMPLOYERS),
        },
        "stages": stages,
        "recommendations": _recommendations(guide, stages, sets, labels),
        "market": _market(guide, labels, stages, headline["ma_active"]),
        "titles": _titles(run.rows(rq.TITLES), guide),
        "pay": pay,
        "_labels": labels,
    }
    figures["claims"] = [_claim(c, guide, figures, sets, labels, years, run) for c in guide.claims]
    figures["method"] = _method(run, guide, models_dir, labels)
    # A week no crawl ran in (a future one, a gap in the cron job): its "open" postings are those
    # last seen open before it, so every figure may be stale; the report says so at the top.
    figures["headline"]["crawl_runs"] = len(figures["method"]["crawl_runs"])
    return figures


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text[:10])


# --- demand vs the guide ---------------------------------------------------------------------------


def _label_counts(labels: list[dict], stage: str, category: str, label: str) -> dict[str, int]:
    """Counts of one label in one stage, from the LABELS rows (summed over model versions)."""
    out = {"asked": 0, "required": 0, "preferred": 0, "accepted": 0}
    tag_category = TAG_CATEGORY[category]
    for row in labels:
        if row["stage"] == stage and row["category"] == tag_category and row["label"] == label:
            for key in out:
                out[key] += row[key]
    return out


def _counts(sets: dict, labels: list[dict], name: str, stage: str, category: str, wanted: tuple) -> dict:
    """Postings of ``stage`` asking for any of ``wanted``: one label from LABELS, else its set."""
    if len(wanted) == 1 and wanted[0] != ANY:
        return _label_counts(labels, stage, category, wanted[0])
    return _set_counts(sets, name, stage)


def _set_counts(sets: dict, name: str, stage: str | None) -> dict[str, int]:
    """Counts of a label set in one stage, or summed over all stages (stage None)."""
    out = {"asked": 0, "required": 0, "preferred": 0, "accepted": 0}
    for (set_name, set_stage), row in sets.items():
        if set_name == name and (stage is None or set_stage == stage):
            for key in out:
                out[key] += row[key]
    return out


def share_verdict(value: int, n: int, supported: float, partly: float, min_n: int) -> str:
    if n < min_n:
        return TOO_FEW
    share = value / n
    if share >= supported:
        return SUPPORTED
    if share >= partly:
        return PARTLY
    return CONTRADICTED


def _recommendations(guide: Guide, stages: dict, sets: dict, labels: list[dict]) -> list[dict[str, Any]]:
    out = []
    for rec in guide.recommendations:
        strength = guide.rules.strengths[rec.strength]
        n = stages[rec.stage]["postings"]
        item: dict[str, Any] = {
            "id": rec.id,
            "stage": rec.stage,
            "category": rec.category,
            "labels": list(rec.labels),
            "strength": rec.strength,
            "measure": strength.measure,
            "says": rec.says,
            "quote": rec.quote,
            "n": n,
            "supported_at": strength.supported,
            "partly_at": strength.partly,
        }
        if not rec.measured:
            item.update(verdict=NOT_MEASURED, counts=None, shares=None, share=None)
        else:
            counts = _counts(sets, labels, f"rec:{rec.id}", rec.stage, rec.category, rec.labels)
            value = (
                counts["asked"] if strength.measure == "asked" else counts["required"] + counts["accepted"]
            )
            item.update(
                counts=counts,
                shares={k: _r(v / n) if n else None for k, v in counts.items()},
                share=_r(value / n) if n else None,
                verdict=share_verdict(
                    value, n, strength.supported, strength.partly, guide.rules.min_postings
                ),
            )
        out.append(item)
    return out


def _market(guide: Guide, labels: list[dict], stages: dict, ma_total: int) -> dict[str, Any]:
    """Per category: the market's ranking over all MA postings, and per stage the labels asked
    at or above the threshold that the guide does not recommend at that stage."""
    total: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_stage: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in labels:
        key = (CATEGORY_FROM_TAG.get(row["category"], row["category"]), row["label"])
        for k in ("asked", "required", "preferred", "accepted"):
            total[key][k] += row[k]
        by_stage[(row["stage"], *key)] += row["asked"]
    ranking: dict[str, list[dict[str, Any]]] = {c: [] for c in LABEL_CATEGORIES}
    for (category, label), counts in total.items():
        if category not in ranking or not counts["asked"]:
            continue
        ranking[category].append(
            {
                "label": label,
                **counts,
                "share": _r(counts["asked"] / ma_total) if ma_total else None,
                "in_guide": label in guide.mentioned_labels(category),
            }
        )
    for items in ranking.values():
        items.sort(key=lambda x: (-x["asked"], x["label"].lower(), x["label"]))
        for item in items:  # competition ranking: ties share a rank (1, 2, 2, 4)
            item["rank"] = 1 + sum(1 for other in items if other["asked"] > item["asked"])

    threshold = guide.rules.other_asks_min_share
    unmentioned: dict[str, list[dict[str, Any]]] = {}
    for sid in STAGES:
        n = stages[sid]["postings"]
        recommended = {
            (r.category, label) for r in guide.recommendations_for(sid) if r.measured for label in r.labels
        }
        rows = []
        for (stage, category, label), asked in by_stage.items():
            if stage != sid or not n or category not in ranking or asked / n < threshold:
                continue
            if (category, label) in recommended or (category, ANY) in recommended:
                continue
            elsewhere = sorted(
                r.stage for r in guide.recommendations if r.category == category and label in r.labels
            )
            rows.append(
                {
                    "category": category,
                    "label": label,
                    "asked": asked,
                    "share": _r(asked / n),
                    "guide": "at " + ", ".join(dict.fromkeys(elsewhere)) + " stage"
                    if elsewhere
                    else (
                        "named elsewhere" if label in guide.mentioned_labels(category) else "not mentioned"
                    ),
                }
            )
        rows.sort(key=lambda x: (-x["asked"], x["category"], x["label"]))
        unmentioned[sid] = rows
    return {"ranking": ranking, "unmentioned": unmentioned, "threshold": threshold}


def _titles(rows: list[dict], guide: Guide) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {sid: [] for sid in STAGES}
    for row in rows:
        if row["stage"] in out:
            named = {t.lower() for t in guide.stages[row["stage"]].titles}
            title = row["title"] or ""
            out[row["stage"]].append(
                {"title": title, "postings": row["postings"], "in_guide": title.strip().lower() in named}
            )
    return out


# --- pay -------------------------------------------------------------------------------------------


def _pay(run: _Runner, guide: Guide) -> dict[str, Any]:
    rules = guide.rules
    summary = {r["stage"]: r for r in run.rows(rq.PAY_SUMMARY)}
    quantiles = (0.10, 0.25, 0.50, 0.75, 0.90)
    out: dict[str, Any] = {"stages": {}, "plausible": list(rules.plausible_annual_pay)}
    for sid in STAGES:
        band = guide.bands[sid]
        row = summary.get(sid)
        n = row["n"] if row else 0
        item: dict[str, Any] = {
            "n": n,
            "band": {"low": band.low, "high": band.high, "quote": band.quote},
            "bls": [
                {"percentile": p.percentile, "annual": p.annual} for p in guide.percentiles if p.stage == sid
            ],
        }
        if n:
            ranks = {f"p{int(q * 100)}": stats.nearest_rank(q, n) for q in quantiles}
            ci_lo, ci_hi = stats.median_ci_ranks(n, rules.confidence)
            wanted = sorted({*ranks.values(), ci_lo, ci_hi})
            values = {r["rn"]: r["x"] for r in run.rows(rq.PAY_RANKS, stage=sid, ranks=json.dumps(wanted))}
            item.update({k: _r(values[v], 2) for k, v in ranks.items()})
            item["median"] = item["p50"]
            item["median_ci"] = [_r(values[ci_lo], 2), _r(values[ci_hi], 2)]
            item["mean"] = _r(row["mean"], 2)
            item["sd"] = _r(math.sqrt(stats.sample_variance(n, row["mean"], row["mean_sq"])), 2)
        out["stages"][sid] = item
    out["sources"] = run.rows(rq.PAY_SOURCES)
    return out


def _band_verdict(median: float | None, n: int, band: dict, tolerance: float, min_n: int) -> str:
    if median is None or n < min_n:
        return TOO_FEW
    low, high = band["low"], band["high"]
    if median >= low and (high is None or median <= high):
        return SUPPORTED
    if median >= low * (1 - tolerance) and (high is None or median <= high * (1 + tolerance)):
        return PARTLY
    return CONTRADICTED


# --- claims ----------------------------------------------------------------------------------------


def _share_item(value: int, n: int, check: dict[str, Any], rules: Rules, what: str) -> dict[str, Any]:
    """A claim measured as a share of a stage's postings: its figures, verdict and rule."""
    return {
        "n": n,
        "value": value,
        "share": _r(value / n) if n else None,
        "verdict": share_verdict(value, n, check["supported"], check["partly"], rules.min_postings),
        "rule": (
            f"{what}: supported at ≥ {pct(check['supported'])}, partly at ≥ {pct(check['partly'])}, "
            f"too few postings under {rules.min_postings}"
        ),
    }


def _claim(
    claim: Claim, guide: Guide, figures: dict, sets: dict, labels: list[dict], years: list[dict], run: _Runner
) -> dict:
    rules = guide.rules
    check = claim.check
    item: dict[str, Any] = {"id": claim.id, "says": claim.says, "quote": claim.quote, "kind": claim.kind}
    item["stage"] = check.get("stage")
    item["section"] = (
        "pay" if claim.kind.startswith("pay_") else check["category"] if claim.kind == "ranking" else "stage"
    )
    stages = figures["stages"]
    if claim.kind == "share":
        n = stages[check["stage"]]["postings"]
        counts = _counts(
            sets, labels, f"claim:{claim.id}", check["stage"], check["category"], check["labels"]
        )
        value = counts["asked"] if check["measure"] == "asked" else counts["required"] + counts["accepted"]
        asked = "required" if check["measure"] == "required" else "asked for (any level)"
        what = f"share of {check['stage']} postings where it is {asked}"
        item.update(_share_item(value, n, check, rules, what))
    elif claim.kind == "ranking":
        ranking = figures["market"]["ranking"][check["category"]]
        named = _set_counts(sets, f"any:{check['category']}", None)["asked"]
        ranks = {x["label"]: x["rank"] for x in ranking}
        placed = {label: ranks.get(label) for label in check["labels"]}
        in_top = sum(1 for r in placed.values() if r is not None and r <= check["top"])
        if named < rules.min_postings:
            verdict = TOO_FEW
        elif in_top == len(check["labels"]):
            verdict = SUPPORTED
        elif in_top >= check["partly_min"]:
            verdict = PARTLY
        else:
            verdict = CONTRADICTED
        item.update(
            n=named,
            ranks=placed,
            in_top=in_top,
            market_top=[x["label"] for x in ranking[: check["top"]]],
            verdict=verdict,
            rule=(
                f"among MA postings naming any {check['category']} label: supported if all "
                f"{len(check['labels'])} rank in the market's top {check['top']}, partly if at least "
                f"{check['partly_min']} do, too few postings under {rules.min_postings}"
            ),
        )
    elif claim.kind == "no_experience":
        stage = check["stage"]
        rows = [r for r in years if r["stage"] == stage]
        n = sum(r["postings"] for r in rows)
        value = sum(r["postings"] for r in rows if r["years"] is None or r["years"] < 1)
        what = f"share of {stage} postings asking for less than a year (or no number of years)"
        item.update(_share_item(value, n, check, rules, what))
    elif claim.kind == "years":
        stage = guide.stages[check["stage"]]
        pairs = [
            (r["years"], r["postings"]) for r in years if r["stage"] == stage.id and r["years"] is not None
        ]
        n = sum(c for _, c in pairs)
        median = stats.histogram_median(pairs)
        high = math.inf if stage.years_max is None else stage.years_max
        if median is None or n < rules.min_postings:
            verdict = TOO_FEW
        elif stage.years_min <= median <= high:
            verdict = SUPPORTED
        elif stage.years_min - 1 <= median <= high + 1:
            verdict = PARTLY
        else:
            verdict = CONTRADICTED
        item.update(
            n=n,
            median=median,
            guide_years=stage.years_text,
            verdict=verdict,
            rule=(
                f"median years asked by {stage.id} postings that state a number: supported inside "
                f"{stage.years_text}, partly within a year of it, too few postings under {rules.min_postings}"
            ),
        )
    elif claim.kind == "pay_band":
        sid = check["stage"]
        pay = figures["pay"]["stages"][sid]
        verdict = _band_verdict(
            pay.get("median"), pay["n"], pay["band"], check["tolerance"], rules.min_pay_postings
        )
        item.update(
            n=pay["n"],
            median=pay.get("median"),
            median_ci=pay.get("median_ci"),
            band=pay["band"],
            verdict=verdict,
            rule=(
                f"median annualized posted pay of {sid} postings: supported inside the guide's band, partly "
                f"within {pct(check['tolerance'])} of it, contradicted beyond; needs "
                f"{rules.min_pay_postings} postings with pay"
            ),
        )
    elif claim.kind == "pay_order":
        pays = figures["pay"]["stages"]
        medians = [pays[s].get("median") for s in check["stages"]]
        ns = [pays[s]["n"] for s in check["stages"]]
        if min(ns) < rules.min_pay_postings or None in medians:
            verdict = TOO_FEW
        else:
            steps = [b > a for a, b in itertools.pairwise(medians)]
            verdict = SUPPORTED if all(steps) else PARTLY if any(steps) else CONTRADICTED
        item.update(
            n=sum(ns),
            medians=dict(zip(check["stages"], medians, strict=True)),
            verdict=verdict,
            rule=(
                "median annualized posted pay by stage: supported if it rises at every step "
                f"({' → '.join(check['stages'])}), partly if at some, contradicted if at none; "
                f"each stage needs {rules.min_pay_postings} postings with pay"
            ),
        )
    elif claim.kind == "pay_gap":
        item.update(_pay_gap(claim, run, rules))
    return item


def gap_verdict(low: float, high: float) -> str:
    """A claimed pay advantage: shown (interval above 0), refuted (at or below 0), or unclear."""
    return SUPPORTED if low > 0 else CONTRADICTED if high <= 0 else PARTLY


def _pay_gap(claim: Claim, run: _Runner, rules: Any) -> dict[str, Any]:
    check = claim.check
    rows = run.rows(rq.pay_gap_query(claim.id, check))
    groups: dict[str, dict[str, tuple[int, float, float]]] = defaultdict(dict)
    for r in rows:
        groups[r["stage"]][r["side"]] = (r["n"], r["mean"], r["mean_sq"])
    # The claim is judged on its stages pooled: combine the per-stage aggregates.
    pooled: dict[str, tuple[int, float, float]] = {}
    for side in ("a", "b"):
        parts = [groups[s][side] for s in check["stages"] if side in groups[s]]
        n = sum(p[0] for p in parts)
        if n:
            pooled[side] = (n, sum(p[0] * p[1] for p in parts) / n, sum(p[0] * p[2] for p in parts) / n)

    def compare(g: dict[str, tuple[int, float, float]]) -> dict[str, Any]:
        a, b = g.get("a"), g.get("b")
        out: dict[str, Any] = {
            "n_a": a[0] if a else 0,
            "n_b": b[0] if b else 0,
            "mean_a": _r(a[1], 2) if a else None,
            "mean_b": _r(b[1], 2) if b else None,
        }
        if not a or not b or min(a[0], b[0]) < rules.min_pay_postings:
            out.update(verdict=TOO_FEW, diff=None, low=None, high=None)
            return out
        w = stats.welch_interval(a, b, rules.confidence)
        verdict = gap_verdict(w["low"], w["high"])
        out.update(verdict=verdict, diff=_r(w["diff"], 2), low=_r(w["low"], 2), high=_r(w["high"], 2))
        return out

    result = compare(pooled)
    return {
        **result,
        "n": result["n_a"] + result["n_b"],
        "a": check["a"]["name"],
        "b": check["b"]["name"],
        "stages": list(check["stages"]),
        "by_stage": {s: compare(groups[s]) for s in check["stages"]} if len(check["stages"]) > 1 else {},
        "rule": (
            f"mean annualized pay of postings that {check['a']['name']} minus those that "
            f"{check['b']['name']} ({' + '.join(check['stages'])} stage), {pct(rules.confidence)} "
            "Welch interval: supported if the "
            "whole interval is above 0, contradicted if it is at or below 0, partly if it straddles 0 "
            f"(no clear gap either way); each side needs {rules.min_pay_postings} postings with pay"
        ),
    }


# --- what changed ----------------------------------------------------------------------------------


def _movers(labels: list[dict], head: dict, guide: Guide) -> dict[str, Any]:
    """Labels whose share of MA postings moved most since the week before (LABELS has both)."""
    now: dict[tuple[str, str], int] = defaultdict(int)
    before: dict[tuple[str, str], int] = defaultdict(int)
    for r in labels:
        key = (CATEGORY_FROM_TAG.get(r["category"], r["category"]), r["label"])
        now[key] += r["asked"]
        before[key] += r["asked_previous"]
    n_now, n_before = head["ma_active"], head["previous"]["ma_active"]
    min_n = guide.rules.min_postings
    result: dict[str, Any] = {
        "n": n_now,
        "n_previous": n_before,
        "comparable": n_now >= min_n and n_before >= min_n,
        "rows": [],
    }
    if not result["comparable"]:
        return result
    rows = []
    for key in set(now) | set(before):
        share, prev = now[key] / n_now, before[key] / n_before
        rows.append(
            {
                "category": key[0],
                "label": key[1],
                "asked": now[key],
                "asked_previous": before[key],
                "share": _r(share),
                "share_previous": _r(prev),
                "change_pp": _r((share - prev) * 100, 2),
            }
        )
    rows.sort(key=lambda x: (-abs(x["change_pp"]), x["category"], x["label"]))
    result["rows"] = [r for r in rows if r["change_pp"] != 0][:MOVERS]
    return result


# --- method ----------------------------------------------------------------------------------------


def _method(run: _Runner, guide: Guide, models_dir: Path | None, labels: list[dict]) -> dict[str, Any]:
    tag_versions: dict[str, int] = defaultdict(int)
    for row in labels:
        tag_versions[row["model_version"]] += row["asked"]
    versions = run.rows(rq.MODEL_VERSIONS)
    names = sorted({v["version"] for v in versions if v["version"]} | {v for v in tag_versions if v})
    return {
        "crawl_runs": run.rows(rq.CRAWL_RUNS),
        "crawl_sources": run.rows(rq.CRAWL_SOURCES),
        "model_versions": versions,
        "tag_versions": [{"version": k or "", "tags": v} for k, v in sorted(tag_versions.items())],
        "models": [{"version": v, "metrics": model_metrics(v, models_dir)} for v in names],
        "rules": {
            "min_postings": guide.rules.min_postings,
            "min_pay_postings": guide.rules.min_pay_postings,
            "confidence": guide.rules.confidence,
            "plausible_annual_pay": list(guide.rules.plausible_annual_pay),
            "strengths": {
                name: {"measure": s.measure, "supported": s.supported, "partly": s.partly, "reads": s.reads}
                for name, s in guide.rules.strengths.items()
            },
        },
    }


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    if isinstance(obj, dict):
        for key in sorted(obj, key=str):
            out.extend(_flatten(obj[key], f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out.append((prefix, float(obj)))
    return out


def headline_scores(leaves: list[tuple[str, float]], limit: int = 10) -> list[dict[str, Any]]:
    """A few headline scores from flattened metrics: no per-label rows, no baseline when the
    model's own scores are there, names shorn of their common prefix."""
    picked = [(n, v) for n, v in leaves if _HEADLINE_SCORE.search(n) and "per_label" not in n]
    if any(not _BASELINE.search(n) for n, _ in picked):
        picked = [(n, v) for n, v in picked if not _BASELINE.search(n)]
    if len(picked) > 1:
        parts = [n.split(".") for n, _ in picked]
        common = 0
        while all(len(p) > common + 1 and p[common] == parts[0][common] for p in parts):
            common += 1
        picked = [(".".join(p[common:]), v) for p, (_, v) in zip(parts, picked, strict=True)]
    return [{"name": n, "value": _r(v)} for n, v in picked[:limit]]


def model_metrics(version: str, models_dir: Path | None) -> list[dict[str, Any]] | None:
    """Evaluation scores of a matcher version from ``data/models/*/<version>/{metrics,metadata}.json``
    (or a model folder whose metadata names that version); ``None`` when none is found."""
    if models_dir is None or not models_dir.is_dir() or not version:
        return None
    candidates = sorted(models_dir.glob(f"*/{version}/metrics.json")) + sorted(
        models_dir.glob(f"*/{version}/metadata.json")
    )
    for folder in sorted(p for p in models_dir.glob("*") if p.is_dir()):
        meta = folder / "metadata.json"
        if meta.is_file():
            try:
                if str(json.loads(meta.read_text(encoding="utf-8")).get("version")) == version:
                    candidates += [folder / "metrics.json", meta]
            except (OSError, ValueError, AttributeError):
                continue
    for path in candidates:
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("model metrics %s unreadable: %s", path, exc)
            continue
        scores = headline_scores(_flatten(data))
        if scores:
            return scores
    return None

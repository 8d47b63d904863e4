"""SQL views for the common questions, kept in the database so `majobs query`, Datasette and
anyone with sqlite3 see the same figures.

- ``active_postings``: open postings (not closed by the lifecycle), with ``group_id``.
- ``posting_lifecycle``: each posting's status and days open.
- ``cert_demand_by_stage``: certifications asked for (and at what level) per career stage.
- ``ehr_demand``: EHR systems named, over all open MA postings.
- ``posting_pay`` / ``pay_by_stage``: pay per posting, annualized (``ANNUAL_FACTORS``), and its
  spread per stage.
- ``dedup_groups``: the groups of postings merged as one job (see ``scraper/dedup.py``).

Counting rule everywhere: a job is counted once however many sources show it, by
``group_id = coalesce(dedup_group, id)``. The demand and pay views count open postings the
matcher has tagged as MA roles (``is_ma_role = 1``); untagged postings are not guessed at.
"""

from __future__ import annotations

import re

import sqlite_utils

from scraper.items import USD_SPELLINGS
from scraper.parsers.normalize import ANNUAL_FACTORS

_ANNUAL_FACTOR = "CASE {unit} " + " ".join(f"WHEN '{u}' THEN {f}" for u, f in ANNUAL_FACTORS.items()) + " END"
HOURS_PER_YEAR = ANNUAL_FACTORS["HOUR"]
_UNITS = ", ".join(f"'{u}'" for u in ANNUAL_FACTORS)


def other_currency(column: str) -> str:
    """SQL: ``column`` names a currency that is not US dollars (:func:`scraper.items.is_usd` in SQL)."""
    spellings = ", ".join(f"'{x}'" for x in USD_SPELLINGS)
    return f"upper(trim(coalesce({column}, 'USD'))) NOT IN ({spellings})"


OTHER_CURRENCY = other_currency("salary_currency")


def _pick(structured: str, matcher: str, description: str) -> str:
    """Pay as the report reads it: structured fields, else the matcher's, else the description's.
    A posting whose salary is in another currency than US dollars has none (the guide's bands are
    dollars), not even the matcher's: its text states the same pay ("$55,000 - $65,000 CAD")."""
    salary = f"coalesce(salary_min, salary_max) IS NOT NULL AND salary_unit IN ({_UNITS})"
    return (
        f"CASE WHEN {OTHER_CURRENCY} THEN NULL "
        f"WHEN salary_source = 'structured' AND {salary} THEN {structured} "
        f"WHEN coalesce(pay_min, pay_max) IS NOT NULL AND pay_unit IN ({_UNITS}) THEN {matcher} "
        f"WHEN {salary} THEN {description} END"
    )


VIEWS: dict[str, str] = {
    "active_postings": """
SELECT id, coalesce(dedup_group, id) AS group_id, source, source_key, title, company, city, state,
       remote, employment_type, stage, is_ma_role, date_posted, first_seen, last_seen, url
FROM postings
WHERE closed_at IS NULL""",
    "posting_lifecycle": """
SELECT id, group_id, source, source_key, company, title, state, stage, date_posted, first_seen,
       last_seen, closed_at, status, opened_on, ended_on,
       CAST(julianday(ended_on) - julianday(opened_on) AS INTEGER) AS days_open
FROM (
  SELECT id, coalesce(dedup_group, id) AS group_id, source, source_key, company, title, state, stage,
         date_posted, first_seen, last_seen, closed_at,
         CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END AS status,
         -- opened: the date the posting says, unless we saw it earlier than that
         min(coalesce(date_posted, date(first_seen)), date(first_seen)) AS opened_on,
         -- ended: the run that found it gone; for an open posting, the last run that saw it
         date(coalesce(closed_at, last_seen)) AS ended_on
  FROM postings
)""",
    "cert_demand_by_stage": """
WITH ma AS (
  SELECT id, coalesce(dedup_group, id) AS group_id, coalesce(stage, 'unknown') AS stage
  FROM postings WHERE closed_at IS NULL AND is_ma_role = 1
),
totals AS (SELECT stage, count(DISTINCT group_id) AS stage_postings FROM ma GROUP BY stage)
SELECT ma.stage, t.label AS certification, coalesce(t.level, 'unspecified') AS level,
       count(DISTINCT ma.group_id) AS postings, totals.stage_postings,
       round(100.0 * count(DISTINCT ma.group_id) / totals.stage_postings, 1) AS pct_of_stage
FROM ma
JOIN tags t ON t.posting_id = ma.id AND t.category = 'certification'
JOIN totals ON totals.stage = ma.stage
GROUP BY ma.stage, t.label, coalesce(t.level, 'unspecified')
ORDER BY ma.stage, postings DESC, certification, level""",
    "ehr_demand": """
WITH ma AS (
  SELECT id, coalesce(dedup_group, id) AS group_id FROM postings WHERE closed_at IS NULL AND is_ma_role = 1
),
total AS (SELECT count(DISTINCT group_id) AS ma_postings FROM ma)
SELECT t.label AS ehr, count(DISTINCT ma.group_id) AS postings, total.ma_postings,
       round(100.0 * count(DISTINCT ma.group_id) / total.ma_postings, 1) AS pct_of_ma_postings
FROM ma
JOIN tags t ON t.posting_id = ma.id AND t.category = 'ehr'
CROSS JOIN total
GROUP BY t.label
ORDER BY postings DESC, ehr""",
    "posting_pay": f"""
SELECT id, group_id, source, company, title, state, stage, is_ma_role, active, pay_source,
       pay_min, pay_max, pay_unit,
       pay_min * {_ANNUAL_FACTOR.format(unit="pay_unit")} AS annual_min,
       pay_max * {_ANNUAL_FACTOR.format(unit="pay_unit")} AS annual_max,
       (coalesce(pay_min, pay_max) + coalesce(pay_max, pay_min)) / 2.0
         * {_ANNUAL_FACTOR.format(unit="pay_unit")} AS annual_mid
FROM (
  SELECT id, coalesce(dedup_group, id) AS group_id, source, company, title, state,
         coalesce(stage, 'unknown') AS stage, is_ma_role, closed_at IS NULL AS active,
         {_pick("'structured'", "'matcher'", "'description'")} AS pay_source,
         {_pick("salary_min", "pay_min", "salary_min")} AS pay_min,
         {_pick("salary_max", "pay_max", "salary_max")} AS pay_max,
         {_pick("salary_unit", "pay_unit", "salary_unit")} AS pay_unit
  FROM postings
)
WHERE pay_unit IS NOT NULL""",
    "pay_by_stage": f"""
WITH per_job AS (
  SELECT stage, group_id, avg(annual_mid) AS annual_mid
  FROM posting_pay WHERE active AND is_ma_role = 1 AND annual_mid IS NOT NULL
  GROUP BY stage, group_id
),
ranked AS (
  SELECT stage, annual_mid,
         row_number() OVER (PARTITION BY stage ORDER BY annual_mid) AS rn,
         count(*) OVER (PARTITION BY stage) AS n
  FROM per_job
)
SELECT stage, max(n) AS postings_with_pay,
       round(min(annual_mid)) AS annual_low,
       round(avg(annual_mid) FILTER (WHERE rn IN ((n + 1) / 2, (n + 2) / 2))) AS annual_median,
       round(avg(annual_mid)) AS annual_mean,
       round(max(annual_mid)) AS annual_high,
       round(avg(annual_mid) FILTER (WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) / {HOURS_PER_YEAR}, 2)
         AS hourly_median
FROM ranked
GROUP BY stage
ORDER BY stage""",
    "dedup_groups": """
SELECT dedup_group AS group_id, count(*) AS postings, count(DISTINCT source) AS sources,
       group_concat(id, ' | ') AS members, min(title) AS title, min(company) AS company,
       min(city) AS city, min(state) AS state, sum(closed_at IS NULL) AS open
FROM postings
WHERE dedup_group IS NOT NULL
GROUP BY dedup_group
HAVING count(*) > 1""",
}


def _normalized(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def ensure_views(db: sqlite_utils.Database) -> None:
    """Create the views, or replace any whose definition changed; safe to call on every start."""
    have = {
        name: _normalized(sql or "")
        for name, sql in db.execute("select name, sql from sqlite_master where type = 'view'").fetchall()
    }
    wanted = {name: f"CREATE VIEW [{name}] AS {body.strip()}" for name, body in VIEWS.items()}
    stale = [name for name, sql in wanted.items() if have.get(name) != _normalized(sql)]
    if not stale:
        return
    with db.conn:
        # posting_pay feeds pay_by_stage: drop every stale view first, then create in order.
        for name in stale:
            db.execute(f"DROP VIEW IF EXISTS [{name}]")
        for name in wanted:
            if name in stale:
                db.execute(wanted[name])

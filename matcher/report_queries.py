"""Every SQL statement behind the weekly report, in one place.

The report only formats what these return. Each query is a body that reads two relations:

- ``report_jobs``: one row per *job*: postings that share ``dedup_group`` count once (their
  representative is the group's smallest id; the job lives from the group's first sighting until
  its last copy closed), with the posting's pay annualized by ``ANNUAL_FACTORS``;
- ``report_week``: the jobs active in the week ``[:week_start, :week_end)`` or the one before it
  (from ``:previous_start``), flagged ``in_week`` / ``in_previous`` (first seen before the week's
  end and not closed before its start) and ``is_new`` / ``is_new_previous`` (first seen within it);
- ``report_week_tags``: the tags of those MA postings, with the posting's stage and flags.

``report_jobs`` holds only the jobs that can matter to the 8-week trend (``:trend_start`` is the
Monday seven weeks before the week's). The report materializes these as TEMP tables once per run
(fast: see benchmarks/report.py);
:func:`canned_queries` gives the very same bodies as self-contained statements (the relations as
CTEs) for Datasette's ``metadata.yaml``, so the figures there match the report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scraper.parsers.normalize import ANNUAL_FACTORS
from scraper.views import other_currency

if TYPE_CHECKING:
    from matcher.report.guide import Guide

LEVEL_RANK = "case t.level when 'required' then 1 when 'accepted' then 2 when 'preferred' then 3 else 4 end"


def _factor(unit: str) -> str:
    whens = " ".join(f"when '{u}' then {f}" for u, f in sorted(ANNUAL_FACTORS.items()))
    return f"(case {unit} {whens} end)"


def _midpoint(low: str, high: str) -> str:
    return f"((coalesce({low}, {high}) + coalesce({high}, {low})) / 2.0)"


_UNITS = ", ".join(f"'{u}'" for u in sorted(ANNUAL_FACTORS))

# Structured pay first, then the matcher's reading of the text, then the crawler's text parse. A
# posting whose salary is in another currency than US dollars has no pay here (the guide's bands
# are dollars), not even the matcher's: its text states the same pay ("$55,000 - $65,000 CAD").
_OTHER_CURRENCY = other_currency("p.salary_currency")
_SALARY = f"coalesce(p.salary_min, p.salary_max) is not null and p.salary_unit in ({_UNITS})"
ANNUAL_PAY = f"""case
      when {_OTHER_CURRENCY} then null
      when p.salary_source = 'structured' and {_SALARY}
        then {_midpoint("p.salary_min", "p.salary_max")} * {_factor("p.salary_unit")}
      when coalesce(p.pay_min, p.pay_max) is not null and p.pay_unit in ({_UNITS})
        then {_midpoint("p.pay_min", "p.pay_max")} * {_factor("p.pay_unit")}
      when {_SALARY}
        then {_midpoint("p.salary_min", "p.salary_max")} * {_factor("p.salary_unit")}
    end"""

PAY_SOURCE = f"""case
      when {_OTHER_CURRENCY} then null
      when p.salary_source = 'structured' and {_SALARY} then 'structured'
      when coalesce(p.pay_min, p.pay_max) is not null and p.pay_unit in ({_UNITS}) then 'matcher'
      when {_SALARY} then 'description'
    end"""

_JOB_COLUMNS = f"""p.id, p.source, p.state, p.title, p.company, p.is_ma_role, p.stage,
    p.min_years_experience, p.tag_model_version,
    {ANNUAL_PAY} as annual_pay,
    {PAY_SOURCE} as pay_source"""

JOBS = f"""select {_JOB_COLUMNS}, p.first_seen, p.closed_at, 1 as copies
  from postings p
  -- Open postings, then those closed since :trend_start: two range reads of the closed_at index
  -- ("+" keeps the planner off the other indexes: most rows have no dedup_group, and nearly all
  -- were first seen before the week's end).
  where p.closed_at is null and +p.dedup_group is null and +p.first_seen < :week_end
  union all
  select {_JOB_COLUMNS}, p.first_seen, p.closed_at, 1 as copies
  from postings p
  where p.closed_at >= :trend_start and +p.dedup_group is null and +p.first_seen < :week_end
  union all
  select {_JOB_COLUMNS}, g.first_seen, g.closed_at, g.copies
  from (
    select min(id) as id, min(first_seen) as first_seen, count(*) as copies,
      -- the job is closed only when every copy is
      case when count(closed_at) = count(*) then max(closed_at) end as closed_at
    from postings where dedup_group is not null group by dedup_group
  ) g join postings p on p.id = g.id
  where g.first_seen < :week_end and (g.closed_at is null or g.closed_at >= :trend_start)"""

# The week and the one before it, in one relation (one pass over the tags serves both):
# in_week / in_previous = active in that week; is_new / is_new_previous = first seen in it.
WEEK = """select *,
    (first_seen < :week_end and (closed_at is null or closed_at >= :week_start)) as in_week,
    (first_seen < :week_start and (closed_at is null or closed_at >= :previous_start)) as in_previous,
    (first_seen >= :week_start) as is_new,
    (first_seen >= :previous_start and first_seen < :week_start) as is_new_previous
  from report_jobs
  where first_seen < :week_end and (closed_at is null or closed_at >= :previous_start)"""

# The tags of those MA postings, with the posting's stage and the level as a rank
# (1 required, 2 accepted, 3 preferred, 4 none: the strongest ask is the smallest).
WEEK_TAGS = f"""select t.posting_id, coalesce(w.stage, '') as stage, t.category, t.label, t.level,
    {LEVEL_RANK} as level_rank, coalesce(t.model_version, '') as model_version,
    w.in_week, w.in_previous
  from report_week w join tags t on t.posting_id = w.id
  where w.is_ma_role = 1"""

# Materialized relations, in order: (name, SQL, indexes).
RELATIONS: tuple[tuple[str, str], ...] = (
    ("report_jobs", JOBS),
    ("report_week", WEEK),
    ("report_week_tags", WEEK_TAGS),
)


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    body: str
    ctes: str = ""  # extra common table expressions the body uses (no leading WITH)
    description: str = ""
    # Small relations of its own the report materializes (name, select, indexed columns).
    relations: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def report_sql(self) -> str:
        """The statement the report runs against the TEMP relations."""
        return f"with recursive {self.ctes}\n{self.body}" if self.ctes else self.body

    def canned_sql(self) -> str:
        """A self-contained statement (for Datasette): the relations as CTEs."""
        ctes = [f"{name} as (\n  {sql}\n)" for name, sql in RELATIONS]
        ctes += [f"{name} as (\n  {sql}\n)" for name, sql, _ in self.relations]
        if self.ctes:
            ctes.append(self.ctes)
        return "with recursive " + ",\n".join(ctes) + "\n" + self.body


def _q(label: str) -> str:
    """A SQL string literal (labels come from the validated guide; quote them anyway)."""
    return "'" + label.replace("'", "''") + "'"


# --- fixed queries --------------------------------------------------------------------------------

HEADLINE = Query(
    "headline",
    "Postings active and new in the week (and the week before)",
    """select
  coalesce(sum(in_week), 0) as all_active,
  coalesce(sum(in_week and is_ma_role = 1), 0) as ma_active,
  coalesce(sum(in_week and is_ma_role = 1 and is_new), 0) as ma_new,
  coalesce(sum(in_week and is_ma_role = 0), 0) as other_active,
  coalesce(sum(in_week and is_ma_role is null), 0) as untagged_active,
  coalesce(sum(in_week and is_ma_role is null and is_new), 0) as untagged_new,
  coalesce(sum(in_week and is_ma_role = 1 and annual_pay is not null), 0) as ma_with_pay,
  coalesce(sum(in_week and is_ma_role = 1 and copies > 1), 0) as ma_deduplicated,
  coalesce(sum(in_previous and is_ma_role = 1), 0) as ma_active_previous,
  coalesce(sum(in_previous and is_ma_role = 1 and is_new_previous), 0) as ma_new_previous,
  coalesce(sum(in_previous and is_ma_role is null), 0) as untagged_active_previous
from report_week""",
    description="MA postings (is_ma_role = 1) active and new; never-tagged postings counted apart.",
)

BY_SOURCE = Query(
    "by_source",
    "MA postings by source",
    """select source, count(*) as active, coalesce(sum(is_new), 0) as new
from report_week where in_week and is_ma_role = 1
group by source order by active desc, source""",
)

BY_STATE = Query(
    "by_state",
    "MA postings by state",
    """select coalesce(state, '') as state, count(*) as active, coalesce(sum(is_new), 0) as new
from report_week where in_week and is_ma_role = 1
group by coalesce(state, '') order by active desc, state""",
)

TREND = Query(
    "trend",
    "MA postings active and new over the last 8 weeks",
    # One pass: jobs bucketed by how many whole weeks before the week's end they were first seen
    # (f) and closed (c; -1 = open or closed after the week), then 8 weeks summed from the buckets.
    # Week k (0 = this week) is active for a job when f >= k (first seen by then) and c <= k.
    """select k, date(:week_start, printf('-%d days', 7 * k)) as week_start,
  coalesce(sum(case when f >= k and c <= k then n end), 0) as active,
  coalesce(sum(case when f = k then n end), 0) as new
from weeks left join buckets
group by k order by k desc""",
    ctes="""weeks(k) as (select 0 union all select k + 1 from weeks where k < 7),
buckets as (
  select (cast(julianday(:week_end) - julianday(substr(first_seen, 1, 10)) as int) - 1) / 7 as f,
    case when closed_at is null or substr(closed_at, 1, 10) >= :week_end then -1
      else (cast(julianday(:week_end) - julianday(substr(closed_at, 1, 10)) as int) - 1) / 7 end as c,
    count(*) as n
  from report_jobs
  where is_ma_role = 1 and first_seen < :week_end
  group by 1, 2
)""",
)

STAGES = Query(
    "stages",
    "MA postings by stage, with how many carry a plausible pay figure",
    """select coalesce(stage, '') as stage, count(*) as postings, coalesce(sum(is_new), 0) as new,
  coalesce(sum(annual_pay between cast(:pay_low as real) and cast(:pay_high as real)), 0) as with_pay
from report_week where in_week and is_ma_role = 1
group by coalesce(stage, '') order by stage""",
)

LABELS = Query(
    "labels",
    "What MA postings ask for, by stage, label and level (this week; asked_previous: the week before)",
    """select stage, category, label, model_version,
  coalesce(sum(in_week), 0) as asked,
  coalesce(sum(in_week and level_rank = 1), 0) as required,
  coalesce(sum(in_week and level_rank = 3), 0) as preferred,
  coalesce(sum(in_week and level_rank = 2), 0) as accepted,
  coalesce(sum(in_previous), 0) as asked_previous
from report_week_tags
group by 1, 2, 3, 4 order by 1, 2, 3, 4""",
    description="One row per (stage, category, label, model version); shares divide by the stage's postings.",
)

YEARS = Query(
    "years",
    "Years of experience asked, by stage",
    """select coalesce(stage, '') as stage, min_years_experience as years, count(*) as postings
from report_week where in_week and is_ma_role = 1
group by 1, 2 order by 1, 2""",
)

PAY_SUMMARY = Query(
    "pay_summary",
    "Annualized posted pay by stage (n, mean, mean of squares)",
    """select coalesce(stage, '') as stage, count(*) as n, avg(annual_pay) as mean,
  avg(annual_pay * annual_pay) as mean_sq
from report_week
where in_week and is_ma_role = 1 and annual_pay between cast(:pay_low as real) and cast(:pay_high as real)
group by 1 order by 1""",
)

PAY_RANKS = Query(
    "pay_ranks",
    "Annualized posted pay at given ranks (1 = lowest) for one stage",
    """select rn, x from (
  select annual_pay as x, row_number() over (order by annual_pay) as rn
  from report_week
  where in_week and is_ma_role = 1 and stage = :stage
    and annual_pay between cast(:pay_low as real) and cast(:pay_high as real)
) where rn in (select value from json_each(:ranks)) order by rn""",
    description="ranks is a JSON array, e.g. [1, 50, 100].",
)

PAY_SOURCES = Query(
    "pay_sources",
    "Where MA postings' pay figures come from",
    """select coalesce(pay_source, 'none') as pay_source, count(*) as postings,
  coalesce(sum(annual_pay not between cast(:pay_low as real) and cast(:pay_high as real)), 0) as implausible
from report_week where in_week and is_ma_role = 1
group by 1 order by 2 desc, 1""",
)

TITLES = Query(
    "titles",
    "The most common titles of MA postings, by stage",
    """select stage, title, postings from (
  select coalesce(stage, '') as stage, min(title) as title, count(*) as postings,
    row_number() over (partition by coalesce(stage, '') order by count(*) desc, lower(trim(title))) as rn
  from report_week where in_week and is_ma_role = 1
  group by coalesce(stage, ''), lower(trim(title))
) where rn <= 6 order by stage, rn""",
)

EMPLOYERS = Query(
    "employers",
    "Employers with the most active MA postings",
    """select company, active, new from (
  select coalesce(company, '') as company, count(*) as active, coalesce(sum(is_new), 0) as new
  from report_week where in_week and is_ma_role = 1
  group by coalesce(company, '')
) order by active desc, company limit 10""",
)

MODEL_VERSIONS = Query(
    "model_versions",
    "Matcher versions behind the week's postings",
    """select coalesce(tag_model_version, '') as version, count(*) as postings
from report_week where in_week and is_ma_role is not null
group by 1 order by 2 desc, 1""",
)

CRAWL_RUNS = Query(
    "crawl_runs",
    "Crawl runs started in the week",
    """select id, started_at, finished_at, status, sources, fetched, new, updated, failed, closed
from crawl_runs where started_at >= :week_start and started_at < :week_end
order by started_at, id""",
)

CRAWL_SOURCES = Query(
    "crawl_sources",
    "Sources crawled in the week",
    """select s.source_key, s.kind, count(*) as runs, coalesce(sum(s.fetched), 0) as fetched,
  coalesce(sum(s.new), 0) as new, coalesce(sum(s.failed), 0) as failed,
  coalesce(sum(s.complete), 0) as complete_runs
from crawl_run_sources s join crawl_runs r on r.id = s.run_id
where r.started_at >= :week_start and r.started_at < :week_end
group by s.source_key, s.kind order by s.source_key""",
)

FIXED: tuple[Query, ...] = (
    HEADLINE, BY_SOURCE, BY_STATE, TREND, STAGES, LABELS, YEARS, PAY_SUMMARY, PAY_RANKS,
    PAY_SOURCES, TITLES, EMPLOYERS, MODEL_VERSIONS, CRAWL_RUNS, CRAWL_SOURCES,
)  # fmt: skip


# --- queries built from the guide -----------------------------------------------------------------


def label_sets(guide: Guide) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Named label sets whose "any of" counts need one count per posting: recommendations and
    share claims naming several labels or any label ("*"), and "any label" of each category a
    ranking claim reads (``any:<category>``). Single labels come from :data:`LABELS`."""
    from matcher.report.guide import ANY, TAG_CATEGORY

    sets: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for rec in guide.recommendations:
        if rec.measured and (len(rec.labels) > 1 or ANY in rec.labels):
            sets[f"rec:{rec.id}"] = (rec.stage, TAG_CATEGORY[rec.category], rec.labels)
    for claim in guide.claims:
        check = claim.check
        if claim.kind == "share" and (len(check["labels"]) > 1 or ANY in check["labels"]):
            sets[f"claim:{claim.id}"] = (check["stage"], TAG_CATEGORY[check["category"]], check["labels"])
        if claim.kind == "ranking":
            sets[f"any:{check['category']}"] = (
                check.get("stage") or "",
                TAG_CATEGORY[check["category"]],
                (ANY,),
            )
    return sets


def label_set_query(guide: Guide) -> Query:
    """Per label set and stage: postings asking for any of its labels, by their strongest level."""
    values = [
        f"({_q(name)}, {_q(stage)}, {_q(category)}, {_q(label)})"
        for name, (stage, category, labels) in label_sets(guide).items()
        for label in labels
    ] or ["('', '', '', '')"]
    sets = (
        "select column1 as name, column2 as stage, column3 as category, column4 as label from (values\n  "
        + ",\n  ".join(values)
        + "\n)"
    )
    ctes = """hits as (
  select name, posting_id, stage, min(level_rank) as level_rank from (
    select s.name, t.posting_id, t.stage, t.level_rank
    from report_week_tags t join report_sets s on s.category = t.category and s.label = t.label
    where t.in_week and (s.stage = '' or s.stage = t.stage)
    union all
    select s.name, t.posting_id, t.stage, t.level_rank
    from report_week_tags t join report_sets s on s.category = t.category and s.label = '*'
    where t.in_week and (s.stage = '' or s.stage = t.stage)
  ) group by name, posting_id
)"""
    body = """select name, stage, count(*) as asked,
  coalesce(sum(level_rank = 1), 0) as required,
  coalesce(sum(level_rank = 2), 0) as accepted,
  coalesce(sum(level_rank = 3), 0) as preferred
from hits group by name, stage order by name, stage"""
    return Query(
        "label_sets",
        "The guide's label sets: postings asking for any of their labels",
        body,
        ctes,
        relations=(("report_sets", sets, ("category", "label")),),
    )


def _exists(
    category: str,
    *,
    labels_in: tuple[str, ...] | None = None,
    labels_not_in: tuple[str, ...] | None = None,
    levels: tuple[str, ...] | list[str] | None = None,
) -> str:
    conds = ["t.posting_id = w.id", f"t.category = {_q(category)}"]
    if labels_in:
        conds.append(f"t.label in ({', '.join(_q(x) for x in labels_in)})")
    if labels_not_in:
        conds.append(f"t.label not in ({', '.join(_q(x) for x in labels_not_in)})")
    if levels:
        conds.append(f"t.level in ({', '.join(_q(x) for x in levels)})")
    return "exists (select 1 from tags t where " + " and ".join(conds) + ")"


def _side(spec: dict[str, Any]) -> str:
    """A predicate for one side of a pay comparison (see claims in data/guide.yaml)."""
    from matcher.report.guide import ANY, TAG_CATEGORY

    category = TAG_CATEGORY[spec["category"]]
    labels = None if ANY in spec["labels"] else tuple(spec["labels"])
    excepted = tuple(spec.get("except") or ())
    parts = [_exists(category, labels_in=labels, labels_not_in=excepted or None, levels=spec.get("levels"))]
    if excepted:  # "a specialty clinic": and none of the excepted labels
        parts.append("not " + _exists(category, labels_in=excepted))
    if spec.get("only") and labels:  # "only these": no other label of the category
        parts.append("not " + _exists(category, labels_not_in=labels))
    return " and ".join(parts)


def pay_gap_query(claim_id: str, check: dict[str, Any]) -> Query:
    """Per stage and side: n, mean and mean of squares of annualized pay (for a Welch interval)."""
    a = _side(check["a"])
    b = "1" if check["b"].get("rest") else _side(check["b"])
    stages = ", ".join(_q(s) for s in check["stages"])
    body = f"""select stage, side, count(*) as n, avg(x) as mean, avg(x * x) as mean_sq from (
  select w.stage as stage, w.annual_pay as x,
    case when {a} then 'a' when {b} then 'b' end as side
  from report_week w
  where w.in_week and w.is_ma_role = 1 and w.stage in ({stages})
    and w.annual_pay between cast(:pay_low as real) and cast(:pay_high as real)
) where side is not null
group by stage, side order by stage, side"""
    return Query(f"pay_gap_{claim_id.replace('-', '_')}", f"Pay comparison for claim {claim_id}", body)


def guide_queries(guide: Guide) -> list[Query]:
    queries = [label_set_query(guide)]
    for claim in guide.claims:
        if claim.kind == "pay_gap":
            queries.append(pay_gap_query(claim.id, claim.check))
    return queries


def canned_queries(guide: Guide | None = None) -> dict[str, dict[str, str]]:
    """Datasette 0.65 ``metadata.yaml`` canned queries: the report's figures, same SQL.

    Parameters: ``week_start``/``week_end`` (ISO dates, end exclusive), ``previous_start`` (the
    week before), ``trend_start`` (eight weeks before), ``pay_low``/``pay_high`` (the guide's
    plausible annual pay), and ``stage``/``ranks`` (a JSON list) for ``pay_ranks``. The SQL casts
    ``pay_low``/``pay_high`` to numbers: Datasette passes form values as text, and in SQLite a
    number is never ``between`` two strings.
    """
    from matcher.report.guide import load_guide

    guide = guide or load_guide()
    out = {}
    for query in (*FIXED, *guide_queries(guide)):
        out[f"report_{query.name}"] = {"title": query.title, "sql": query.canned_sql()}
        if query.description:
            out[f"report_{query.name}"]["description"] = query.description
    return out

"""majobs query: read-only whatever the SQL says, a time limit, three output formats, the views."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from scraper.items import new_posting
from scraper.query import (
    MAX_VALUE_BYTES,
    QueryError,
    QueryRefused,
    QueryResult,
    QueryTimeout,
    format_result,
    run_query,
)
from scraper.store import open_db, save_postings
from tests.conftest import TEST_NOW


@pytest.fixture
def store(db_path):
    db = open_db(db_path)
    save_postings(
        db,
        [
            new_posting(
                "greenhouse",
                "1",
                "Medical Assistant",
                company="Acme",
                state="AZ",
                source_key="greenhouse:acme",
                salary_min=18.0,
                salary_max=22.0,
                salary_unit="HOUR",
                salary_source="structured",
                description_text="Phlebotomy and vital signs; CMA required.",
            ),
            new_posting(
                "lever",
                "2",
                "Certified Medical Assistant",
                company='Beta, "Clinic"',
                state="TX",
                source_key="lever:beta",
                description_text="Epic charting.",
            ),
        ],
        now=TEST_NOW.isoformat(),
    )
    db.execute("update postings set is_ma_role = 1, stage = 'entry'")
    db.execute(
        "insert into tags (posting_id, category, label, level) values "
        "('greenhouse:1', 'certification', 'CMA', 'required'), "
        "('lever:2', 'certification', 'CMA', 'preferred'), ('lever:2', 'ehr', 'Epic', null)"
    )
    db.conn.commit()
    db.close()
    return db_path


def count(db_path) -> int:
    return run_query(db_path, "select count(*) from postings").rows[0][0]


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("insert into postings (id, source, source_id, title) values ('x', 'y', 'z', 't')", "insert"),
        ("update postings set title = 'pwned'", "update"),
        ("delete from postings", "delete (postings)"),
        # DDL is named for what it is, not for the sqlite_master row SQLite asks to write first.
        ("drop table postings", "drop table (postings)"),
        ("drop view active_postings", "drop view (active_postings)"),
        ("drop table postings_fts", "drop vtable (postings_fts"),
        ("create table t (x)", "create table (t)"),
        ("create temp view v as select 1", "create temp view (v)"),
        ("create index i on postings (title)", "create index (i postings)"),
        ("insert into sqlite_master values ('table', 't', 't', 0, '')", "insert (sqlite_master)"),
        ("attach database ':memory:' as other", "attach"),
        ("pragma user_version = 99", "pragma (user_version = 99)"),
        ("pragma journal_mode = delete", "pragma (journal_mode = delete)"),
        ("pragma query_only = 0", "pragma"),
        ("pragma writable_schema = 1", "pragma"),
        ("vacuum", "vacuum"),  # not "attach", which is all SQLite asks of the authorizer for it
        ("/* tidy */ VACUUM into 'copy.db'", "vacuum"),
        ("reindex", "reindex"),
        ("analyze", "analyze"),
        ("begin immediate", "transaction"),
    ],
)
def test_anything_but_reading_is_refused_with_a_clear_error(store, sql, refused):
    with pytest.raises(QueryRefused) as info:
        run_query(store, sql)
    assert "only reads" in str(info.value) and refused in str(info.value)
    assert count(store) == 2
    assert run_query(store, "pragma user_version").rows[0][0] == 1


def test_reading_works_including_fts_views_ctes_and_reporting_pragmas(store):
    hits = run_query(
        store,
        "select p.id from postings_fts f join postings p on p.rowid = f.rowid "
        "where postings_fts match 'phlebotomy'",
    )
    assert hits.rows == [("greenhouse:1",)]
    assert run_query(store, "select certification, level, postings from cert_demand_by_stage").rows == [
        ("CMA", "preferred", 1),
        ("CMA", "required", 1),
    ]
    assert run_query(store, "select ehr, postings, pct_of_ma_postings from ehr_demand").rows == [
        ("Epic", 1, 50.0)
    ]
    (pay,) = run_query(
        store, "select stage, postings_with_pay, annual_median, hourly_median from pay_by_stage"
    ).rows
    assert pay == ("entry", 1, 41600.0, 20.0)  # (18 + 22) / 2 an hour x 2080
    cols = run_query(store, "pragma table_info(postings)").rows
    assert "dedup_group" in {c[1] for c in cols}
    assert run_query(
        store,
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select sum(i) from n",
    ).rows == [(15,)]
    assert run_query(store, "select title from postings where state = :st", {"st": "TX"}).rows == [
        ("Certified Medical Assistant",)
    ]


def test_runaway_query_is_stopped(store):
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    with pytest.raises(QueryTimeout, match=r"stopped after 0\.3s"):
        run_query(store, endless, timeout=0.3)


def test_rows_are_capped_within_the_time_limit(store):
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i from n"
    capped = run_query(store, endless, max_rows=5)
    assert capped.rows == [(1,), (2,), (3,), (4,), (5,)] and capped.truncated
    exact = run_query(store, "select id from postings", max_rows=2)
    assert len(exact.rows) == 2 and not exact.truncated
    with pytest.raises(QueryTimeout):  # uncapped, the deadline stops the fetching
        run_query(store, endless, timeout=0.3)


def test_one_huge_value_is_refused_not_built(store):
    # One value is made in a single SQLite step, beyond the time limit's and row cap's reach.
    with pytest.raises(QueryError, match="would exceed 100 MB"):
        run_query(store, "select zeroblob(200000000)")
    with pytest.raises(QueryError, match="would exceed"):
        run_query(store, "select replace(printf('%.*c', 30000000, 'x'), 'x', 'abcd')")
    fits = run_query(store, "select length(zeroblob(?))", [MAX_VALUE_BYTES])
    assert fits.rows == [(MAX_VALUE_BYTES,)]


def _query_in_a_process(store, sql: str) -> subprocess.CompletedProcess:
    # A process of its own: the command caps SQLite's memory for the rest of its process.
    args = [sys.executable, "-c", "from matcher.cli import cli; cli()", "query", sql, "--db", str(store)]
    return subprocess.run([*args, "--format", "csv"], capture_output=True, text=True, timeout=60)


def test_cli_refuses_a_row_of_huge_values(store):
    # Each value is under the cap, but one step makes the whole row: 6 x 99 MB (and Python's copy).
    row = ", ".join(["zeroblob(99000000)"] * 6)
    done = _query_in_a_process(store, f"select {row}")
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert done.stderr.strip() == "Error: query failed: out of memory (a query may use at most 300 MB)"
    fits = _query_in_a_process(store, "select length(randomblob(99000000)) as n, length(zeroblob(9)) as z")
    assert fits.returncode == 0 and fits.stdout.split() == ["n,z", "99000000,9"], fits.stderr


def test_cli_caps_rows_and_says_so_on_stderr(store):
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i from n"
    runner = CliRunner()
    few = runner.invoke(cli, ["query", endless, "--db", str(store), "--format", "csv", "--max-rows", "3"])
    assert few.exit_code == 0, few.output
    assert few.stdout.splitlines() == ["i", "1", "2", "3"]
    assert "only the first 3 rows" in few.stderr and "--max-rows" in few.stderr
    default = runner.invoke(cli, ["query", endless, "--db", str(store), "--timeout", "5"])
    assert default.exit_code == 0, default.output  # a table: capped by default
    assert len(default.stdout.splitlines()) == 2 + 10_000 and "10,000 rows" in default.stderr
    # An export prints every row by default: a script's `> all.csv` must not lose rows unnoticed.
    many = endless.replace("from n)", "from n where i < 10005)")
    for fmt, lines in (("csv", 1 + 10_005), ("json", None)):
        export = runner.invoke(cli, ["query", many, "--db", str(store), "--format", fmt])
        assert export.exit_code == 0 and export.stderr == "", export.output
        if lines is not None:
            assert len(export.stdout.splitlines()) == lines
        else:
            assert len(json.loads(export.stdout)) == 10_005
    whole = runner.invoke(cli, ["query", "select id from postings", "--db", str(store), "--max-rows", "2"])
    assert whole.exit_code == 0 and whole.stderr == ""
    zero = runner.invoke(cli, ["query", "select 1", "--db", str(store), "--max-rows", "0"])
    assert zero.exit_code == 2 and "Invalid value for '--max-rows'" in zero.output


def test_cli_a_missing_parameter_points_to_p(store):
    result = CliRunner().invoke(
        cli, ["query", "select * from postings where state = :st", "--db", str(store)]
    )
    assert result.exit_code == 1
    assert "binding parameter :st" in result.output and "give it with -p NAME VALUE" in result.output
    given = CliRunner().invoke(cli, ["query", "select :st as st", "--db", str(store), "-p", "st", "OR"])
    assert given.exit_code == 0 and "OR" in given.output


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "0", "-1", "ten"])
def test_cli_timeout_must_be_a_positive_finite_number(store, timeout):
    result = CliRunner().invoke(cli, ["query", "select 1", "--db", str(store), f"--timeout={timeout}"])
    assert result.exit_code == 2 and "Invalid value for '--timeout'" in result.output


def test_json_has_null_for_infinite_and_nan_numbers(store):
    def strict(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    sql = "select 1e999 as big, -1e999 as small, 0.0 / 0 as undefined, 1.5 as finite"
    result = CliRunner().invoke(cli, ["query", sql, "--db", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output, parse_constant=strict) == [
        {"big": None, "small": None, "undefined": None, "finite": 1.5}
    ]
    nan = QueryResult(columns=["x", "y"], rows=[(float("nan"), float("inf"))], elapsed=0.0)
    assert json.loads(format_result(nan, "json"), parse_constant=strict) == [{"x": None, "y": None}]


def test_formats(store):
    result = run_query(store, "select id, company, salary_min from postings order by id")
    rows = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert rows == [
        ["id", "company", "salary_min"],
        ["greenhouse:1", "Acme", "18.0"],
        ["lever:2", 'Beta, "Clinic"', ""],
    ]
    assert json.loads(format_result(result, "json")) == [
        {"id": "greenhouse:1", "company": "Acme", "salary_min": 18.0},
        {"id": "lever:2", "company": 'Beta, "Clinic"', "salary_min": None},
    ]
    table = format_result(result, "table").splitlines()
    assert table[0].split() == ["id", "company", "salary_min"] and len(table) == 4


def test_cli(store):
    runner = CliRunner()
    by_state = "select state, count(*) n from postings group by state"
    ok = runner.invoke(cli, ["query", by_state, "--db", str(store), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output) == [{"state": "AZ", "n": 1}, {"state": "TX", "n": 1}]
    refused = runner.invoke(cli, ["query", "delete from postings", "--db", str(store)])
    assert refused.exit_code == 1 and "refused" in refused.output and "delete" in refused.output
    missing = runner.invoke(cli, ["query", "select 1", "--db", str(store.parent / "nope.db")])
    assert missing.exit_code == 1 and "no database" in missing.output
    assert not (store.parent / "nope.db").exists()
    bad = runner.invoke(cli, ["query", "select nope from postings", "--db", str(store)])
    assert bad.exit_code == 1 and "no such column" in bad.output
    param = runner.invoke(
        cli,
        [
            "query",
            "select count(*) from postings where state = :st",
            "-p",
            "st",
            "AZ",
            "--db",
            str(store),
            "--format",
            "csv",
        ],
    )
    assert param.output.splitlines() == ["count(*)", "1"]

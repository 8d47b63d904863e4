"""Tagging postings in the database and in files (matcher/tag.py, `majobs tag`, `tag-file`, `evaluate`)."""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from matcher import tag as tag_module
from matcher.cli import cli
from matcher.labels import LABEL_KEYS
from matcher.tag import WorkerDied, labels_for, tag_database, tag_records
from matcher.train import load_model
from scraper.items import new_posting
from scraper.store import open_db, save_postings

NOW = "2026-11-23T12:00:00+00:00"


@pytest.fixture(scope="module")
def model():
    return load_model()


def posting(source_id: str, title: str, description: str, company: str = "Alder Clinic") -> dict:
    return new_posting("greenhouse", source_id, title, company=company, description_text=description)


POSTINGS = [
    posting(
        "1",
        "Medical Assistant",
        "Requirements\n- CMA or RMA required\n- BLS within 30 days\nChart in Epic.\n"
        "Duties\n- Room patients, take vitals, give vaccines\nPay: $18 - $21 per hour",
    ),
    posting(
        "2", "Registered Nurse", "Active RN license required. Supervise medical assistants. Epic experience."
    ),
    posting("3", "Front Desk Receptionist", "Check patients in and out. Collect copays. $16/hr."),
]


def rows(db, sql: str, params=()) -> list[tuple]:
    return db.execute(sql, params).fetchall()


def test_tag_database_writes_tags_and_posting_fields(tmp_path: Path, model) -> None:
    db = open_db(tmp_path / "jobs.db")
    save_postings(db, POSTINGS, now=NOW)
    summary = tag_database(db, progress=False, model=model)
    assert summary["tagged"] == 3 and summary["failed"] == 0 and summary["to_tag"] == 3
    ma = rows(
        db,
        "select is_ma_role, stage, pay_min, pay_max, pay_unit, tag_model_version, tagged_at "
        "from postings where id = 'greenhouse:1'",
    )[0]
    assert ma[:5] == (1, "entry", 18.0, 21.0, "HOUR")
    assert ma[5] == model.version and ma[6]
    tags = {
        (c, lab): lvl
        for c, lab, lvl in rows(
            db, "select category, label, level from tags where posting_id = ?", ["greenhouse:1"]
        )
    }
    assert tags[("certification", "CMA")] == "accepted"
    assert tags[("certification", "BLS")] == "required"
    assert ("ehr", "Epic") in tags and ("skill", "vital signs") in tags
    evidence, confidence, version = rows(
        db,
        "select evidence, confidence, model_version from tags where posting_id = ? and label = 'BLS'",
        ["greenhouse:1"],
    )[0]
    assert "BLS" in evidence and 0.5 <= confidence <= 1 and version == model.version
    assert rows(db, "select is_ma_role, stage from postings where id = 'greenhouse:2'")[0] == (0, None)


def test_majobs_tag_waits_for_a_run_holding_the_lock(tmp_path: Path, model) -> None:
    """`majobs tag` beside a `majobs run` (which tags the same postings) is refused with exit 75."""
    from scraper.lock import RunLock

    db_path = tmp_path / "jobs.db"
    db = open_db(db_path)
    save_postings(db, POSTINGS, now=NOW)
    with RunLock(db_path):
        locked = CliRunner().invoke(cli, ["tag", "--db", str(db_path), "--no-progress"])
    assert locked.exit_code == 75 and "majobs tag: not started" in locked.output
    assert rows(db, "select count(*) from postings where tag_model_version is not null") == [(0,)]


def test_retagging_is_idempotent_and_follows_content_changes(tmp_path: Path, model) -> None:
    db = open_db(tmp_path / "jobs.db")
    save_postings(db, POSTINGS, now=NOW)
    tag_database(db, progress=False, model=model)
    before = rows(db, "select * from tags order by posting_id, category, label")
    again = tag_database(db, progress=False, model=model)
    assert again["to_tag"] == 0 and again["tagged"] == 0
    forced = tag_database(db, progress=False, model=model, retag_all=True)
    assert forced["tagged"] == 3
    assert rows(db, "select * from tags order by posting_id, category, label") == before
    # An edited posting loses its version (store.py) and only it is tagged again, its old tags replaced.
    edited = dict(POSTINGS[0], description_text="Requirements\n- CCMA required\nChart in NextGen.")
    save_postings(db, [edited], now=NOW)
    third = tag_database(db, progress=False, model=model)
    assert third["to_tag"] == 1
    labels = {lab for (lab,) in rows(db, "select label from tags where posting_id = 'greenhouse:1'")}
    assert "CCMA" in labels and "NextGen" in labels
    assert not labels & {"CMA", "RMA", "Epic"}


def test_odd_postings_are_tagged_without_error(model) -> None:
    huge = ("Room patients and take vital signs. " * 4000) + "\nRequirements\n- CMA required"
    records = [
        {"id": "empty", "title": "", "company": None, "description": ""},
        {"id": "none", "title": None, "company": None, "description": None},
        {"id": "huge", "title": "Medical Assistant", "company": "X", "description": huge},
        {
            "id": "es",
            "title": "Asistente Médico",
            "company": "Clínica Sol",
            "description": "Buscamos asistente médico bilingüe. Tomar signos vitales y aplicar vacunas. "
            "Certificación CMA requerida. Salario $18 por hora.",
        },
        {"id": "zh", "title": "医疗助理", "company": "诊所", "description": "负责测量生命体征。"},
        {
            "id": "html",
            "title": "Medical Assistant",
            "company": "Y",
            "description": "<div><p>&lt;b&gt;Requirements&lt;/b&gt;</p><ul><li>CCMA&nbsp;required</li>"
            "<li>Weâ€™re on Epic</li></ul><script>var x = 1;</script></div>",
        },
    ]
    results = tag_records(records, model)
    assert all(r is not None for r in results)
    by_id = {rec["id"]: r["labels"] for rec, r in zip(records, results, strict=True)}
    assert by_id["empty"]["certifications"] == {} and by_id["empty"]["pay"] is None
    assert by_id["huge"]["certifications"].get("CMA") == "required"
    assert "vital signs" in by_id["huge"]["skills"]
    assert by_id["zh"]["ehr"] == [] and by_id["zh"]["certifications"] == {}
    assert by_id["es"]["pay"] == {"min": 18.0, "max": 18.0, "unit": "HOUR"}
    assert by_id["html"]["certifications"].get("CCMA") == "required"
    assert "Epic" in by_id["html"]["ehr"]


def test_labels_have_exactly_the_labels_md_shape(model) -> None:
    got = labels_for(
        {
            "id": "x",
            "title": "Medical Assistant",
            "company": "Z",
            "description": "CMA required. Epic. $18/hr.",
        },
        model,
    )
    assert tuple(got) == LABEL_KEYS
    assert isinstance(got["certifications"], dict) and isinstance(got["skills"], list)
    assert got["pay"] is None or set(got["pay"]) == {"min", "max", "unit"}


def test_tag_file_cli_shape(tmp_path: Path, model) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"p{i}",
                    "title": "Medical Assistant",
                    "company": "C",
                    "location": "A, OR",
                    "description": d,
                    "extra": "ignored",
                }
            )
            for i, d in enumerate(["CMA required. Chart in Epic.", "Receptionist duties."])
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["tag-file", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["p0", "p1"]
    for line in lines:
        assert set(line) == {"id", "tags"}
        assert tuple(line["tags"]) == LABEL_KEYS
    assert lines[0]["tags"]["ehr"] == ["Epic"]


def test_tag_file_rejects_bad_json(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": 1}\n{not json\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["tag-file", str(src)])
    assert result.exit_code != 0
    assert "not JSON" in result.output


def test_output_files_never_destroy_inputs(tmp_path: Path, model, monkeypatch) -> None:
    """-o naming the input, or --metrics-json naming a gold file, is refused; a run that fails
    part-way leaves a previous output as it was."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "title": "Medical Assistant", "description": "CMA"}) + "\n")
    before = src.read_text()
    result = CliRunner().invoke(cli, ["tag-file", str(src), "-o", str(src)])
    assert result.exit_code == 1 and "is the input file" in result.output
    assert src.read_text() == before
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{}\n")
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), "--metrics-json", str(gold)])
    assert result.exit_code == 1 and "is a gold file" in result.output and gold.read_text() == "{}\n"
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    two = tmp_path / "two.jsonl"
    two.write_text(before * 2)
    real = tag_module.tag_records
    batches: list[int] = []

    def dies_on_the_second_batch(records: list[dict], model=None) -> list:
        batches.append(len(records))
        if len(batches) > 1:
            raise WorkerDied("a tagging worker process died")
        return real(records, model)

    monkeypatch.setattr(tag_module, "BATCH_SIZE", 1)
    monkeypatch.setattr(tag_module, "tag_records", dies_on_the_second_batch)
    result = CliRunner().invoke(cli, ["tag-file", str(two), "-o", str(out)])
    assert result.exit_code == 1 and "worker process died" in result.output
    assert batches == [1, 1] and out.read_text() == "previous\n"
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["gold.jsonl", "in.jsonl", "out.jsonl", "two.jsonl"]  # no partial file


GOLD = {
    "id": "g1",
    "title": "Medical Assistant",
    "company": "C",
    "location": "A, OR",
    "description": "Requirements: CMA or RMA required. BLS required. Chart in Epic. $18 - $20 per hour.",
    "labels": {
        "certifications": {"CMA": "accepted", "RMA": "accepted", "BLS": "required"},
        "ehr": ["Epic"],
        "specialties": [],
        "skills": [],
        "stage": "entry",
        "is_ma_role": True,
        "min_years_experience": None,
        "pay": {"min": 18, "max": 20, "unit": "HOUR"},
    },
}


def test_tag_and_evaluate_cli(tmp_path: Path, model) -> None:
    db_path = tmp_path / "jobs.db"
    save_postings(open_db(db_path), POSTINGS, now=NOW)
    result = CliRunner().invoke(cli, ["tag", "--db", str(db_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "tagged 3 of 3" in result.output
    missing = CliRunner().invoke(cli, ["tag", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code != 0 and "no database" in missing.output

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n", encoding="utf-8")
    metrics = tmp_path / "m.json"
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), "--metrics-json", str(metrics)])
    assert result.exit_code == 0, result.output
    assert "keyword" in result.output and "EHR micro-F1" in result.output
    saved = json.loads(metrics.read_text(encoding="utf-8"))
    assert saved["model"]["ehr"]["micro"]["f1"] == 1.0
    assert set(saved) == {"model_version", "model", "keyword"}


def test_evaluate_metrics_json_that_cannot_be_written_leaves_the_earlier_file_whole(
    tmp_path: Path, model, monkeypatch
) -> None:
    """The scores are written aside and moved in place, as tag-file's output: a write failing
    midway (a full disk) left an earlier metrics file truncated."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n", encoding="utf-8")
    metrics = tmp_path / "m.json"
    metrics.write_text('{"earlier": true}\n', encoding="utf-8")
    real_dumps = json.dumps

    def unwritable(value: object, **kwargs: Any) -> str:  # fails when written, after the file is opened
        text = real_dumps(value, **kwargs)
        return text + "\ud800" if isinstance(value, dict) and "keyword" in value else text

    monkeypatch.setattr("matcher.cli_match.json.dumps", unwritable)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), "--metrics-json", str(metrics)])
    assert result.exit_code != 0
    assert metrics.read_text(encoding="utf-8") == '{"earlier": true}\n'
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ehr", "Epic", "ehr must be a list of names, not the text 'Epic'"),  # was scored letter by letter
        ("certifications", ["CMA"], "certifications must be an object, not a list"),
        ("stage", "junior", "stage 'junior' not one of"),
        ("pay", 18, "pay must be null or {min, max, unit}, not the number 18"),
        ("min_years_experience", float("nan"), "min_years_experience must be a non-negative number"),
        ("skills", [["phlebotomy"]], "skills must be a list of names, but holds a list"),
    ],
)
def test_evaluate_refuses_a_gold_file_with_a_bad_line(
    tmp_path: Path, model, field: str, value: object, message: str
) -> None:
    """Nothing is scored from a partly bad gold file: the bad line is named (file, line, field)."""
    bad = json.loads(json.dumps(GOLD))
    bad["id"], bad["labels"][field] = "g2", value
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    metrics = tmp_path / "m.json"
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), "--metrics-json", str(metrics)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {gold}:2: g2: {message}"), result.output
    assert result.output.count("\n") == 1 and not metrics.exists()


def test_tag_file_skips_and_counts_lines_that_are_not_postings(tmp_path: Path, model) -> None:
    """A title, description or company that is not text, an id that is not text or a finite number
    (NaN would make the output invalid JSON), a line that is not JSON: each is named on stderr and
    counted, the good postings still get their line, and the command exits 1."""
    lines = [
        json.dumps({"id": "ok", "title": "Medical Assistant", "description": "CMA required."}),
        json.dumps({"id": "num", "title": 5, "description": "CMA required."}),
        json.dumps({"id": "list", "title": "Medical Assistant", "description": ["CMA required."]}),
        json.dumps({"id": "obj", "title": "Medical Assistant", "company": {"name": "C"}, "description": ""}),
        '{"id": NaN, "title": "Medical Assistant", "description": "CMA required."}',
        '{"id": "a", "title": "Medical Assistant", "description": "CMA",',
        json.dumps({"id": 9, "title": "Medical Assistant", "description": "BLS required."}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["tag-file", str(src), "-o", str(out)])
    assert result.exit_code == 1
    for lineno, problem in (
        (2, "title must be text or null, not the number 5"),
        (3, "description must be text or null, not a list"),
        (4, "company must be text or null, not an object"),
        (5, "id must be text or a number, not nan (not a finite number)"),
        (6, "not JSON"),
    ):
        assert f"skipped: {src}:{lineno}: {problem}" in result.output, result.output
    assert f"2 postings tagged -> {out}; 5 input line(s) skipped" in result.output

    def no_constants(name: str) -> None:
        raise AssertionError(f"{name} in the output: not strict JSON")

    tagged = [json.loads(line, parse_constant=no_constants) for line in out.read_text().splitlines()]
    assert [line["id"] for line in tagged] == ["ok", 9]
    assert tagged[0]["tags"]["certifications"] == {"CMA": "required"}


def test_tag_file_counts_a_posting_the_matcher_cannot_read(tmp_path: Path, model, monkeypatch) -> None:
    """A posting the matcher fails on gets no line (an empty one would read as "no tags"): it is
    named, counted and the command exits 1."""
    real = tag_module.extract

    def fails_on_boom(record: dict):
        if record["id"] == "boom":
            raise RuntimeError("cannot read")
        return real(record)

    monkeypatch.setattr(tag_module, "extract", fails_on_boom)
    src = tmp_path / "in.jsonl"
    postings = [{"id": i, "title": "Medical Assistant", "description": "CMA"} for i in ("a", "b", "boom")]
    src.write_text("".join(json.dumps(p) + "\n" for p in postings), encoding="utf-8")
    result = CliRunner().invoke(cli, ["tag-file", str(src)])
    assert result.exit_code == 1
    assert f"skipped: {src}:3: posting 'boom' could not be tagged" in result.output
    written = [json.loads(line)["id"] for line in result.stdout.splitlines() if line.startswith("{")]
    assert written == ["a", "b"]
    assert "2 postings tagged; 1 input line(s) skipped" in result.output


def test_tag_file_counts_a_posting_whose_tags_json_cannot_hold(tmp_path: Path, model, monkeypatch) -> None:
    """Tags holding a number strict JSON cannot write (inf): that posting is named and counted like
    one the matcher cannot read; the others are still written. (The pay parser no longer reads a
    figure of 400 digits as inf pay; this is the net under it.)"""
    tag_batches = tag_module.tag_batches

    def one_infinite(*args: Any, **kwargs: Any) -> Any:
        for batch, results in tag_batches(*args, **kwargs):
            for rec, result in zip(batch, results, strict=True):
                if rec["id"] == "huge":
                    result["labels"]["pay"] = {"min": math.inf, "max": math.inf, "unit": "HOUR"}
            yield batch, results

    monkeypatch.setattr(tag_module, "tag_batches", one_infinite)
    postings = [
        {"id": "a", "title": "Medical Assistant", "description": "CMA required. $18 - $22 per hour."},
        {"id": "huge", "title": "Medical Assistant", "description": "Pay: $19 - $21 per hour."},
        {"id": "b", "title": "Medical Assistant", "description": "BLS required."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in postings), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["tag-file", str(src), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert f"skipped: {src}:2: posting 'huge' could not be written" in result.output, result.output
    assert f"2 postings tagged -> {out}; 1 input line(s) skipped" in result.output
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in written] == ["a", "b"]
    assert written[0]["tags"]["pay"] == {"min": 18.0, "max": 22.0, "unit": "HOUR"}


def test_a_figure_too_long_for_a_number_is_no_pay(model) -> None:
    """A pay of 400 digits read as inf pay, stored by `majobs tag` and unwritable as JSON."""
    huge = "9" * 400
    (result,) = tag_records(
        [{"id": "x", "title": "Medical Assistant", "description": f"Pay: ${huge} - ${huge} per hour."}], model
    )
    assert result is not None and result["labels"]["pay"] is None


def test_every_command_has_help() -> None:
    for name in ("train", "tag", "tag-file", "evaluate"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "majobs" in result.output, name


@pytest.mark.parametrize(
    ("name", "example"),
    [
        ("evaluate", "majobs evaluate --gold ../shared/eval/dev.jsonl --metrics-json dev-metrics.json"),
        ("evaluate", "--gold data/heldout/heldout_e.jsonl --gold more-labelled.jsonl"),
        ("tag-file", "majobs tag-file postings.jsonl -o tags.jsonl"),
    ],
)
def test_help_examples_stay_whole_for_copying(name: str, example: str) -> None:
    """click rewrapped the examples as prose: evaluate's broke inside a file name ("dev-" /
    "metrics.json"), and that --gold repeats was shown nowhere."""
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, [name, "--help"], terminal_width=80)
    assert result.exit_code == 0
    assert example in result.output


def _labelled_postings(n: int) -> list[dict]:
    from matcher.labels import load_labelled
    from matcher.train import label_files

    records = load_labelled(label_files()[:1])[:n]
    return [
        posting(r["id"], r["title"], r["description"], company=r.get("company") or "Alder Clinic")
        for r in records
    ]


def test_several_workers_tag_exactly_as_one(tmp_path: Path, model) -> None:
    """Tagging in two processes (batches of 7, so several each and a short last one) writes the same
    tags and posting fields as tagging in this one."""
    postings = _labelled_postings(40)
    tables = []
    for workers in (1, 2):
        db = open_db(tmp_path / f"w{workers}.db")
        save_postings(db, postings, now=NOW)
        summary = tag_database(db, progress=False, model=model, batch_size=7, workers=workers)
        assert summary["tagged"] == 40 and summary["failed"] == 0
        tables.append(
            (
                rows(db, "select * from tags order by posting_id, category, label"),
                rows(
                    db,
                    "select id, is_ma_role, stage, min_years_experience, pay_min, pay_max, pay_unit, "
                    "tag_model_version from postings order by id",
                ),
            )
        )
        db.close()
    assert tables[0] == tables[1]
    assert len(tables[0][0]) > 100  # the comparison covers real tags


def test_tag_file_with_workers_writes_the_same_lines(tmp_path: Path, model) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": p["source_id"], "title": p["title"], "description": p["description_text"]})
            + "\n"
            for p in _labelled_postings(12)
        ),
        encoding="utf-8",
    )
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = CliRunner().invoke(cli, ["tag-file", str(src), "-o", str(out), "--workers", workers])
        assert result.exit_code == 0, result.output
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1] and outs[0].count("\n") == 12


class DyingModel:
    """Stands in for the model in a worker process, which dies as it tags (as if killed)."""

    version = "dying"

    def predict(self, extracted: list) -> list:
        os._exit(1)


def test_a_worker_that_dies_stops_the_run_cleanly(tmp_path: Path, model) -> None:
    db = open_db(tmp_path / "jobs.db")
    save_postings(db, _labelled_postings(6), now=NOW)
    with pytest.raises(WorkerDied, match="worker process died"):
        tag_database(db, progress=False, model=DyingModel(), batch_size=2, workers=2)
    assert rows(db, "pragma integrity_check") == [("ok",)]
    assert rows(db, "select count(*) from postings where tag_model_version is null") == [(6,)]
    assert rows(db, "select count(*) from tags") == [(0,)]
    # Nothing was lost: the next run tags every posting.
    assert tag_database(db, progress=False, model=model, batch_size=2, workers=2)["tagged"] == 6


@pytest.mark.parametrize("command", [["tag"], ["report", "--week", "2026-W48"], ["import-jobspy", "IN"]])
def test_a_file_that_is_not_sqlite_gives_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database " * 200)
    csv = tmp_path / "jobs.csv"
    csv.write_text("id,site,job_url,title,company,location,description\n1,indeed,u,Medical Assistant,A,B,C\n")
    args = [str(csv) if a == "IN" else a for a in command] + ["--db", str(junk)]
    if command[0] == "report":
        args += ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "database error: file is not a database" in result.output
    assert isinstance(result.exception, SystemExit)  # click's clean exit, not an escaped exception


def _paths(tmp_path: Path) -> dict[str, str]:
    """Arguments for the output tests: a posting file, a labelled one, a store, a plain file and
    a folder that does not exist."""
    record = {"id": "a", "title": "Medical Assistant", "company": "C", "description": "CMA required."}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    heldout = Path(__file__).parent.parent / "data" / "heldout" / "heldout_e.jsonl"
    (tmp_path / "gold.jsonl").write_text(heldout.read_text(encoding="utf-8").splitlines()[0] + "\n")
    open_db(tmp_path / "jobs.db").close()
    (tmp_path / "file").write_text("a file\n")
    names = {"in": "in.jsonl", "gold": "gold.jsonl", "db": "jobs.db", "file": "file", "nope": "nope"}
    return {key: str(tmp_path / name) for key, name in names.items()}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tag-file", "{in}", "-o", "{nope}/tags.jsonl"], "folder {nope} does not exist"),
        (
            ["evaluate", "--gold", "{gold}", "--metrics-json", "{nope}/m.json"],
            "folder {nope} does not exist",
        ),
        (
            ["report", "--db", "{db}", "--week", "2026-W48", "--out", "{file}/reports"],
            "{file} is a file, not a folder",
        ),
        (["demo", "--db", "{file}/demo.db", "--out", "{nope}"], "{file} is a file, not a folder"),
        # The database's folder is made (mkdir exist_ok) and is a file: FileExistsError, not ENOTDIR.
        (["import-jobspy", "{in}", "--db", "{file}/jobs.db"], "Error: {file} is a file, not a folder"),
        (
            ["evaluate", "--gold", "{gold}", "--metrics-json", "/dev/full"],
            "cannot write the output: no space left",
        ),
    ],
)
def test_output_that_cannot_be_written_gives_one_clear_line(
    tmp_path: Path, model, args: list[str], message: str
) -> None:
    if "/dev/full" in args and not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full here")
    paths = _paths(tmp_path)
    result = CliRunner().invoke(cli, [a.format(**paths) for a in args])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # click's clean exit, not an escaped exception
    last = result.output.splitlines()[-1]
    assert last.startswith("Error: ") and message.format(**paths) in last
    assert not list(tmp_path.rglob("*.partial")) and not (tmp_path / "nope").exists()


def test_a_full_disk_while_writing_the_report_is_one_line_and_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    args = ["report", "--db", _paths(tmp_path)["db"], "--week", "2026-W48", "--out", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_text = Path.write_text

    def full_disk(self: Path, data: str, *a, **kw) -> int:
        write_text(self, data[:100], *a, **kw)  # part of it written, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full_disk)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output == "Error: cannot write the output: no space left on device\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no .tmp left, nothing lost


def test_other_os_errors_are_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matcher.train

    def broken() -> None:
        raise FileNotFoundError("no current model")  # no path, no errno: a bug, keeps its traceback

    monkeypatch.setattr(matcher.train, "load_model", broken)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", _paths(tmp_path)["gold"]])
    assert isinstance(result.exception, FileNotFoundError)


def test_tag_file_output_through_a_link_or_into_a_fifo_stays_what_it_is(tmp_path: Path, model) -> None:
    args = ["tag-file", _paths(tmp_path)["in"], "-o"]
    tags = tmp_path / "tags.jsonl"
    link = tmp_path / "link.jsonl"
    link.symlink_to(tags)
    assert CliRunner().invoke(cli, [*args, str(link)]).exit_code == 0
    assert link.is_symlink() and json.loads(tags.read_text(encoding="utf-8"))["id"] == "a"
    # A FIFO (or a device: -o /dev/stdout) is written into; moving a file there would replace it.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    assert CliRunner().invoke(cli, [*args, str(fifo)]).exit_code == 0
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and json.loads(got[0])["id"] == "a"


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout here")
def test_tag_file_to_dev_stdout_appended_to_a_file_keeps_what_it_held(tmp_path: Path) -> None:
    """`tag-file -o /dev/stdout >> log`: /dev/stdout leads to the log itself, which is written
    into, not truncated or replaced by a new file (what it held before would be lost)."""
    log = tmp_path / "log.jsonl"
    log.write_text('{"earlier": "run"}\n', encoding="utf-8")
    command = [sys.executable, "-c", "from matcher.cli import cli; cli()", "tag-file", _paths(tmp_path)["in"]]
    with open(log, "a", encoding="utf-8") as appended:
        done = subprocess.run([*command, "-o", "/dev/stdout"], stdout=appended, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr.decode()
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"earlier": "run"} and [line.get("id") for line in lines] == [None, "a"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no partial file

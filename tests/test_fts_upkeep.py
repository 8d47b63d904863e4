"""The full-text index stays right now that save_postings keeps it (not sqlite-utils' triggers):
new, edited, unchanged and deleted postings, and rows written by other tools."""

from __future__ import annotations

import sqlite3

import pytest

from scraper.items import new_posting
from scraper.store import open_db, save_postings
from tests.conftest import TEST_NOW

T0, T1, T2 = (TEST_NOW.replace(day=d).isoformat() for d in (23, 24, 25))


def search(db, words: str) -> list[str]:
    sql = "select p.id from postings_fts f join postings p on p.rowid = f.rowid where postings_fts match ?"
    sql += " order by p.id"
    return [r[0] for r in db.execute(sql, [words]).fetchall()]


def fts_ok(db) -> None:
    """FTS5's own check of the index against the table's text (raises if they disagree)."""
    db.execute("insert into postings_fts(postings_fts, rank) values ('integrity-check', 1)")
    (indexed,) = db.execute("select count(*) from postings_fts_docsize").fetchone()
    (rows,) = db.execute("select count(*) from postings").fetchone()
    assert indexed == rows


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.close()


def ma(sid: str, text: str, **fields):
    return new_posting(
        "lever", sid, "Medical Assistant", source_key="lever:x", description_text=text, **fields
    )


def test_new_edited_unchanged_and_deleted(db):
    counts = save_postings(db, [ma("a", "phlebotomy and vitals"), ma("b", "front desk scheduling")], now=T0)
    assert counts.new == 2 and search(db, "phlebotomy") == ["lever:a"]
    fts_ok(db)

    # Edited text: the old words leave the index, the new ones come in.
    counts = save_postings(db, [ma("a", "spirometry and vitals"), ma("b", "front desk scheduling")], now=T1)
    assert (counts.updated, counts.unchanged) == (1, 1)
    assert search(db, "phlebotomy") == [] and search(db, "spirometry") == ["lever:a"]
    fts_ok(db)

    # Pay changes, text does not: re-indexed all the same, still consistent.
    save_postings(db, [ma("b", "front desk scheduling", salary_min=18.0, salary_unit="HOUR")], now=T2)
    assert search(db, "scheduling") == ["lever:b"]
    fts_ok(db)

    db.execute("delete from postings where id = 'lever:b'")
    db.conn.commit()
    assert search(db, "scheduling") == []
    fts_ok(db)


def test_a_posting_seen_again_unchanged_only_gets_its_sighting(db):
    save_postings(db, [ma("a", "vitals", raw={"updated_at": "monday"}, fetched_at=T0)], now=T0)
    before = next(db.query("select raw, content_hash, first_seen from postings"))
    counts = save_postings(db, [ma("a", "vitals", raw={"updated_at": "tuesday"}, fetched_at=T1)], now=T1)
    assert counts.unchanged == 1
    after = next(db.query("select raw, content_hash, first_seen, last_seen, fetched_at from postings"))
    assert after["raw"] == before["raw"]  # the payload as of its last content change
    assert (after["content_hash"], after["first_seen"]) == (before["content_hash"], T0)
    assert (after["last_seen"], after["fetched_at"]) == (T1, T1)
    # An earlier date_posted seen later is still kept (the full write path).
    save_postings(db, [ma("a", "vitals", date_posted="2026-11-20")], now=T1)
    save_postings(db, [ma("a", "vitals", date_posted="2026-11-22")], now=T2)
    assert db.execute("select date_posted from postings").fetchone()[0] == "2026-11-20"


def test_rows_written_by_other_tools(db_path, db):
    save_postings(db, [ma("a", "vitals")], now=T0)
    db.close()
    other = sqlite3.connect(db_path)
    # An insert that bypasses save_postings: indexed when the store is next opened.
    other.execute(
        "insert into postings (id, source, source_id, title, description_text) "
        "values ('usajobs:1', 'usajobs', '1', 'Medical Support Assistant', 'tricare referrals')"
    )
    other.commit()
    reopened = open_db(db_path)
    assert search(reopened, "tricare") == ["usajobs:1"]
    # A text update that bypasses it (content_hash untouched): the trigger re-indexes it.
    other.execute("update postings set description_text = 'immunizations' where id = 'lever:a'")
    other.commit()
    other.close()
    assert search(reopened, "immunizations") == ["lever:a"] and search(reopened, "vitals") == []
    fts_ok(reopened)
    # Updates that do not touch the text leave the index alone (and cheap).
    reopened.execute("update postings set stage = 'entry', dedup_group = id, last_seen = ?", [T2])
    reopened.conn.commit()
    fts_ok(reopened)
    reopened.close()

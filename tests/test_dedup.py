"""Cross-source dedup: fingerprint blocking, TF-IDF cosine >= 0.75, never two listings of one board
open at the same time, reposts merged, incremental passes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.metrics.pairwise import cosine_similarity

from scraper.dedup import Member, company_key, dedup_database, fingerprint, group_block, similarities
from scraper.items import new_posting
from scraper.store import close_unseen, open_db, save_postings
from tests.conftest import TEST_NOW

DAY = timedelta(days=1)
T0 = TEST_NOW.isoformat()

DESC = (
    "Room patients, take vital signs and document the chief complaint in Epic. Perform venipuncture, "
    "give injections and immunizations, and run point-of-care tests. CMA or RMA required; BLS preferred. "
    "Full-time, Monday to Friday, at our Phoenix family medicine clinic."
)
# The same duties for another clinic, rewritten: shares the vocabulary, not the posting.
OTHER = (
    "Our pediatric office needs a front-line assistant to greet families, schedule well-child visits, "
    "verify insurance, collect copays and keep the waiting room moving. Bilingual Spanish a plus. "
    "Part-time evenings and Saturdays."
)


def posting(source: str, sid: str, *, key: str | None = None, desc: str = DESC, **fields):
    defaults = {"company": "Acme Health", "city": "Phoenix", "state": "AZ", "description_text": desc}
    defaults.update(fields)
    title = defaults.pop("title", "Medical Assistant")
    return new_posting(source, sid, title, source_key=key or f"{source}:acme", **defaults)


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.close()


def groups(db) -> dict[str, str]:
    return dict(db.execute("select id, dedup_group from postings").fetchall())


def test_fingerprint_normalizes_company_title_and_place():
    a = fingerprint("The Acme Clinic, LLC", "Medical Assistant – Family Medicine", "St. Louis", "mo")
    b = fingerprint("ACME CLINIC", "medical assistant - family medicine", "Saint Louis", "MO")
    assert a == b == "acme clinic|medical assistant family medicine|saint louis|MO"
    assert fingerprint(None, "Medical Assistant", "Erie", "PA") is None  # no company: never merged
    assert fingerprint("Acme", "Medical Assistant", "Erie", "PA") != fingerprint(
        "Acme", "Medical Assistant", "Erie", "NY"
    )
    assert company_key("Société Générale Inc.") == "societe generale"


def test_same_job_on_two_sources_is_one_group(db):
    save_postings(
        db,
        [
            posting("workday", "R100", key="workday:acme/External", company="Acme Health"),
            posting(
                "jsonld",
                "https://careers.acme.example/jobs/100",
                key="jsonld:careers.acme.example",
                company="Acme Health, Inc.",
                desc=DESC + " Apply today.",
            ),
            posting("greenhouse", "55", key="greenhouse:acme", desc=OTHER),  # same fingerprint, other job
            posting("lever", "x1", key="lever:acme", city="Tucson"),  # same text, other city: other block
        ],
        now=T0,
    )
    result = dedup_database(db)
    g = groups(db)
    assert g["workday:R100"] == g["jsonld:https://careers.acme.example/jobs/100"]
    assert g["greenhouse:55"] == "greenhouse:55"
    assert g["lever:x1"] == "lever:x1"
    assert (result.duplicates, result.groups, result.blocks) == (1, 1, 1)
    (row,) = db.execute("select postings, sources from dedup_groups").fetchall()
    assert row == (2, 2)


def test_url_alone_never_merges(db):
    same_url = "https://careers.acme.example/jobs/1"
    save_postings(
        db,
        [
            posting("greenhouse", "1", url=same_url, title="Medical Assistant", desc=DESC),
            posting(
                "jsonld", "p1", key="jsonld:acme", url=same_url, title="Medical Receptionist", desc=OTHER
            ),
        ],
        now=T0,
    )
    dedup_database(db)
    assert all(pid == grp for pid, grp in groups(db).items())


def test_two_listings_of_one_board_open_together_stay_two_jobs(db):
    # One template, two openings: both listed in the same crawl on the same board.
    save_postings(
        db,
        [posting("workday", "R1", key="workday:acme"), posting("workday", "R2", key="workday:acme")],
        now=T0,
    )
    dedup_database(db)
    assert groups(db) == {"workday:R1": "workday:R1", "workday:R2": "workday:R2"}


def test_two_openings_each_mirrored_on_a_career_site_make_two_groups(db):
    # R1 and R2 (Workday) each have a copy on the JSON-LD site; all four texts are alike.
    save_postings(
        db,
        [
            posting("workday", "R1", key="workday:acme"),
            posting("workday", "R2", key="workday:acme"),
            posting("jsonld", "j1", key="jsonld:acme"),
            posting("jsonld", "j2", key="jsonld:acme"),
        ],
        now=T0,
    )
    result = dedup_database(db)
    g = groups(db)
    assert len(set(g.values())) == 2 and result.groups == 2
    for members in ({k for k, v in g.items() if v == grp} for grp in set(g.values())):
        assert {m.split(":")[0] for m in members} == {"workday", "jsonld"}


def test_repost_with_a_new_id_is_merged(db):
    old = posting("greenhouse", "100", key="greenhouse:acme")
    save_postings(db, [old], now=T0)
    dedup_database(db)
    # Taken down, then posted again under a new id a week later: same board, never listed together.
    assert close_unseen(db, "greenhouse:acme", (TEST_NOW + DAY).isoformat()) == 1
    save_postings(
        db, [posting("greenhouse", "200", key="greenhouse:acme")], now=(TEST_NOW + 7 * DAY).isoformat()
    )
    result = dedup_database(db)
    assert result.examined == 1  # only the new posting (and its block) was judged again
    assert groups(db) == {"greenhouse:100": "greenhouse:100", "greenhouse:200": "greenhouse:100"}


def test_reopening_splits_a_repost_group(db):
    save_postings(db, [posting("greenhouse", "100")], now=T0)
    close_unseen(db, "greenhouse:acme", (TEST_NOW + DAY).isoformat())
    save_postings(db, [posting("greenhouse", "200")], now=(TEST_NOW + 2 * DAY).isoformat())
    dedup_database(db)
    assert groups(db)["greenhouse:200"] == "greenhouse:100"
    # The old id is listed again beside the new one: two listings after all.
    save_postings(
        db, [posting("greenhouse", "100"), posting("greenhouse", "200")], now=(TEST_NOW + 3 * DAY).isoformat()
    )
    dedup_database(db)
    assert groups(db) == {"greenhouse:100": "greenhouse:100", "greenhouse:200": "greenhouse:200"}


def test_edit_moves_a_posting_out_of_its_group_and_the_old_block_is_rejudged(db):
    save_postings(
        db, [posting("workday", "R1", key="workday:acme"), posting("jsonld", "j1", key="jsonld:acme")], now=T0
    )
    dedup_database(db)
    (group,) = set(groups(db).values())  # one group for both
    assert group is not None
    # The group's head (earliest seen, smallest id: jsonld:j1) changes title: it leaves the block.
    save_postings(db, [posting("jsonld", "j1", key="jsonld:acme", title="Lead Medical Assistant")], now=T0)
    result = dedup_database(db)
    assert result.examined == 1
    assert groups(db) == {"workday:R1": "workday:R1", "jsonld:j1": "jsonld:j1"}


def test_missing_description_is_not_merged(db):
    save_postings(
        db,
        [
            posting("workday", "R1", key="workday:acme", desc=""),
            posting("jsonld", "j1", key="jsonld:acme", desc=""),
        ],
        now=T0,
    )
    dedup_database(db)
    assert groups(db) == {"workday:R1": "workday:R1", "jsonld:j1": "jsonld:j1"}


def test_similarities_are_scikit_learns_tfidf_cosine():
    texts = [DESC, DESC + " Apply today.", OTHER, "", "vital signs vital signs epic"]
    hasher = HashingVectorizer(n_features=2**20, alternate_sign=False, norm=None, stop_words="english")
    counts = hasher.transform(texts)
    expected = cosine_similarity(TfidfTransformer().fit_transform(counts))
    assert np.allclose(similarities(counts), expected)
    assert similarities(counts)[0, 1] > 0.9 > 0.2 > similarities(counts)[0, 2]


def test_threshold_is_the_cosine_075():
    # A block of two: the merge happens exactly when the cosine reaches the threshold.
    members = [Member("a", "s1", T0, T0), Member("b", "s2", T0, T0)]
    sims = np.array([[1.0, 0.74], [0.74, 1.0]])
    assert group_block(members, sims, [True, True], 0.75) == {"a": "a", "b": "b"}
    sims = np.array([[1.0, 0.75], [0.75, 1.0]])
    assert group_block(members, sims, [True, True], 0.75) == {"a": "a", "b": "a"}


def test_full_pass_is_idempotent_and_counts_jobs_once(db):
    save_postings(
        db,
        [
            posting("workday", "R1", key="workday:acme"),
            posting("jsonld", "j1", key="jsonld:acme"),
            posting("greenhouse", "9", key="greenhouse:beta", company="Beta Care", desc=OTHER),
        ],
        now=T0,
    )
    first = dedup_database(db)
    before = groups(db)
    again = dedup_database(db, full=True)
    assert groups(db) == before and again.changed == 0 and first.changed == 3
    db.execute("update postings set is_ma_role = 1")
    db.conn.commit()
    (jobs,) = db.execute(
        "select count(distinct group_id) from active_postings where is_ma_role = 1"
    ).fetchone()
    assert jobs == 2


def test_majobs_dedup_groups_a_database_filled_by_crawl_alone(db, db_path):
    """`majobs crawl` does not group duplicates; `majobs dedup` does, as `majobs run` would, and
    waits its turn (exit 75) while a run or crawl holds the database's lock."""
    from click.testing import CliRunner

    from matcher.cli import cli
    from scraper.lock import RunLock

    save_postings(
        db,
        [
            posting("workday", "R1", key="workday:acme/External"),
            posting("jsonld", "https://careers.acme.example/jobs/1", key="jsonld:careers.acme.example"),
        ],
        now=T0,
    )
    with RunLock(db_path):
        locked = CliRunner().invoke(cli, ["dedup", "--db", str(db_path)])
    assert locked.exit_code == 75 and "not started" in locked.output
    assert set(groups(db).values()) == {None}  # nothing grouped while locked out
    result = CliRunner().invoke(cli, ["dedup", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "dedup: 1 duplicate postings in 1 groups" in result.output
    (group,) = set(groups(db).values())  # one group for both
    assert group is not None

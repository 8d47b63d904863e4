"""Cross-source dedup: the same job seen through two sources (a career page's JSON-LD and the
Workday API, an aggregator and the employer's board) or reposted under a new id is put in one
``postings.dedup_group``, so reports count it once (``coalesce(dedup_group, id)``).

How it decides (``../shared/sources.md`` section 1, "Dedup"):

1. **Block** on a fingerprint: normalized (company, title, city, state) — case, accents,
   punctuation and legal suffixes ("Inc.", "LLC") ignored, "St."/"Saint" alike. Postings are only
   ever compared within a block, so the work grows with block sizes, not with the square of the
   database. A posting without a company is not fingerprinted (never merged).
2. **Compare descriptions** within a block: TF-IDF cosine (scikit-learn's tokenizer and
   TfidfTransformer weighting; IDF learnt from the block itself, so a block's decision depends
   on its members only). Two postings are the same
   job when the cosine is >= 0.75 (JobFunnel's threshold). A posting without a description is
   not merged. The URL is never used.
3. **Never merge two listings of the same board that were open at the same time** (same
   ``source_key``, seen in a common crawl): an employer listing "Medical Assistant, Phoenix" twice
   with one template is hiring twice. A repost — the old id gone before the new one appeared —
   does merge. Pairs are merged most-similar first; a merge that would put two such listings in
   one group is refused.
4. The group's id is its earliest-seen member's id; every posting looked at gets a group (its own
   id when alone).

Incremental: a posting without a ``dedup_group`` — new, or edited or reopened since
(``save_postings`` clears it) — is judged, with its block; ``dedup_state`` remembers each
posting's fingerprint, so the block an edited posting left is judged again too. Closing changes
nothing (two listings seen in one crawl stay "seen together"). ``full=True`` re-judges everything.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

logger = logging.getLogger(__name__)

THRESHOLD = 0.75
MAX_BLOCK = 2000  # a bigger block (one fingerprint shared by 2,000 postings) is logged and left alone
TEXTS_PER_CHUNK = 5000  # descriptions held in memory at once

_LEGAL = {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
          "pllc", "pc", "pa", "plc", "lp", "llp", "the"}  # fmt: skip
_CITY_WORDS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def _words(value: object) -> list[str]:
    if not value or not isinstance(value, str):
        return []
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_WORD.sub(" ", text.replace("&", " and ")).split()


def company_key(value: object) -> str:
    """ "The Acme Clinic, LLC" -> "acme clinic" """
    words = _words(value)
    while words and words[-1] in _LEGAL:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def title_key(value: object) -> str:
    """ "Medical Assistant – Family Medicine (Full-Time)" -> "medical assistant family medicine full time" """
    return " ".join(_words(value))


def city_key(value: object) -> str:
    """ "St. Louis" and "Saint Louis" -> "saint louis" """
    return " ".join(_CITY_WORDS.get(w, w) for w in _words(value))


def fingerprint(company: object, title: object, city: object, state: object) -> str | None:
    """The blocking key; ``None`` (never merged) without a company or a title."""
    c, t = company_key(company), title_key(title)
    if not c or not t:
        return None
    return "|".join((c, t, city_key(city), (state or "").strip().upper() if isinstance(state, str) else ""))


@dataclass(frozen=True)
class Member:
    id: str
    source_key: str
    first_seen: str
    last_seen: str


def _listed_together(a: Member, b: Member) -> bool:
    """Same board, and both listed in at least one common crawl."""
    return a.source_key == b.source_key and a.first_seen <= b.last_seen and b.first_seen <= a.last_seen


def similarities(counts: Any) -> np.ndarray:
    """Pairwise TF-IDF cosine of a block's term counts (CSR rows: postings), IDF from the block.

    The weighting is scikit-learn's ``TfidfTransformer()`` (smooth IDF, L2 norm), written out
    with numpy: called per block, the estimator's input checks cost 20 times the arithmetic.
    """
    n = counts.shape[0]
    if not counts.nnz:  # no block member has a word to compare
        return np.zeros((n, n))
    used, columns = np.unique(counts.indices, return_inverse=True)
    df = np.bincount(columns, minlength=len(used))  # rows hold each term once (counts summed)
    idf = np.log((1 + n) / (1 + df)) + 1
    weights = counts.data * idf[columns]
    rows = np.repeat(np.arange(n), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(rows, weights=weights**2, minlength=n))
    weights = weights / np.where(norms[rows] > 0, norms[rows], 1)
    tfidf = sparse.csr_matrix((weights, columns, counts.indptr), shape=(n, len(used)))
    return (tfidf @ tfidf.T).toarray()


def group_block(
    members: list[Member], sims: np.ndarray, has_text: list[bool], threshold: float
) -> dict[str, str]:
    """member id -> group id, merging the most similar pairs first and refusing merges that would
    put two listings of one board, open at the same time, in one group."""
    n = len(members)
    parent = list(range(n))
    comp: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows, cols = np.nonzero(np.triu(sims >= threshold, k=1))
    pairs = sorted(
        (-float(sims[i, j]), int(i), int(j))
        for i, j in zip(rows, cols, strict=True)
        if has_text[i] and has_text[j]
    )
    for _, i, j in pairs:
        a, b = find(i), find(j)
        if a == b:
            continue
        if any(_listed_together(members[x], members[y]) for x in comp[a] for y in comp[b]):
            continue
        small, big = sorted((a, b), key=lambda r: len(comp[r]))
        parent[small] = big
        comp[big] += comp.pop(small)
    out: dict[str, str] = {}
    for root_members in comp.values():
        head = min((members[k] for k in root_members), key=lambda m: (m.first_seen or "", m.id))
        for k in root_members:
            out[members[k].id] = head.id
    return out


@dataclass
class DedupResult:
    examined: int = 0  # postings new or changed since the last pass
    blocks: int = 0  # blocks with two or more postings judged
    changed: int = 0  # postings whose group changed
    skipped_blocks: int = 0  # blocks over MAX_BLOCK
    duplicates: int = 0  # postings in the database that are a duplicate of another (after the pass)
    groups: int = 0  # groups of two or more postings (after the pass)

    def summary(self) -> str:
        return (
            f"dedup: {self.duplicates} duplicate postings in {self.groups} groups "
            f"({self.examined} postings re-examined, {self.changed} regrouped)"
        )


def ensure_dedup_table(db: sqlite_utils.Database) -> None:
    table = db.table("dedup_state")
    if not table.exists():
        table.create({"posting_id": str, "fingerprint": str}, pk="posting_id")
    table.create_index(["fingerprint"], if_not_exists=True)


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dedup_database(
    db: sqlite_utils.Database,
    *,
    threshold: float = THRESHOLD,
    full: bool = False,
    progress: bool | Callable[[Iterable[Any]], Iterable[Any]] = False,
) -> DedupResult:
    """Group duplicate postings (see the module docstring); returns what it did."""
    ensure_dedup_table(db)
    result = DedupResult()
    where = "" if full else "where p.dedup_group is null"
    dirty: dict[str, str | None] = {}  # posting id -> its fingerprint now
    left: set[str] = set()  # fingerprints a dirty posting had before
    for pid, company, title, city, state, old_fp in db.execute(
        f"select p.id, p.company, p.title, p.city, p.state, d.fingerprint from postings p "
        f"left join dedup_state d on d.posting_id = p.id {where}"
    ):
        dirty[pid] = fingerprint(company, title, city, state)
        if old_fp and old_fp != dirty[pid]:
            left.add(old_fp)
    result.examined = len(dirty)
    if not dirty:
        result.duplicates, result.groups = _totals(db)
        return result
    touched = sorted({fp for fp in dirty.values() if fp} | left)

    blocks: dict[str, list[str]] = defaultdict(list)
    for pid, fp in dirty.items():
        if fp:
            blocks[fp].append(pid)
    for chunk in _chunks(touched):
        for pid, fp in db.execute(
            "select posting_id, fingerprint from dedup_state "
            f"where fingerprint in ({','.join('?' * len(chunk))})",
            chunk,
        ):
            if pid not in dirty:
                blocks[fp].append(pid)

    groups: dict[str, str] = {pid: pid for pid, fp in dirty.items() if not fp}
    judged = [fp for fp in touched if len(blocks.get(fp, ())) > 1]
    for fp in touched:
        if len(blocks.get(fp, ())) == 1:
            groups[blocks[fp][0]] = blocks[fp][0]
    iterator: Iterable[list[str]] = _batches_of_blocks(judged, blocks)
    if progress:
        from tqdm import tqdm

        wrap = progress if callable(progress) else lambda it: tqdm(it, desc="dedup", unit="batch")
        iterator = wrap(list(iterator))
    hasher = HashingVectorizer(
        n_features=2**20, alternate_sign=False, norm=None, strip_accents="unicode", stop_words="english"
    )
    for batch in iterator:
        info = _members(db, [pid for fp in batch for pid in blocks[fp]])
        order = {pid: row for row, pid in enumerate(info)}
        counts = hasher.transform([text for _, text in info.values()])  # one tokenizing pass a batch
        for fp in batch:
            ids = sorted(pid for pid in blocks[fp] if pid in info)  # (a posting deleted since: gone)
            if len(ids) > MAX_BLOCK:
                logger.warning("dedup: %d postings share the fingerprint %r; not compared", len(ids), fp)
                result.skipped_blocks += 1
                groups.update({pid: pid for pid in ids})
                continue
            result.blocks += 1
            sims = similarities(counts[[order[pid] for pid in ids]])
            members = [info[pid][0] for pid in ids]
            has_text = [bool(info[pid][1].strip()) for pid in ids]
            groups.update(group_block(members, sims, has_text, threshold))

    result.changed = _write(db, groups, dirty, blocks)
    result.duplicates, result.groups = _totals(db)
    if full:
        with db.conn:
            db.execute("delete from dedup_state where posting_id not in (select id from postings)")
    return result


def _totals(db: sqlite_utils.Database) -> tuple[int, int]:
    """(postings that duplicate another, groups of two or more)."""
    row = db.execute(
        "select count(*), count(distinct dedup_group) from postings "
        "where dedup_group is not null and dedup_group != id"
    ).fetchone()
    return int(row[0]), int(row[1])


def _batches_of_blocks(fps: list[str], blocks: dict[str, list[str]]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for fp in fps:
        batch.append(fp)
        size += len(blocks[fp])
        if size >= TEXTS_PER_CHUNK:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _members(db: sqlite_utils.Database, ids: list[str]) -> dict[str, tuple[Member, str]]:
    out: dict[str, tuple[Member, str]] = {}
    for chunk in _chunks(ids):
        for pid, key, first, last, text in db.execute(
            "select id, coalesce(source_key, source), coalesce(first_seen, ''), coalesce(last_seen, ''), "
            f"coalesce(description_text, '') from postings where id in ({','.join('?' * len(chunk))})",
            chunk,
        ):
            out[pid] = (Member(pid, key, first, last), text)
    return out


def _write(
    db: sqlite_utils.Database,
    groups: dict[str, str],
    dirty: dict[str, str | None],
    blocks: dict[str, list[str]],
) -> int:
    fp_of = {pid: fp for fp, ids in blocks.items() for pid in ids}
    fp_of.update({pid: fp for pid, fp in dirty.items() if not fp})
    ids = sorted(groups)
    changed = 0
    with db.conn:
        for chunk in _chunks(ids):
            current = dict(
                db.execute(
                    f"select id, dedup_group from postings where id in ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            )
            updates = [(groups[pid], pid) for pid in chunk if pid in current and current[pid] != groups[pid]]
            changed += len(updates)
            db.conn.executemany("update postings set dedup_group = ? where id = ?", updates)
            db.conn.executemany(
                "insert into dedup_state (posting_id, fingerprint) values (?, ?) "
                "on conflict(posting_id) do update set fingerprint = excluded.fingerprint",
                [(pid, fp_of.get(pid)) for pid in chunk if pid in current],
            )
    return changed

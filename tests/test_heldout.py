"""The held-out postings (data/heldout/) are clean and independent of the training data."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from matcher.labels import check_record, load_labelled
from matcher.train import label_files

HELDOUT_DIR = Path(__file__).resolve().parent.parent / "data" / "heldout"
_SENTENCE = re.compile(r"[^.!?\n]+")


def _heldout() -> list[dict]:
    files = sorted(HELDOUT_DIR.glob("*.jsonl"))
    assert files, "no held-out postings"
    return load_labelled(files)


def _sentences(text: str) -> set[str]:
    # Sentences long enough to be writing rather than stock phrases ("CPR required").
    return {s.strip().lower() for s in _SENTENCE.findall(text or "") if len(s.strip()) >= 60}


def test_heldout_files_are_clean() -> None:
    records = _heldout()
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    problems = {r["id"]: check_record(r) for r in records}
    assert {k: v for k, v in problems.items() if v} == {}


def test_heldout_is_never_training_data() -> None:
    """Not in the training files, and no held-out posting is a copy of a training one. A stock
    sentence may recur (EEO lines, federal boilerplate, "compensation is competitive and
    commensurate with experience"), so a posting may share a couple of sentences, not more."""
    assert all(HELDOUT_DIR not in path.parents for path in label_files())
    training = load_labelled(label_files())
    assert not {r["id"] for r in training} & {r["id"] for r in _heldout()}
    owners: dict[str, set[str]] = {}
    for r in training:
        for s in _sentences(r.get("description", "")):
            owners.setdefault(s, set()).add(r["id"])
    copies = {}
    for r in _heldout():
        mine = _sentences(r.get("description", ""))
        shared = Counter(t for s in mine for t in owners.get(s, ()))
        most = max(shared.values(), default=0)
        if most > 2 or sum(s in owners for s in mine) > max(2, len(mine) // 4):
            copies[r["id"]] = shared.most_common(3)
    assert copies == {}

"""The matcher's fast paths find exactly what their plain definitions find.

Several scans in matcher/ and scraper/parsers/pay.py are written for speed (one combined regex
instead of four, lower-cased twins of case-insensitive regexes, cheap gates before costly ones).
Each test here holds the plain definition and checks the fast code against it on every sentence of
the training postings plus hand-written edge cases, so a "faster" edit that changes a result fails.
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from functools import cache

import numpy as np
import pytest

from matcher import analysis, candidates, features, years
from matcher import model as model_mod
from matcher.candidates import default_matcher
from matcher.labels import load_labelled
from matcher.text import Doc, prepare
from matcher.train import label_files
from scraper.parsers import pay

EDGE_TEXTS = [
    "Report to Dr.\nSmith each morning",
    "Report to dr\nJones",
    "Medical Assistant Level II\nrequires CMA within 90 days",
    "MA Tier 3\nneeds BLS",
    "Tier two\ncalls for two years",
    "MA IV\nrequired: CCMA",
    "You will train new\nstaff on rooming and help onboard\nfront desk staff",
    "Precept students; validate competencies of new staff",
    "MAs and RNs work with LPNs; registered nurse or nurse practitioner; nursing license",
    "Series 0679 Medical Support Assistant; ophthalmic tech; eye exam; visual acuity",
    "mas MA ma. summa rn lpn. RN/LPN karn",
    "Pay: 18.50 - 22.00 per hour; salary 45,000 to 52,000; base pay 40000",
    "Starting rate 19 / hr, wage range 17-21 hourly, 48,000 annually, 21 USD per hour",
    "Rate of pay 20.00; pay range 18 to 24; $19/hr plus $2,000 sign-on bonus",
    "Wage: 18.50 DOE",
    "Starting rate: 17.25",
    "Base pay: 41000",
    "Room 12 at 8 am; 2 years; 401(k) with 4% match; suite 300",
    "İstanbul clinic: MA wanted, 18 per hour",
]


@cache
def _postings() -> tuple[dict, ...]:
    return tuple(load_labelled(label_files()))


def _docs() -> list[Doc]:
    docs = [prepare(r.get("title"), r.get("company"), r.get("description")) for r in _postings()]
    docs += [prepare("Medical Assistant", "Clinic", text) for text in EDGE_TEXTS]
    return docs


def _lines() -> list[str]:
    return [s.text for doc in _docs() for s in doc.sentences] + EDGE_TEXTS


# --- sentences scanned together across a line break --------------------------------------------

_OVER_BREAK = re.compile(r"dr\.?\n|(?:ii|iv|level \w+|tier \w+)\n(?=requires?|needs?|calls for)")
_STAFFTEACH_ANYWHERE = re.compile(
    r"(?<![a-z0-9])(?:teach|train|orient|precept|validat|competenc|academy|skills? lab|onboard|in-?service"
    r"|curricul)"
)


def _joined_breaks_plainly(doc: Doc, low: str) -> set[int]:
    """The definition: every match of the cross-break regexes, mapped to the breaks it runs over."""
    starts = doc.starts
    joined: set[int] = set()
    if len(starts) < 2:
        return joined
    for m in _OVER_BREAK.finditer(low):
        i = bisect_right(starts, m.end() - 1) - 1
        if starts[i + 1 if i + 1 < len(starts) else i] == m.end():
            joined.add(i)
    for m in _STAFFTEACH_ANYWHERE.finditer(low):
        got = analysis._STAFFTEACH.match(low, m.start())
        if got is None:
            continue
        first = bisect_right(starts, m.start()) - 1
        last = bisect_right(starts, got.end() - 1) - 1
        joined.update(range(first, last))
    return joined


def test_joined_breaks_match_their_definition() -> None:
    some = 0
    for doc in _docs():
        low = doc.text.lower()
        want = _joined_breaks_plainly(doc, low)
        assert analysis._joined_breaks(doc, low) == want, doc.text[:200]
        some += bool(want)
    assert some >= 5  # the edge cases do join sentences


# --- role words ---------------------------------------------------------------------------------


def _role_plainly(low: str) -> tuple[int, int, bool, bool]:
    return (
        len(features._MA_WORDS.findall(low)),
        len(features._NURSE_WORDS.findall(low)),
        bool(features._MSA_WORDS.search(low)),
        bool(features._OPHTH_WORDS.search(low)),
    )


def _role_fast(low: str) -> tuple[int, int, bool, bool]:
    counts = [0, 0, 0, 0]
    for m in features.ROLE_WORDS.finditer(low):
        counts[features.ROLE_KIND[m.lastindex]] += 1  # type: ignore[index]
    return counts[0], counts[1], counts[2] > 0, counts[3] > 0


def test_one_role_scan_counts_what_four_regexes_count() -> None:
    lows = [line.lower() for line in _lines()]
    assert sum(1 for low in lows if any(_role_plainly(low))) > 100
    for low in lows:
        assert _role_fast(low) == _role_plainly(low), low


# --- alias search -------------------------------------------------------------------------------


def test_alias_search_over_lowered_text_finds_what_the_cased_search_finds() -> None:
    matcher = default_matcher()
    total = 0
    for line in _lines():
        low = line.lower()
        if len(low) != len(line):
            continue  # the caller takes the plain path for these
        plain = matcher.find_in(line)
        assert matcher.find_in(line, low) == plain, line
        total += len(plain)
    assert total > 1000


def test_alias_lookahead_keeps_every_place_with_a_hit() -> None:
    matcher = default_matcher()
    plain = copy.copy(matcher)  # the same buckets, the word-start scan without its lookahead
    plain._starts_lower = re.compile(
        rf"{candidates._START}(?:{candidates._trie_regex(list(matcher._buckets))})"
    )
    assert plain._starts_lower.pattern != matcher._starts_lower.pattern
    total = 0
    for line in _lines():
        low = line.lower()
        if len(low) != len(line):
            continue
        hits = matcher.find_in(line, low)
        assert hits == plain.find_in(line, low), line
        total += len(hits)
    assert total > 1000


# --- pay gate -----------------------------------------------------------------------------------


def test_pay_word_gate_skips_only_parts_without_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines()
    gated = [pay.sentence_pay_candidates(line) for line in lines]
    monkeypatch.setattr(pay, "_PAY_WORD", re.compile(""))  # a gate that lets every part through
    ungated = [pay.sentence_pay_candidates(line) for line in lines]
    assert gated == ungated
    assert sum(map(len, gated)) > 100


# --- years gate ---------------------------------------------------------------------------------


def test_years_unit_gate_skips_only_sentences_without_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = [(s.text, s.section) for doc in _docs() for s in doc.sentences]
    sentences += [(line, "requirements") for line in EDGE_TEXTS + YEARS_TEXTS]
    gated = [years.sentence_years(text, section) for text, section in sentences]
    monkeypatch.setattr(years, "_UNIT", re.compile(""))  # a gate that lets every sentence through
    ungated = [years.sentence_years(text, section) for text, section in sentences]
    assert gated == ungated
    assert sum(map(len, gated)) > 100


YEARS_TEXTS = [
    "No experience necessary; 19 exam rooms",
    "Experience not required, 3 providers",
    "New grads welcome to apply, 2 sites",
    "2 yrs. of clinic experience; 6 mos experience in dermatology",
    "1-2 years experience",
]


@pytest.mark.parametrize("cache_max", [100_000, 40])
def test_cached_hashing_gives_the_pipelines_own_probabilities(
    monkeypatch: pytest.MonkeyPatch, cache_max: int
) -> None:
    """``model.predict_proba`` (cached feature columns) returns what the fitted pipeline's own
    ``predict_proba`` returns, bit for bit, batch after batch; also when the bounded cache of
    hashed strings fills up and is emptied in the middle of a batch."""
    monkeypatch.setattr(model_mod, "_HASHED", {})
    monkeypatch.setattr(model_mod, "_HASHED_MAX", cache_max)
    words = [f"w{i}" for i in range(60)]
    X = [[words[(i * 7 + j * 3) % 60] for j in range(i % 9 + 1)] + ["bias", "bias"] for i in range(120)]
    y = [i % 3 for i in range(120)]
    pipe = model_mod.build_pipeline({"C": 1.0, "random_state": 0}, n_features=2**12).fit(X, y)
    batches = [X[:30], X[30:31], X[31:90], [], X[90:], X[::-1]]
    for batch in batches:
        if not batch:
            continue
        got = model_mod.predict_proba(pipe, batch)
        assert np.array_equal(got, pipe.predict_proba(batch))
    assert 0 < len(model_mod._HASHED[2**12]) <= max(cache_max, 60 + 1)

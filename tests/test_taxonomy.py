"""data/taxonomy.yaml: the LABELS.md vocabulary, valid and collision-free; the prefix-indexed matcher."""

from __future__ import annotations

import pytest

from matcher.candidates import build_matcher, prefixes
from matcher.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy
from matcher.text import prepare

LABELS_CERTS = {
    "CMA",
    "RMA",
    "CCMA",
    "NCMA",
    "NRCMA",
    "CMAA",
    "MA_CERT_ANY",
    "MA_C_WA",
    "BLS",
    "ACLS",
    "PALS",
    "PHLEBOTOMY",
    "EKG_TECH",
    "COA",
    "COT",
    "COMT",
    "CPOA",
    "CPOT",
    "CPC",
    "CCS",
    "CMPE",
    "COE",
    "CMM",
    "LIMITED_XRAY",
    "RN_LICENSE",
    "LPN_LICENSE",
    "CNA",
    "MED_AIDE",
    "EPIC_CERTIFICATION",
}
LABELS_EHR = {
    "Epic",
    "Oracle Health",
    "eClinicalWorks",
    "athenahealth",
    "NextGen",
    "Veradigm",
    "MEDITECH",
    "Greenway",
    "ModMed",
    "Nextech",
    "AdvancedMD",
    "Practice Fusion",
    "Tebra",
    "Compulink",
    "Elation",
    "RPMS",
    "VistA",
}


def test_vocabulary_is_exactly_labels_md() -> None:
    tax = load_taxonomy()
    assert set(tax.ids("certifications")) == LABELS_CERTS
    assert set(tax.ids("ehr")) == LABELS_EHR
    assert len(tax.ids("specialties")) == 24
    assert len(tax.ids("skills")) == 40  # "bilingual <Language>" is one open family
    assert tax.is_valid_label("skills", "bilingual Vietnamese")
    assert not tax.is_valid_label("skills", "typing")


def toy(**overrides) -> dict:
    raw = {
        "certifications": [{"id": "CMA", "aliases": ["CMA"]}],
        "ehr": [{"id": "Epic", "aliases": ["Epic"]}],
        "specialties": [{"id": "ENT", "aliases": ["ENT"]}],
        "skills": [{"id": "EKG", "aliases": ["EKGs?"]}],
    }
    raw.update(overrides)
    return raw


def test_loader_rejects_duplicates_collisions_and_bad_regex() -> None:
    parse_taxonomy(toy())
    with pytest.raises(TaxonomyError, match="duplicate id"):
        parse_taxonomy(toy(ehr=[{"id": "Epic"}, {"id": "Epic"}]))
    with pytest.raises(TaxonomyError, match="claimed by both"):
        parse_taxonomy(toy(ehr=[{"id": "Epic", "aliases": ["Epic"]}, {"id": "Other", "aliases": ["epic"]}]))
    with pytest.raises(TaxonomyError, match="bad alias"):
        parse_taxonomy(toy(skills=[{"id": "EKG", "aliases": ["EKG("]}]))
    with pytest.raises(TaxonomyError, match="non-empty list"):
        parse_taxonomy(toy(skills=[]))


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("Epic", {"ep"}),
        ("x-?rays?", {"x-", "xr"}),
        ("(?:medical|health) histor(?:y|ies)", {"me", "he"}),
        ("RMA \\(AMT\\)", {"rm"}),
        ("[A-Z]+", None),
    ],
)
def test_alias_prefixes(alias: str, expected: set | None) -> None:
    assert prefixes(alias) == expected


def test_indexed_matcher_agrees_with_plain_regexes() -> None:
    """The fast prefix index must propose what each entry's own regex finds."""
    tax = load_taxonomy()
    matcher = build_matcher(tax)
    text = (
        "Room patients, take vitals and blood pressures, perform 12-lead EKGs, x-rays and venipuncture. "
        "CMA (AAMA), RMA or CCMA required; CPR/BLS within 30 days. Chart in Epic and eClinicalWorks. "
        "Our Ear, Nose & Throat and Women's Health clinics; HEDIS care gaps; OSHA logs; prior auths; "
        "medication reconciliation; Holter monitors; B12 and TB skin tests; A1c; P&L; A/R."
    )
    doc = prepare("Medical Assistant", "Clinic", text)
    found = matcher.find_all(doc)
    for category, entries in tax.entries.items():
        plain = {e.id for e in entries if e.pattern().search(doc.text)}
        assert plain <= set(found[category]) | _overlapped(category), category
    assert {"CMA", "RMA", "CCMA", "BLS"} <= set(found["certifications"])
    assert {"Epic", "eClinicalWorks"} <= set(found["ehr"])
    assert {"ENT", "OB/GYN"} <= set(found["specialties"])
    assert {"vital signs", "EKG", "x-ray", "phlebotomy", "budgeting", "revenue cycle"} <= set(found["skills"])


def _overlapped(category: str) -> set[str]:
    # Within one category a place matches once (the longest alias); these lose to a longer neighbour here.
    return {
        "skills": {"compliance", "vision screening", "medication administration", "ophthalmic testing"}
    }.get(category, set())


def test_mentions_point_into_their_sentences() -> None:
    matcher = build_matcher(load_taxonomy())
    doc = prepare("MA", "Clinic", "Intro line.\nMust hold CCMA. Chart in NextGen.")
    found = matcher.find_all(doc)
    (mention,) = found["certifications"]["CCMA"]
    sent = doc.sentences[mention.sentence].text
    assert sent[mention.start : mention.end] == "CCMA"
    assert found["ehr"]["NextGen"][0].surface == "NextGen"

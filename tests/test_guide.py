"""data/guide.yaml: every entry quotes the guide's own text, and the loader rejects bad labels."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest
import yaml

from matcher.report.guide import GUIDE_PATH, GuideError, load_guide, parse_guide
from matcher.taxonomy import STAGES

REPO = Path(__file__).resolve().parent.parent
# CI lays shared/ beside the clone; developers have it at /work/shared.
GUIDE_TEXTS = [
    REPO.parent / "shared" / "guide" / "medical-assistant-career-path.txt",
    Path("/work/shared/guide/medical-assistant-career-path.txt"),
]


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(GUIDE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def guide_text() -> str:
    for path in GUIDE_TEXTS:
        if path.exists():
            return path.read_text(encoding="utf-8")
    pytest.skip("the guide text (shared/guide/) is not beside this checkout")


def test_guide_loads_with_all_three_stages():
    guide = load_guide()
    assert list(guide.stages) == list(STAGES)
    assert (guide.stages["entry"].years_min, guide.stages["entry"].years_max) == (0, 2)
    assert (guide.stages["mid"].years_min, guide.stages["mid"].years_max) == (3, 5)
    assert (guide.stages["senior"].years_min, guide.stages["senior"].years_max) == (6, None)
    for stage in STAGES:
        assert guide.recommendations_for(stage), f"no recommendation for {stage}"


def test_every_quote_is_the_guides_own_text(guide_text):
    guide = load_guide()
    assert len(guide.quotes) > 40
    missing = [(where, quote) for where, quote in guide.quotes if quote not in guide_text]
    assert not missing, f"quotes not found verbatim in the guide: {missing}"


def test_the_encoded_edition_is_the_current_guide(guide_text):
    guide = load_guide()
    digest = hashlib.sha256(guide_text.encode("utf-8")).hexdigest()
    assert guide.sha256 == digest, "the guide text changed: re-encode data/guide.yaml and update sha256"


def test_bls_figures_match_the_text(guide_text):
    guide = load_guide()
    for p in guide.percentiles:
        assert f"${p.annual:,.0f}" in p.quote and f"${p.annual:,.0f}" in guide_text
    assert [p.percentile for p in guide.percentiles] == [10, 25, 50, 75, 90]
    assert f"${guide.median_hourly:.2f}" in guide_text
    assert f"${guide.mean_annual:,.0f}" in guide_text
    assert guide.bands["entry"].low == 35020 and guide.bands["senior"].high is None


def test_guide_uses_canonical_names():
    guide = load_guide()
    four = next(r for r in guide.recommendations if r.id == "entry-ehr-four")
    assert four.labels == ("Epic", "Oracle Health", "eClinicalWorks", "athenahealth")
    assert "BLS" in guide.mentioned_labels("certifications")
    assert set(guide.specialties) == {
        "Ophthalmology",
        "Podiatry",
        "Cardiology",
        "Dermatology",
        "Orthopedics",
        "OB/GYN",
    }


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("recommendations", 0, "labels"),
            ["CMA", "Certified Medical Assistant"],
            "unknown certifications label",
        ),
        (("recommendations", 3, "labels"), ["Cerner"], "unknown ehr label 'Cerner'"),
        (("recommendations", 0, "category"), ["certs"], "unknown category"),
        (("recommendations", 0, "stage"), "junior", "unknown stage 'junior'"),
        (("recommendations", 0, "strength"), "mandatory", "unknown strength"),
        (("specialties", "labels"), ["Eye Care"], "unknown specialties label 'Eye Care'"),
        (("claims", 0, "check", "kind"), "vibes", "unknown check kind"),
        (("wages", "stage_bands", "entry", "low"), 35000, "not one of the quoted percentiles"),
        (("recommendations", 1, "quote"), "", "'quote' must be"),
    ],
)
def test_bad_guide_is_a_clear_error(raw, path, value, message):
    bad = copy.deepcopy(raw)
    node = bad
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value[0] if path[-1] == "category" else value
    with pytest.raises(GuideError, match=message):
        parse_guide(bad)


def test_missing_section_is_named(raw):
    bad = copy.deepcopy(raw)
    del bad["wages"]
    with pytest.raises(GuideError, match="missing 'wages'"):
        parse_guide(bad)


def test_unreadable_guide_is_a_guide_error(tmp_path):
    broken = tmp_path / "guide.yaml"
    broken.write_text("stages: [unclosed", encoding="utf-8")
    with pytest.raises(GuideError, match="not valid YAML"):
        load_guide(broken)
    with pytest.raises(GuideError, match="cannot read"):
        load_guide(tmp_path / "absent.yaml")

"""Load and validate ``data/guide.yaml``: the career guide as data.

The weekly report reads only this file, so a new edition of the guide is a data change. Every
label must be a canonical name of ``data/taxonomy.yaml``; anything else is a :class:`GuideError`
that names the entry and the bad value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from matcher.taxonomy import DATA_DIR, STAGES, Taxonomy, load_taxonomy

GUIDE_PATH = DATA_DIR / "guide.yaml"

# Categories with labels in the vocabulary, and those the guide names that have none.
LABEL_CATEGORIES = ("certifications", "ehr", "specialties", "skills")
UNMEASURED_CATEGORIES = ("education", "soft skills")
# tags.category is singular (scraper/store.py); the taxonomy and the guide use plural names.
TAG_CATEGORY = {
    "certifications": "certification",
    "ehr": "ehr",
    "specialties": "specialty",
    "skills": "skill",
}
MEASURES = ("asked", "required")
CLAIM_KINDS = ("share", "ranking", "pay_gap", "pay_band", "pay_order", "no_experience", "years")
LEVELS = ("required", "preferred", "accepted")
ANY = "*"


class GuideError(ValueError):
    """guide.yaml is malformed or names a label outside the vocabulary."""


@dataclass(frozen=True)
class Strength:
    name: str
    measure: str
    supported: float
    partly: float
    reads: str


@dataclass(frozen=True)
class Rules:
    min_postings: int
    min_pay_postings: int
    confidence: float
    plausible_annual_pay: tuple[float, float]
    other_asks_min_share: float
    strengths: dict[str, Strength]


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    years_min: float
    years_max: float | None
    quote: str
    titles: tuple[str, ...]
    titles_quote: str

    @property
    def years_text(self) -> str:
        if self.years_max is None:
            return f"{self.years_min:g}+ years"
        return f"{self.years_min:g}–{self.years_max:g} years"


@dataclass(frozen=True)
class Recommendation:
    id: str
    stage: str
    category: str
    labels: tuple[str, ...]  # ("*",) = any label of the category; () = not measurable
    strength: str
    says: str
    quote: str

    @property
    def measured(self) -> bool:
        return self.category in LABEL_CATEGORIES and bool(self.labels)


@dataclass(frozen=True)
class Percentile:
    percentile: int
    annual: float
    stage: str
    quote: str


@dataclass(frozen=True)
class Band:
    stage: str
    low: float
    high: float | None
    quote: str


@dataclass(frozen=True)
class Claim:
    id: str
    says: str
    quote: str
    check: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.check["kind"])


@dataclass(frozen=True)
class Guide:
    title: str
    source: str
    sha256: str
    stages: dict[str, Stage]
    rules: Rules
    ma_certifications: tuple[str, ...]
    general_practice: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]
    specialties: tuple[str, ...]
    specialties_quote: str
    specialties_strength: str
    percentiles: tuple[Percentile, ...]
    mean_annual: float
    median_hourly: float
    wage_source: str
    bands: dict[str, Band]
    claims: tuple[Claim, ...]
    quotes: tuple[tuple[str, str], ...] = field(default=())  # (where, quote) for the substring test

    def recommendations_for(self, stage: str) -> list[Recommendation]:
        return [r for r in self.recommendations if r.stage == stage]

    def mentioned_labels(self, category: str) -> set[str]:
        """Every label of ``category`` the guide names anywhere (recommendations, specialties, claims)."""
        out: set[str] = set()
        for rec in self.recommendations:
            if rec.category == category and ANY not in rec.labels:
                out.update(rec.labels)
        if category == "specialties":
            out.update(self.specialties)
        for claim in self.claims:
            for spec in (claim.check, claim.check.get("a") or {}, claim.check.get("b") or {}):
                if spec.get("category") == category and ANY not in spec.get("labels", ()):
                    out.update(spec.get("labels", ()))
        if category == "certifications":
            out.update(self.ma_certifications)
        return out


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] is None:
        raise GuideError(f"guide: {where}: missing '{key}'")
    return mapping[key]


class _Loader:
    def __init__(self, raw: dict, taxonomy: Taxonomy) -> None:
        self.raw = raw
        self.taxonomy = taxonomy
        self.quotes: list[tuple[str, str]] = []

    def quote(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise GuideError(f"guide: {where}: 'quote' must be the guide's own sentence")
        self.quotes.append((where, value))
        return value

    def labels(self, category: str, labels: Any, where: str) -> tuple[str, ...]:
        """Validate a label list; the names ``ma_certifications``/``general_practice`` expand."""
        if isinstance(labels, str) and labels in ("ma_certifications", "general_practice"):
            labels = self.raw.get(labels)
        if not isinstance(labels, list):
            raise GuideError(f"guide: {where}: 'labels' must be a list")
        if category in UNMEASURED_CATEGORIES:
            if labels:
                raise GuideError(f"guide: {where}: category '{category}' has no labels in the vocabulary")
            return ()
        if category not in LABEL_CATEGORIES:
            raise GuideError(
                f"guide: {where}: unknown category {category!r} "
                f"(one of {', '.join(LABEL_CATEGORIES + UNMEASURED_CATEGORIES)})"
            )
        if labels == [ANY]:
            return (ANY,)
        if not labels:
            raise GuideError(f"guide: {where}: no labels")
        for label in labels:
            if not isinstance(label, str) or not self.taxonomy.is_valid_label(category, label):
                raise GuideError(
                    f"guide: {where}: unknown {category} label {label!r} "
                    f"(use the canonical names of data/taxonomy.yaml)"
                )
        if len(set(labels)) != len(labels):
            raise GuideError(f"guide: {where}: duplicate labels")
        return tuple(labels)

    def load(self) -> Guide:
        raw = self.raw
        meta = _need(raw, "guide", "top level")
        stages = self._stages(_need(raw, "stages", "top level"))
        rules = self._rules(_need(raw, "rules", "top level"))
        ma_certs = self.labels(
            "certifications", _need(raw, "ma_certifications", "top level"), "ma_certifications"
        )
        general = self.labels("specialties", _need(raw, "general_practice", "top level"), "general_practice")
        recs = self._recommendations(_need(raw, "recommendations", "top level"), rules)
        spec = _need(raw, "specialties", "top level")
        specialties = self.labels("specialties", _need(spec, "labels", "specialties"), "specialties")
        spec_quote = self.quote(_need(spec, "quote", "specialties"), "specialties")
        spec_strength = _need(spec, "strength", "specialties")
        if spec_strength not in rules.strengths:
            raise GuideError(f"guide: specialties: unknown strength {spec_strength!r}")
        wages = _need(raw, "wages", "top level")
        percentiles = self._percentiles(_need(wages, "percentiles", "wages"))
        mean = _need(wages, "mean", "wages")
        hourly = _need(wages, "median_hourly", "wages")
        self.quote(_need(mean, "quote", "wages.mean"), "wages.mean")
        self.quote(_need(hourly, "quote", "wages.median_hourly"), "wages.median_hourly")
        bands = self._bands(_need(wages, "stage_bands", "wages"), percentiles)
        claims = self._claims(_need(raw, "claims", "top level"))
        return Guide(
            title=str(_need(meta, "title", "guide")),
            source=str(_need(meta, "source", "guide")),
            sha256=str(meta.get("sha256") or ""),
            stages=stages,
            rules=rules,
            ma_certifications=ma_certs,
            general_practice=general,
            recommendations=recs,
            specialties=specialties,
            specialties_quote=spec_quote,
            specialties_strength=spec_strength,
            percentiles=percentiles,
            mean_annual=float(_need(mean, "annual", "wages.mean")),
            median_hourly=float(_need(hourly, "hourly", "wages.median_hourly")),
            wage_source=str(wages.get("source") or "BLS"),
            bands=bands,
            claims=claims,
            quotes=tuple(self.quotes),
        )

    def _stages(self, raw: Any) -> dict[str, Stage]:
        if not isinstance(raw, dict) or sorted(raw) != sorted(STAGES):
            raise GuideError(f"guide: stages must be exactly {', '.join(STAGES)}")
        out = {}
        for sid in STAGES:
            item = raw[sid]
            where = f"stages.{sid}"
            years = _need(item, "years", where)
            out[sid] = Stage(
                id=sid,
                name=str(_need(item, "name", where)),
                years_min=float(_need(years, "min", where + ".years")),
                years_max=None if years.get("max") is None else float(years["max"]),
                quote=self.quote(_need(item, "quote", where), where),
                titles=tuple(_need(item, "titles", where)),
                titles_quote=self.quote(_need(item, "titles_quote", where), where + ".titles"),
            )
        return out

    def _rules(self, raw: Any) -> Rules:
        strengths = {}
        for name, item in _need(raw, "strengths", "rules").items():
            where = f"rules.strengths.{name}"
            measure = _need(item, "measure", where)
            if measure not in MEASURES:
                raise GuideError(f"guide: {where}: measure must be one of {MEASURES}")
            supported, partly = float(_need(item, "supported", where)), float(_need(item, "partly", where))
            if not 0 <= partly <= supported <= 1:
                raise GuideError(f"guide: {where}: need 0 <= partly <= supported <= 1")
            strengths[name] = Strength(name, measure, supported, partly, str(item.get("reads", "")))
        low, high = _need(raw, "plausible_annual_pay", "rules")
        return Rules(
            min_postings=int(_need(raw, "min_postings", "rules")),
            min_pay_postings=int(_need(raw, "min_pay_postings", "rules")),
            confidence=float(_need(raw, "confidence", "rules")),
            plausible_annual_pay=(float(low), float(high)),
            other_asks_min_share=float(_need(raw, "other_asks_min_share", "rules")),
            strengths=strengths,
        )

    def _recommendations(self, raw: Any, rules: Rules) -> tuple[Recommendation, ...]:
        out, seen = [], set()
        for i, item in enumerate(raw):
            rid = _need(item, "id", f"recommendations[{i}]")
            where = f"recommendation {rid}"
            if rid in seen:
                raise GuideError(f"guide: {where}: duplicate id")
            seen.add(rid)
            stage = _need(item, "stage", where)
            if stage not in STAGES:
                raise GuideError(f"guide: {where}: unknown stage {stage!r}")
            strength = _need(item, "strength", where)
            if strength not in rules.strengths:
                raise GuideError(f"guide: {where}: unknown strength {strength!r}")
            category = _need(item, "category", where)
            out.append(
                Recommendation(
                    id=rid,
                    stage=stage,
                    category=category,
                    labels=self.labels(category, item.get("labels", []), where),
                    strength=strength,
                    says=str(_need(item, "says", where)),
                    quote=self.quote(_need(item, "quote", where), where),
                )
            )
        return tuple(out)

    def _percentiles(self, raw: Any) -> tuple[Percentile, ...]:
        out = []
        for item in raw:
            where = f"wages.percentiles.{item.get('percentile')}"
            stage = _need(item, "stage", where)
            if stage not in STAGES:
                raise GuideError(f"guide: {where}: unknown stage {stage!r}")
            out.append(
                Percentile(
                    int(_need(item, "percentile", where)),
                    float(_need(item, "annual", where)),
                    stage,
                    self.quote(_need(item, "quote", where), where),
                )
            )
        values = [p.annual for p in sorted(out, key=lambda p: p.percentile)]
        if values != sorted(values):
            raise GuideError("guide: wages.percentiles: wages must rise with the percentile")
        return tuple(out)

    def _bands(self, raw: Any, percentiles: tuple[Percentile, ...]) -> dict[str, Band]:
        known = {p.annual for p in percentiles}
        out = {}
        for sid in STAGES:
            item = _need(raw, sid, "wages.stage_bands")
            where = f"wages.stage_bands.{sid}"
            low = float(_need(item, "low", where))
            high = None if item.get("high") is None else float(item["high"])
            for value in (low, high):
                if value is not None and value not in known:
                    raise GuideError(f"guide: {where}: {value:g} is not one of the quoted percentiles")
            out[sid] = Band(sid, low, high, self.quote(_need(item, "quote", where), where))
        return out

    def _claims(self, raw: Any) -> tuple[Claim, ...]:
        out, seen = [], set()
        for i, item in enumerate(raw):
            cid = _need(item, "id", f"claims[{i}]")
            where = f"claim {cid}"
            if cid in seen:
                raise GuideError(f"guide: {where}: duplicate id")
            seen.add(cid)
            check = dict(_need(item, "check", where))
            kind = _need(check, "kind", where)
            if kind not in CLAIM_KINDS:
                raise GuideError(
                    f"guide: {where}: unknown check kind {kind!r} (one of {', '.join(CLAIM_KINDS)})"
                )
            self._check(check, where)
            out.append(
                Claim(
                    cid,
                    str(_need(item, "says", where)),
                    self.quote(_need(item, "quote", where), where),
                    check,
                )
            )
        return tuple(out)

    def _stage_ok(self, stage: Any, where: str, *, nullable: bool = False) -> None:
        if stage is None and nullable:
            return
        if stage not in STAGES:
            raise GuideError(f"guide: {where}: unknown stage {stage!r}")

    def _check(self, check: dict[str, Any], where: str) -> None:
        kind = check["kind"]
        if kind in ("share", "ranking"):
            self._stage_ok(check.get("stage"), where, nullable=kind == "ranking")
            category = _need(check, "category", where)
            check["labels"] = self.labels(category, _need(check, "labels", where), where)
        if kind == "share":
            if _need(check, "measure", where) not in MEASURES:
                raise GuideError(f"guide: {where}: measure must be one of {MEASURES}")
            _need(check, "supported", where), _need(check, "partly", where)
        elif kind == "ranking":
            _need(check, "top", where), _need(check, "partly_min", where)
        elif kind == "no_experience":
            self._stage_ok(check.get("stage"), where)
            _need(check, "supported", where), _need(check, "partly", where)
        elif kind in ("pay_band", "years"):
            self._stage_ok(check.get("stage"), where)
        elif kind == "pay_order":
            for stage in _need(check, "stages", where):
                self._stage_ok(stage, where)
        elif kind == "pay_gap":
            for stage in _need(check, "stages", where):
                self._stage_ok(stage, where)
            for side in ("a", "b"):
                spec = dict(_need(check, side, where))
                _need(spec, "name", f"{where}.{side}")
                if spec.get("rest"):
                    if side != "b":
                        raise GuideError(f"guide: {where}: only side b may be 'rest'")
                else:
                    category = _need(spec, "category", f"{where}.{side}")
                    spec["labels"] = self.labels(category, _need(spec, "labels", f"{where}.{side}"), where)
                    if "except" in spec:
                        spec["except"] = self.labels(category, spec["except"], f"{where}.{side}.except")
                    for level in spec.get("levels", []):
                        if level not in LEVELS:
                            raise GuideError(f"guide: {where}.{side}: unknown level {level!r}")
                check[side] = spec


def parse_guide(raw: Any, taxonomy: Taxonomy | None = None) -> Guide:
    """A validated :class:`Guide` from the parsed YAML (raises :class:`GuideError`)."""
    if not isinstance(raw, dict):
        raise GuideError("guide: the file must hold a mapping")
    return _Loader(raw, taxonomy or load_taxonomy()).load()


def load_guide(path: str | Path = GUIDE_PATH, taxonomy: Taxonomy | None = None) -> Guide:
    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except OSError as exc:
        raise GuideError(f"guide: cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise GuideError(f"guide: {path} is not valid YAML: {exc}") from exc
    return parse_guide(raw, taxonomy)

"""The matcher's model: candidates from the taxonomy, scikit-learn classifiers that decide.

Per posting, :func:`extract` prepares the text, finds candidate labels and builds their features.
:class:`MatcherModel` holds one scikit-learn ``Pipeline`` (``FeatureHasher`` ->
``LogisticRegression``) per decision:

- ``certifications``: none / required / preferred / accepted for each proposed credential;
- ``ehr``, ``specialties``, ``skills``: is this proposed label real for this posting?
- ``is_ma_role``: from the title and body; ``stage``: entry / mid / senior from the title, the
  *required* years and any specialty credential required.

Years and pay are read by rules (:mod:`matcher.years`, :mod:`scraper.parsers.pay`): LABELS.md
spells them out, and they feed the stage model. All predictions are made in batches (one
``predict_proba`` per classifier per batch): per posting, the classifiers cost a tenth of the
time; reading the text (:mod:`matcher.analysis`) costs most of the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from matcher.analysis import MentionInfo, SentenceInfo, analyze
from matcher.candidates import Matcher, default_matcher
from matcher.features import candidate_features, candidate_key, role_features, stage_features
from matcher.text import Doc, prepare
from matcher.years import YearsMention, min_years, required_years
from scraper.parsers.pay import PayCandidate, choose_pay, may_hold_pay, pay_candidates

CANDIDATE_CATEGORIES = ("certifications", "ehr", "specialties", "skills")
CERT_CLASSES = ("none", "required", "preferred", "accepted")
STAGE_CLASSES = ("entry", "mid", "senior")


@dataclass
class Candidate:
    category: str
    label: str
    features: list[str]
    evidence: str
    mentions: int
    negated: bool = False  # a credential every mention of which is explicitly "not required" (C5)


@dataclass
class Extracted:
    """Everything the classifiers need about one posting."""

    doc: Doc
    candidates: list[Candidate]
    role: list[str]
    years: list[YearsMention]
    min_years: float | None
    required_years: float | None
    preferred_years: float | None
    specialty_years: bool
    pay: dict[str, Any] | None
    pay_evidence: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_EVIDENCE_ORDER = {
    # Which section's sentence best shows why a label was given.
    "certifications": ("requirements", "preferred", "summary", "duties", "other", "pay", "about", "benefits"),
    "skills": ("duties", "requirements", "summary", "preferred", "other", "about", "benefits"),
}


def _evidence(doc: Doc, sentence_ids: list[int], category: str = "") -> str:
    """The sentence that best shows why a label was given (its first 300 characters)."""
    sentences = doc.sentences
    body = [i for i in sentence_ids if sentences[i].section not in ("title", "company", "heading")]
    if not body:
        return sentences[sentence_ids[0]].text[:300]
    order = _EVIDENCE_ORDER.get(category)
    if order:
        rank = {name: i for i, name in enumerate(order)}
        body = sorted(body, key=lambda i: (rank.get(sentences[i].section, len(order)), i))
    return sentences[body[0]].text[:300]


def extract(record: dict[str, Any], matcher: Matcher | None = None) -> Extracted:
    """Prepare one posting (``title``, ``company``, ``description``) and build its candidates."""
    matcher = matcher or default_matcher()
    doc = prepare(record.get("title"), record.get("company"), record.get("description"))
    infos = analyze(doc, matcher)
    sentences = doc.sentences
    # category -> label -> (sentence index, mention), in text order (as Matcher.find_all lists them).
    found: dict[str, dict[str, list[tuple[int, MentionInfo]]]] = {c: {} for c in CANDIDATE_CATEGORIES}
    languages: dict[str, list[tuple[int, MentionInfo]]] = {}
    for idx, info in enumerate(infos):
        for m in info.mentions:
            found[m.category].setdefault(m.label, []).append((idx, m))
        for m in info.languages:
            languages.setdefault(m.label, []).append((idx, m))
    spec_sentences = {idx for ms in found["specialties"].values() for idx, _ in ms}
    found["skills"].update(languages)
    candidates: list[Candidate] = []
    for category in CANDIDATE_CATEGORIES:
        labels = found[category]
        n_labels = len(labels)
        for label, mentions in labels.items():
            feats = candidate_features(
                candidate_key(label), n_labels, [(sentences[idx].section, m.features) for idx, m in mentions]
            )
            negated = False
            if category == "certifications":
                # C5: every body mention outside headings directly negated.
                body = [m for idx, m in mentions if sentences[idx].section not in _NOT_BODY]
                negated = bool(body) and all(m.negated for m in body)
            candidates.append(
                Candidate(
                    category,
                    label,
                    feats,
                    _evidence(doc, [idx for idx, _ in mentions], category),
                    len(mentions),
                    negated,
                )
            )
    years = [
        YearsMention(value, kind, idx, sentences[idx].text, nested)
        for idx, info in enumerate(infos)
        for value, kind, nested in info.years
    ]
    preferred = [m.value for m in years if m.kind == "preferred" and not m.nested]
    # Stage rule 2: >= 2 required years of specialty experience (a specialty named in that sentence).
    spec_years = any(
        m.kind == "required"
        and m.value >= 2
        and (m.sentence in spec_sentences or infos[m.sentence].specialty_years)
        for m in years
    )
    pay = choose_pay(_pay_candidates(doc, infos))
    pay_dict = None
    if pay is not None and pay.unit in ("HOUR", "YEAR"):
        pay_dict = {"min": pay.min, "max": pay.max, "unit": pay.unit}
    return Extracted(
        doc=doc,
        candidates=candidates,
        role=role_features(doc, infos),
        years=years,
        min_years=min_years(years),
        required_years=required_years(years),
        preferred_years=min(preferred) if preferred else None,
        specialty_years=spec_years,
        pay=pay_dict,
        pay_evidence=pay.evidence if pay_dict and pay else "",
    )


_NOT_BODY = ("title", "company", "heading")
# A part of pay_candidates' split that runs over a line break: " |" or " •" ending a line.
_PAY_PART_OVER_BREAK = re.compile(r"\s[•·|]$")


def _pay_candidates(doc: Doc, infos: list[SentenceInfo]) -> list[PayCandidate]:
    """``pay_candidates`` of the body (every sentence after the title and company), from its sentences."""
    body = doc.sentences[2:]
    if any(_PAY_PART_OVER_BREAK.search(s.text) for s in body[:-1] if s.text.endswith(("•", "·", "|"))):
        return pay_candidates("\n".join(s.text for s in body))
    out = [
        PayCandidate(c.low, c.high, c.unit, c.kind, c.base, (idx << 20) | c.sentence, c.position, c.evidence)
        for idx, info in enumerate(infos[2:], start=2)
        for c in info.pay
    ]
    # pay_candidates reads nothing unless the body holds "$" or a pay-like figure (a whole-body test).
    if (
        out
        and not any(info.dollar for info in infos[2:])
        and not may_hold_pay("\n".join(s.text for s in body))
    ):
        return []
    return out


class SeenColumns(TransformerMixin, BaseEstimator):
    """Keep only the hashed columns seen at least ``min_count`` times in training.

    Hashing into a wide space avoids collisions, but the solvers pay for every column of the
    coefficient matrix; the features real postings produce fill a few percent of it.
    """

    def __init__(self, min_count: int = 1) -> None:
        self.min_count = min_count

    def fit(self, X: sparse.spmatrix, y: Any = None) -> SeenColumns:
        counts = np.asarray((sparse.csr_matrix(X) != 0).sum(axis=0)).ravel()
        self.columns_ = np.flatnonzero(counts >= self.min_count)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: sparse.spmatrix) -> sparse.csr_matrix:
        return sparse.csr_matrix(X)[:, self.columns_]


# Feature string -> hashed column, per hashing width. The same strings recur in posting after posting,
# and hashing them (a Python call per string inside FeatureHasher) cost more than the classifiers.
# Bounded: emptied when full (open-ended strings such as neighbour words keep arriving).
_HASHED: dict[int, dict[str, int]] = {}
_HASHED_MAX = 400_000
# Per fitted pipeline: hashed column -> column kept by SeenColumns (-1 when dropped).
_SEEN_MAPS: dict[int, tuple[Any, np.ndarray]] = {}


def _hashed_columns(hasher: FeatureHasher, rows: list[list[str]]) -> np.ndarray:
    cache = _HASHED.setdefault(hasher.n_features, {})
    feats = list(chain.from_iterable(rows))
    flat = list(map(cache.get, feats, repeat(-1)))
    if -1 in flat:
        new = {f for f, column in zip(feats, flat, strict=True) if column == -1}
        if len(cache) + len(new) > _HASHED_MAX:
            cache.clear()
            new = set(feats)  # every string of the batch is needed again, not only the unseen ones
        hashed = list(new)
        got = hasher.transform([[f] for f in hashed])
        cache.update(zip(hashed, got.indices.tolist(), strict=True))
        flat = [cache[f] for f in feats]
    return np.array(flat, dtype=np.int64)


def _seen_map(pipe: Pipeline) -> np.ndarray:
    got = _SEEN_MAPS.get(id(pipe))
    if got is None or got[0] is not pipe:
        seen = pipe.named_steps["seen"]
        colmap = np.full(pipe.named_steps["hash"].n_features, -1, dtype=np.int64)
        colmap[seen.columns_] = np.arange(len(seen.columns_))
        got = _SEEN_MAPS[id(pipe)] = (pipe, colmap)
    return got[1]


def predict_proba(model: Any, X: list[list[str]]) -> np.ndarray:
    """``model.predict_proba(X)``, with the hashing and column selection of a fitted pipeline done
    from cached columns: the classifier gets the very matrix the pipeline would build (same
    columns, counts and order), so the probabilities are the same to the last bit."""
    if not isinstance(model, Pipeline) or [name for name, _ in model.steps] != ["hash", "seen", "clf"]:
        return model.predict_proba(X)
    hasher, seen, clf = (step for _, step in model.steps)
    if hasher.input_type != "string" or hasher.alternate_sign:
        return model.predict_proba(X)
    n_rows, n_seen = len(X), len(seen.columns_)
    columns = _seen_map(model)[_hashed_columns(hasher, X)]
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), [len(row) for row in X])
    kept = columns >= 0
    # FeatureHasher sums repeated columns and sorts each row; SeenColumns keeps that order.
    keys, counts = np.unique(row_of[kept] * n_seen + columns[kept], return_counts=True)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n_seen, minlength=n_rows), out=indptr[1:])
    matrix = sparse.csr_matrix((counts.astype(hasher.dtype), keys % n_seen, indptr), shape=(n_rows, n_seen))
    return clf.predict_proba(matrix)


def build_pipeline(params: dict[str, Any], *, n_features: int = 2**20) -> Pipeline:
    """FeatureHasher over string features -> seen columns -> logistic regression (seeded from params)."""
    return Pipeline(
        [
            ("hash", FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)),
            ("seen", SeenColumns(int(params.get("min_count", 1)))),
            (
                "clf",
                LogisticRegression(
                    C=float(params.get("C", 1.0)),
                    class_weight=params.get("class_weight"),
                    max_iter=int(params.get("max_iter", 2000)),
                    solver=params.get("solver", "lbfgs"),
                    random_state=int(params.get("random_state", 0)),
                ),
            ),
        ]
    )


_KEY_FEATURES = ("sf=", "shape=")


def level_features(features: list[str]) -> list[str]:
    """A credential candidate's features for the level model (its surface form says nothing of level)."""
    return [f for f in features if not f.startswith(_KEY_FEATURES)]


def gold_candidate_target(category: str, label: str, labels: dict[str, Any]) -> Any:
    if category == "certifications":
        return labels["certifications"].get(label, "none")
    return int(label in labels[category])


def _fit(pipe: Pipeline, X: list[list[str]], y: list[Any]) -> Pipeline | Any:
    """Fit, or return the lone class when the data has only one (a tiny training set)."""
    if len(set(y)) < 2:
        return ConstantModel(y[0] if y else 0)
    return pipe.fit(X, y)


class ConstantModel:
    """Stands in for a classifier when training data holds one class only."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.classes_ = np.array([value])

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        return np.ones((len(X), 1))


class MatcherModel:
    """The trained classifiers plus the thresholds that turn probabilities into tags."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.models: dict[str, Any] = {}

    # --- training ---------------------------------------------------------------------------
    def fit(self, records: list[dict[str, Any]], extracted: list[Extracted] | None = None) -> MatcherModel:
        # One BLAS thread: these problems are small, and threads only fight over them (10x slower).
        with threadpool_limits(1):
            return self._fit_all(records, extracted)

    def _fit_all(self, records: list[dict[str, Any]], extracted: list[Extracted] | None) -> MatcherModel:
        extracted = extracted if extracted is not None else [extract(r) for r in records]
        model_params = self.params.get("models", {})
        for category in CANDIDATE_CATEGORIES:
            X, y = [], []
            for rec, ex in zip(records, extracted, strict=True):
                for c in ex.candidates:
                    if c.category == category:
                        X.append(c.features)
                        y.append(gold_candidate_target(category, c.label, rec["labels"]))
            self.models[category] = _fit(
                build_pipeline({**self.params, **model_params.get(category, {})}), X, y
            )
            if category == "certifications":
                # Level from the sentence, not the credential: LABELS.md's level rules hold for any key.
                asked = [(x, t) for x, t in zip(X, y, strict=True) if t != "none"]
                self.models["certification_level"] = _fit(
                    build_pipeline({**self.params, **model_params.get("certification_level", {})}),
                    [level_features(x) for x, _ in asked],
                    [t for _, t in asked],
                )
        X = [ex.role for ex in extracted]
        y = [int(bool(r["labels"]["is_ma_role"])) for r in records]
        self.models["is_ma_role"] = _fit(
            build_pipeline({**self.params, **model_params.get("is_ma_role", {})}), X, y
        )
        X, y = [], []
        for rec, ex in zip(records, extracted, strict=True):
            if rec["labels"]["is_ma_role"] and rec["labels"]["stage"]:
                X.append(self._stage_feats(ex, rec["labels"]["certifications"]))
                y.append(rec["labels"]["stage"])
        self.models["stage"] = _fit(build_pipeline({**self.params, **model_params.get("stage", {})}), X, y)
        return self

    @staticmethod
    def _stage_feats(ex: Extracted, certs: dict[str, str]) -> list[str]:
        return stage_features(ex.doc, ex.required_years, ex.preferred_years, certs, ex.specialty_years)

    # --- prediction -------------------------------------------------------------------------
    def _proba(self, name: str, X: list[list[str]]) -> tuple[np.ndarray, list[Any]]:
        model = self.models[name]
        if not X:
            return np.zeros((0, len(model.classes_))), list(model.classes_)
        return predict_proba(model, X), list(model.classes_)

    def _cert_levels(self, rows: list, proba: np.ndarray, classes: list[Any]) -> tuple[list, list]:
        """Asked-for credentials and their level: presence from the credential model, level from the
        context-only level model (or the credential model's own level when there is none)."""
        none = classes.index("none") if "none" in classes else None
        kept = [
            (row, p)
            for row, p in zip(rows, proba, strict=True)
            if (none is None or classes[int(np.argmax(p))] != "none") and not row[1].negated
        ]
        if not kept:
            return [], []
        use_level_model = self.params.get("cert_level_model", True)
        level_model = self.models.get("certification_level") if use_level_model else None
        if level_model is None:
            out = [(str(classes[int(np.argmax(p))]), float(np.max(p))) for _, p in kept]
        else:
            lp = predict_proba(level_model, [level_features(c.features) for (_, c), _ in kept])
            lclasses = list(level_model.classes_)
            presence = [1.0 - float(p[none]) if none is not None else 1.0 for _, p in kept]
            out = [
                (str(lclasses[int(np.argmax(q))]), round(pr * float(np.max(q)), 4))
                for q, pr in zip(lp, presence, strict=True)
            ]
        return [row for row, _ in kept], out

    def predict(self, extracted: list[Extracted]) -> list[dict[str, Any]]:
        """Tags for a batch of extracted postings: ``{"labels": {...}, "tags": [...]}`` each."""
        with threadpool_limits(1):
            return self._predict(extracted)

    def _predict(self, extracted: list[Extracted]) -> list[dict[str, Any]]:
        threshold = float(self.params.get("threshold", 0.5))
        results: list[dict[str, Any]] = [{"labels": empty_labels(), "tags": []} for _ in extracted]
        for category in CANDIDATE_CATEGORIES:
            rows = [(i, c) for i, ex in enumerate(extracted) for c in ex.candidates if c.category == category]
            proba, classes = self._proba(category, [c.features for _, c in rows])
            if category == "certifications":
                rows, proba = self._cert_levels(rows, proba, classes)
                classes = ["level"]
            for (i, cand), p in zip(rows, proba, strict=True):
                labels = results[i]["labels"]
                if category == "certifications":
                    value, conf = p
                    labels["certifications"][cand.label] = value
                else:
                    pos = classes.index(1) if 1 in classes else None
                    conf = float(p[pos]) if pos is not None else 0.0
                    if conf < threshold:
                        continue
                    labels[category].append(cand.label)
                results[i]["tags"].append(
                    {
                        "category": category,
                        "label": cand.label,
                        "confidence": round(conf, 4),
                        "evidence": cand.evidence,
                    }
                )
        role_p, role_classes = self._proba("is_ma_role", [ex.role for ex in extracted])
        for i, ex in enumerate(extracted):
            labels = results[i]["labels"]
            certs = labels["certifications"]
            # "accepted" needs two or more keys: a lone one is a plain requirement.
            accepted = [k for k, v in certs.items() if v == "accepted"]
            if len(accepted) == 1:
                certs[accepted[0]] = "required"
            pos = role_classes.index(1) if 1 in role_classes else None
            p_ma = float(role_p[i][pos]) if pos is not None else 0.0
            labels["is_ma_role"] = p_ma >= 0.5
            results[i]["role_confidence"] = p_ma if p_ma >= 0.5 else 1 - p_ma
            labels["min_years_experience"] = ex.min_years
            labels["pay"] = ex.pay
            for tag in results[i]["tags"]:
                if tag["category"] == "certifications":
                    tag["level"] = certs.get(tag["label"])
        ma_rows = [i for i, r in enumerate(results) if r["labels"]["is_ma_role"]]
        stage_p, stage_classes = self._proba(
            "stage",
            [self._stage_feats(extracted[i], results[i]["labels"]["certifications"]) for i in ma_rows],
        )
        for i, p in zip(ma_rows, stage_p, strict=True):
            best = int(np.argmax(p))
            results[i]["labels"]["stage"] = str(stage_classes[best])
            results[i]["stage_confidence"] = float(p[best])
        for r in results:
            for category in ("ehr", "specialties", "skills"):
                r["labels"][category] = sorted(set(r["labels"][category]))
        return results


def empty_labels() -> dict[str, Any]:
    return {
        "certifications": {},
        "ehr": [],
        "specialties": [],
        "skills": [],
        "stage": None,
        "is_ma_role": False,
        "min_years_experience": None,
        "pay": None,
    }

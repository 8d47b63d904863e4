"""Train the matcher on ``data/labels/*.jsonl``: cross-validate, fit, save with metadata.

``train()`` is reproducible: the seed and hyper-parameters come from ``data/params.yaml``, folds
are drawn over *postings* (a posting's candidates never sit on both sides of a split), and the
model version is a hash of the labelled data, the parameters, the feature code version and the
scikit-learn version. It writes ``data/models/tagger/``:

- ``model.joblib``: the fitted :class:`~matcher.model.MatcherModel` (git-ignored; rebuilt on
  demand in seconds, so a fresh clone works);
- ``metadata.json``: version, data hash and counts, library versions, params, CV scores;
- ``metrics.json``: cross-validated scores per category and per label, model and keyword matcher;
- ``MODEL_CARD.md``: intended use, data, scores, caveats.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
import yaml
from sklearn.model_selection import KFold

from matcher.evaluate import format_side_by_side, headline, score
from matcher.keyword import keyword_labels
from matcher.labels import evidence_problems, load_checked
from matcher.model import MatcherModel, extract
from matcher.taxonomy import DATA_DIR, TAXONOMY_PATH, load_taxonomy

logger = logging.getLogger(__name__)

# The code that turns text into features and decisions: any change to it makes a new model version
# (and so a re-tag), without anyone having to remember to bump a number.
_CODE_FILES = (
    "matcher/text.py",
    "matcher/candidates.py",
    "matcher/dispatch.py",
    "matcher/features.py",
    "matcher/analysis.py",
    "matcher/model.py",
    "matcher/years.py",
    "scraper/parsers/pay.py",
    "scraper/parsers/lowered.py",
    "scraper/parsers/normalize.py",
)


def _code_version() -> str:
    h = hashlib.sha256()
    root = DATA_DIR.parent
    for name in _CODE_FILES:
        h.update(name.encode())
        h.update((root / name).read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()[:12]


FEATURE_VERSION = _code_version()
LABELS_DIR = DATA_DIR / "labels"
PARAMS_PATH = DATA_DIR / "params.yaml"
MODEL_DIR = DATA_DIR / "models" / "tagger"
MODEL_FILE = "model.joblib"


def load_params(path: Path = PARAMS_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def label_files(labels_dir: Path = LABELS_DIR) -> list[Path]:
    return sorted(labels_dir.glob("*.jsonl"))


def data_hash(files: list[Path]) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(TAXONOMY_PATH.read_bytes())
    return h.hexdigest()


def model_version(digest: str, params: dict[str, Any]) -> str:
    payload = json.dumps(
        {
            "data": digest,
            "params": params,
            "features": FEATURE_VERSION,
            "sklearn": sklearn.__version__.rsplit(".", 1)[0],
        },
        sort_keys=True,
    )
    return "m" + hashlib.sha256(payload.encode()).hexdigest()[:10]


def load_training_records(files: list[Path]) -> list[dict[str, Any]]:
    """The labelled postings. A line that is not a well-formed labelled posting stops training
    (:class:`~matcher.labels.LabelsError` names it); a posting whose labels its text does not bear
    out is skipped with a warning."""
    tax = load_taxonomy()
    records = []
    for rec in load_checked(files, tax):
        problems = evidence_problems(rec, tax)
        if problems:
            logger.warning("labels: %s skipped: %s", rec.get("id"), "; ".join(problems))
            continue
        records.append(rec)
    return records


def cross_validate(
    records: list[dict[str, Any]], params: dict[str, Any], *, extracted: list | None = None
) -> dict[str, Any]:
    """K-fold CV over postings: scores of the model and of the keyword matcher on held-out folds."""
    extracted = extracted if extracted is not None else [extract(r) for r in records]
    folds = KFold(
        n_splits=int(params.get("cv_folds", 5)), shuffle=True, random_state=int(params["random_state"])
    )
    preds: list[dict[str, Any] | None] = [None] * len(records)
    idx = np.arange(len(records))
    for train_idx, test_idx in folds.split(idx):
        model = MatcherModel(params).fit([records[i] for i in train_idx], [extracted[i] for i in train_idx])
        out = model.predict([extracted[i] for i in test_idx])
        for i, result in zip(test_idx, out, strict=True):
            preds[i] = result["labels"]
    golds = [r["labels"] for r in records]
    ours = score(golds, preds)  # type: ignore[arg-type]
    keyword = score(golds, [keyword_labels(r) for r in records])
    return {"model": ours, "keyword": keyword, "predictions": preds}


def _git_sha() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=DATA_DIR.parent,
            timeout=10,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def train(
    *,
    labels_dir: Path = LABELS_DIR,
    model_dir: Path = MODEL_DIR,
    params_path: Path = PARAMS_PATH,
    cv: bool = True,
) -> dict[str, Any]:
    """Fit on every labelled posting and save the model with its metadata; returns the metadata."""
    params = load_params(params_path)
    files = label_files(labels_dir)
    if not files:
        raise FileNotFoundError(f"no labelled postings (*.jsonl) in {labels_dir}")
    records = load_training_records(files)
    digest = data_hash(files)
    version = model_version(digest, params)
    extracted = [extract(r) for r in records]
    cv_result = cross_validate(records, params, extracted=extracted) if cv else None
    model = MatcherModel(params).fit(records, extracted)
    model.version = version  # type: ignore[attr-defined]
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp = model_dir / f"{MODEL_FILE}.{os.getpid()}.tmp"  # two trainers at once never share a temp file
    joblib.dump(model, tmp, compress=3)
    tmp.replace(model_dir / MODEL_FILE)
    metadata = {
        "version": version,
        "trained_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "data": {
            "hash": digest,
            "files": {
                p.name: sum(1 for r in records if r.get("_file") == p.name) or _count(p) for p in files
            },
            "postings": len(records),
            "candidates": sum(len(e.candidates) for e in extracted),
        },
        "params": params,
        "feature_version": FEATURE_VERSION,
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
        },
        "git_sha": _git_sha(),
    }
    meta_path = model_dir / "metadata.json"
    old = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    if cv_result:
        metadata["cv"] = {
            "folds": params.get("cv_folds", 5),
            "model": headline(cv_result["model"]),
            "keyword": headline(cv_result["keyword"]),
        }
        same = ("version", "data", "params", "feature_version", "libraries", "cv")
        if all(old.get(key) == metadata[key] for key in same):
            # The same model again (training is seeded): keep when, and from which commit, it was
            # first trained, so a rerun leaves the committed metadata and model card as they were.
            metadata["trained_at"], metadata["git_sha"] = old.get("trained_at"), old.get("git_sha")
        metrics = {"cv": {"model": cv_result["model"], "keyword": cv_result["keyword"]}}
        text = json.dumps(metrics, indent=2, sort_keys=True) + "\n"
        (model_dir / "metrics.json").write_text(text, encoding="utf-8")
        from matcher.model_card import write_model_card

        write_model_card(model_dir / "MODEL_CARD.md", metadata, cv_result, records)
    elif old.get("version") == version:
        # A rebuild without CV (a fresh clone tagging) keeps the reviewed metadata of the same version.
        return old
    meta_path.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    metadata["_cv_table"] = format_side_by_side(cv_result["model"], cv_result["keyword"]) if cv_result else ""
    return metadata


def _count(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def expected_version(labels_dir: Path = LABELS_DIR, params_path: Path = PARAMS_PATH) -> str:
    """The version a model trained now on the current data and params would carry."""
    return model_version(data_hash(label_files(labels_dir)), load_params(params_path))


def load_model(model_dir: Path = MODEL_DIR, *, train_if_missing: bool = True) -> MatcherModel:
    """The saved model; trains one first when there is none or it is stale (data/params changed)."""
    path = model_dir / MODEL_FILE
    want = expected_version() if model_dir == MODEL_DIR else None
    if path.exists():
        model = joblib.load(path)
        if want is None or getattr(model, "version", None) == want:
            return model
        logger.warning(
            "model %s is stale (data or params changed; want %s)", getattr(model, "version", "?"), want
        )
    if not train_if_missing:
        raise FileNotFoundError(f"no current model at {path}; run `majobs train`")
    logger.warning("no current model: training one (takes a few seconds)")
    train(model_dir=model_dir, cv=False)
    return joblib.load(path)

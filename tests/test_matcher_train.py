"""Training: reproducible, versioned by data + params + code, and saving its metadata and model card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from matcher.labels import load_labelled
from matcher.model import MatcherModel, extract
from matcher.train import LABELS_DIR, data_hash, load_params, model_version, train


@pytest.fixture(scope="module")
def small() -> list[dict]:
    records = load_labelled(sorted(LABELS_DIR.glob("*.jsonl")))
    return records[::8]  # a spread of every file, ~70 postings


def test_fitting_twice_gives_the_same_model(small) -> None:
    params = load_params()
    extracted = [extract(r) for r in small]
    a = MatcherModel(params).fit(small, extracted)
    b = MatcherModel(params).fit(small, extracted)
    for name in ("certifications", "ehr", "specialties", "skills", "is_ma_role", "stage"):
        ca, cb = a.models[name], b.models[name]
        if hasattr(ca, "named_steps"):
            assert np.array_equal(ca.named_steps["clf"].coef_, cb.named_steps["clf"].coef_), name
    pa = [r["labels"] for r in a.predict(extracted)]
    pb = [r["labels"] for r in b.predict(extracted)]
    assert pa == pb


def test_version_follows_data_and_params(tmp_path: Path) -> None:
    params = load_params()
    f = tmp_path / "a.jsonl"
    f.write_text('{"id": "x"}\n', encoding="utf-8")
    v1 = model_version(data_hash([f]), params)
    assert v1 == model_version(data_hash([f]), dict(params))
    assert v1 != model_version(data_hash([f]), {**params, "C": 9.0})
    f.write_text('{"id": "y"}\n', encoding="utf-8")
    assert v1 != model_version(data_hash([f]), params)


def test_train_saves_model_metadata_metrics_and_card(tmp_path: Path, small) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "part.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in small), encoding="utf-8"
    )
    out = tmp_path / "model"
    meta = train(labels_dir=labels, model_dir=out, cv=True)
    assert {p.name for p in out.iterdir()} >= {
        "model.joblib",
        "metadata.json",
        "metrics.json",
        "MODEL_CARD.md",
    }
    saved = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert saved["version"] == meta["version"] and saved["data"]["postings"] == len(small)
    assert set(saved["libraries"]) >= {"scikit-learn", "numpy", "python"}
    assert saved["params"]["random_state"] == load_params()["random_state"]
    assert 0 < saved["cv"]["model"]["EHR micro-F1"] <= 1
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert meta["version"] in card and "keyword matcher" in card
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert "per_label" in metrics["cv"]["model"]["skills"]
    # A rebuild without CV keeps the reviewed metadata of the same version.
    shutil.copy(out / "metadata.json", tmp_path / "before.json")
    train(labels_dir=labels, model_dir=out, cv=False)
    assert (out / "metadata.json").read_text(encoding="utf-8") == (tmp_path / "before.json").read_text(
        encoding="utf-8"
    )
    # Training the same model again with CV leaves the metadata and the card as they were (a
    # committed model's files stay clean): when and from which commit it was first trained.
    saved["trained_at"] = "2020-01-02T03:04:05+00:00"
    (out / "metadata.json").write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    again = train(labels_dir=labels, model_dir=out, cv=True)
    assert again["trained_at"] == "2020-01-02T03:04:05+00:00"
    assert json.loads((out / "metadata.json").read_text(encoding="utf-8")) == saved


def test_committed_model_metadata_is_for_the_current_data_params_and_code() -> None:
    """The scores in data/models/tagger/ (and so the README's and model card's) describe the model
    this checkout trains: change the labels, params or feature code, and `majobs train` must be run
    and its metadata committed with the change."""
    from matcher.train import FEATURE_VERSION, MODEL_DIR, expected_version

    saved = json.loads((MODEL_DIR / "metadata.json").read_text(encoding="utf-8"))
    assert saved["version"] == expected_version(), "run `majobs train` and commit data/models/tagger/"
    assert saved["feature_version"] == FEATURE_VERSION
    assert "cv" in saved

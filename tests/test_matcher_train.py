"""Training: reproducible, versioned by data + params + code, and saving its metadata and model card."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from matcher import train as train_module
from matcher.cli import cli
from matcher.labels import load_labelled
from matcher.model import MatcherModel, extract
from matcher.train import LABELS_DIR, data_hash, load_params, model_version, train
from scraper.store import open_db


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


def test_train_says_its_scores_are_cross_validation(tmp_path: Path, small, monkeypatch) -> None:
    """`majobs train` printed its cross-validation table with a goal column and no heading, easy to
    take for the README's dev or held-out scores, which differ."""
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "part.jsonl").write_text("".join(json.dumps(r) + "\n" for r in small), encoding="utf-8")
    out = tmp_path / "model"
    monkeypatch.setattr(train_module, "train", functools.partial(train, labels_dir=labels, model_dir=out))
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 0, result.output
    folds = load_params().get("cv_folds", 5)
    heading, table = result.output.splitlines()[1:3]
    assert heading == f"{folds}-fold cross-validation on the training postings:"
    assert table.startswith("metric")


def test_committed_model_metadata_is_for_the_current_data_params_and_code() -> None:
    """The scores in data/models/tagger/ (and so the README's and model card's) describe the model
    this checkout trains: change the labels, params or feature code, and `majobs train` must be run
    and its metadata committed with the change."""
    from matcher.train import FEATURE_VERSION, MODEL_DIR, expected_version

    saved = json.loads((MODEL_DIR / "metadata.json").read_text(encoding="utf-8"))
    assert saved["version"] == expected_version(), "run `majobs train` and commit data/models/tagger/"
    assert saved["feature_version"] == FEATURE_VERSION
    assert "cv" in saved


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: not JSON"),
        ("[1, 2]", ":2: not a JSON object but a list"),
        ({"drop": "title"}, ":2: bad1: missing field 'title'"),
        ({"title": 5}, ":2: bad1: title must be text, not the number 5"),
        ({"pay": {"min": "18", "max": 20, "unit": "HOUR"}}, ":2: bad1: pay min must be a number or null"),
        ({"ehr": [["Epic"]]}, ":2: bad1: ehr must be a list of names, but holds a list"),
    ],
)
def test_train_refuses_a_malformed_label_line(
    tmp_path: Path, small, monkeypatch, line: str | dict, message: str
) -> None:
    """`majobs train` names the line (file:line: problem), exits 1 and writes no model; before, a
    wrong type was a traceback and a missing field a posting silently left out."""
    if isinstance(line, dict):
        rec = {**json.loads(json.dumps(small[0])), "id": "bad1"}
        changes = dict(line)
        rec.pop(changes.pop("drop", ""), None)
        for key, value in changes.items():
            (rec["labels"] if key in rec["labels"] else rec)[key] = value
        line = json.dumps(rec)
    labels = tmp_path / "labels"
    labels.mkdir()
    part = labels / "part.jsonl"
    part.write_text(json.dumps(small[1]) + "\n" + line + "\n" + json.dumps(small[2]) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    monkeypatch.setattr(train_module, "train", functools.partial(train, labels_dir=labels, model_dir=out))
    result = CliRunner().invoke(cli, ["train", "--no-cv"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {part}{message}"), result.output
    assert not out.exists()


@pytest.mark.parametrize("command", ["tag", "evaluate", "tag-file"])
def test_a_command_that_trains_first_refuses_bad_labels_in_one_line(
    tmp_path: Path, small, monkeypatch, command: str
) -> None:
    """With no current model, tag / evaluate / tag-file train one first; a malformed label line
    then ends in the same file:line message and exit 1 as `majobs train` (it was a traceback)."""
    labels = tmp_path / "labels"
    labels.mkdir()
    part = labels / "part.jsonl"
    part.write_text(json.dumps(small[0]) + "\n{not json\n", encoding="utf-8")
    monkeypatch.setattr(train_module, "train", functools.partial(train, labels_dir=labels))
    untrained = functools.partial(train_module.load_model, tmp_path / "model")
    monkeypatch.setattr(train_module, "load_model", untrained)
    monkeypatch.setattr("matcher.tag.load_model", untrained)
    postings = tmp_path / "in.jsonl"
    postings.write_text(json.dumps({"id": "p1", "title": "Medical Assistant"}) + "\n", encoding="utf-8")
    args = {
        "tag": ["tag", "--db", str(tmp_path / "jobs.db")],
        "evaluate": ["evaluate", "--gold", str(part.with_name("gold.jsonl"))],
        "tag-file": ["tag-file", str(postings), "-o", str(tmp_path / "out.jsonl")],
    }[command]
    part.with_name("gold.jsonl").write_text(json.dumps(small[0]) + "\n", encoding="utf-8")
    open_db(tmp_path / "jobs.db")  # an empty store: nothing to tag, but a model is loaded first
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert f"{part}:2: not JSON" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "model").exists()

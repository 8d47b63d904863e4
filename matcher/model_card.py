"""``MODEL_CARD.md`` for the trained matcher: intended use, data, cross-validated scores, caveats."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from matcher.evaluate import HEADLINE


def _misses(records: list[dict[str, Any]], preds: list[dict[str, Any]], limit: int = 8) -> list[str]:
    """A few real cross-validation misses (held-out predictions), to keep the caveats honest."""
    out: list[str] = []
    for rec, pred in zip(records, preds, strict=True):
        gold = rec["labels"]
        for key in sorted(set(gold["certifications"]) | set(pred["certifications"])):
            g, p = gold["certifications"].get(key), pred["certifications"].get(key)
            if g != p:
                out.append(
                    f"`{rec['id']}` certification {key}: labelled {g or 'absent'}, predicted {p or 'absent'}"
                )
        for category in ("ehr", "specialties"):
            for label in sorted(set(gold[category]) ^ set(pred[category])):
                kind = "missed" if label in gold[category] else "false"
                out.append(f"`{rec['id']}` {category} {label}: {kind}")
        if len(out) >= limit:
            break
    return out[:limit]


def write_model_card(
    path: Path, metadata: dict[str, Any], cv: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    ours, keyword = cv["model"], cv["keyword"]
    stages = Counter(r["labels"]["stage"] or "non-MA" for r in records)
    lines = [
        "# Model card: majobs posting matcher",
        "",
        f"Version `{metadata['version']}`, trained {metadata['trained_at']} on "
        f"{metadata['data']['postings']} "
        f"labelled postings ({metadata['data']['candidates']} candidate labels). Written by `majobs train`; "
        "do not edit by hand.",
        "",
        "## Intended use",
        "",
        "Tags US medical-assistant job postings (and look-alike roles) with the vocabulary of "
        "`../shared/LABELS.md`: certifications with level, EHR systems, specialties, skills, is_ma_role, "
        "stage, "
        "minimum years of experience and base pay, each tag with its evidence sentence and a confidence. "
        "It feeds the weekly market report. It is not meant for other occupations' postings, non-US "
        "postings, "
        "or any decision about a person.",
        "",
        "## How it works",
        "",
        "- `data/taxonomy.yaml` aliases propose candidate labels (broad on purpose).",
        "- For each candidate, features of every mention (section, cue words and where they stand, neighbour "
        "words, surface form, or-lists of credentials, title/company-only) are hashed and a logistic "
        "regression per category decides whether the candidate is real: a credential asked of this hire, an "
        "EHR the hire uses, the hire's specialty, a skill the hire performs. A second classifier, trained on "
        "asked-for credentials only, gives each credential its level (required, preferred, accepted).",
        "- is_ma_role (title + body) and stage (title words, required years, specialty credential) are "
        "logistic "
        "regressions too; years and pay are rules from LABELS.md sections 7 and 8 "
        "(`matcher/years.py`, `scraper/parsers/pay.py`).",
        "",
        "The fitted model (`model.joblib`) is not committed: it is rebuilt from `data/labels` and "
        "`data/params.yaml` by `majobs train`, or automatically by the first `majobs tag` when missing or "
        "stale (about ten seconds of CPU). Its version is a hash of the labelled data, the parameters, the "
        "feature code and the scikit-learn version: a rebuilt model carries the same version as this card.",
        "",
        "## Data",
        "",
        "| file | postings |",
        "|---|---|",
        *[f"| `{name}` | {n} |" for name, n in sorted(metadata["data"]["files"].items())],
        "",
        "Stages: " + ", ".join(f"{k} {v}" for k, v in sorted(stages.items())) + ".",
        f"Data hash `{metadata['data']['hash'][:16]}`; params and library versions in `metadata.json`.",
        "",
        f"## Cross-validated scores ({metadata['cv']['folds']}-fold, folds never split a posting)",
        "",
        "| metric | model | keyword matcher | goal |",
        "|---|---|---|---|",
    ]
    for name, fn, goal in HEADLINE:
        lines.append(
            f"| {name} | {fn(ours):.3f} | {fn(keyword):.3f} | {'' if goal is None else f'{goal:.2f}'} |"
        )
    lines += [
        "",
        "Per-label scores are in `metrics.json`. The development set (`../shared/eval/dev.jsonl`) is scored "
        "with `majobs evaluate --gold ../shared/eval/dev.jsonl`; it is never trained or tuned on.",
        "",
        "## Caveats",
        "",
        "- Training postings were written by the team, not scraped: real ads are noisier (HTML debris, "
        "boilerplate, several jobs in one ad).",
        "- Candidate recall bounds everything: a label whose surface form is not in the taxonomy is never "
        "proposed, so never tagged.",
        "- Rare keys (fewer than five training examples) get little more than the taxonomy prior.",
        "- Skills are the noisiest family (K1/K2 leave room for judgement).",
        "- Years and pay are rules, so phrasing they do not know is missed rather than guessed.",
        "",
        "Some held-out misses from cross-validation:",
        "",
        *[f"- {m}" for m in _misses(records, cv["predictions"])],
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")

"""Scores of predicted labels against gold labels, the way ``../shared/eval/README.md`` reads them.

- certifications as (key, level) pairs and as keys alone (precision, recall, F1), plus level
  accuracy over the keys found in both;
- EHR, specialty and skill sets: micro and macro precision / recall / F1, and per label;
- stage and is_ma_role: accuracy; years: exact match; pay: exact min, max and unit.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

SET_CATEGORIES = ("ehr", "specialties", "skills")


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _set_scores(pairs: list[tuple[set, set]]) -> dict[str, Any]:
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for gold, pred in pairs:
        for x in gold & pred:
            tp[x] += 1
        for x in pred - gold:
            fp[x] += 1
        for x in gold - pred:
            fn[x] += 1
    labels = sorted(set(tp) | set(fp) | set(fn), key=str)
    per_label = {str(lab): _prf(tp[lab], fp[lab], fn[lab]) for lab in labels}
    micro = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    if per_label:
        macro = {
            k: round(sum(v[k] for v in per_label.values()) / len(per_label), 4)
            for k in ("precision", "recall", "f1")
        }
    else:
        macro = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    return {"micro": micro, "macro": macro, "per_label": per_label}


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def _same_pay(gold: dict | None, pred: dict | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return (
        _same_number(gold["min"], pred["min"])
        and _same_number(gold["max"], pred["max"])
        and gold["unit"] == pred["unit"]
    )


def score(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores of ``preds`` (label dicts) against ``golds`` (label dicts), aligned by position."""
    if len(golds) != len(preds):
        raise ValueError(f"{len(golds)} gold postings but {len(preds)} predictions")
    out: dict[str, Any] = {"postings": len(golds)}
    cert_pairs = [
        (set(g["certifications"].items()), set(p["certifications"].items()))
        for g, p in zip(golds, preds, strict=True)
    ]
    cert_keys = [
        (set(g["certifications"]), set(p["certifications"])) for g, p in zip(golds, preds, strict=True)
    ]
    out["certifications"] = _set_scores(cert_pairs)
    out["certifications"]["per_label"] = _set_scores(cert_keys)["per_label"]
    out["certification_keys"] = {k: v for k, v in _set_scores(cert_keys).items() if k != "per_label"}
    both = [
        (g["certifications"][k], p["certifications"][k])
        for g, p in zip(golds, preds, strict=True)
        for k in set(g["certifications"]) & set(p["certifications"])
    ]
    out["certification_level_accuracy"] = round(sum(a == b for a, b in both) / len(both), 4) if both else 0.0
    out["certification_level_n"] = len(both)
    for category in SET_CATEGORIES:
        out[category] = _set_scores(
            [(set(g[category]), set(p[category])) for g, p in zip(golds, preds, strict=True)]
        )
    n = len(golds) or 1
    out["stage_accuracy"] = round(
        sum(g["stage"] == p["stage"] for g, p in zip(golds, preds, strict=True)) / n, 4
    )
    out["is_ma_role_accuracy"] = round(
        sum(bool(g["is_ma_role"]) == bool(p["is_ma_role"]) for g, p in zip(golds, preds, strict=True)) / n, 4
    )
    out["years_exact"] = round(
        sum(
            _same_number(g["min_years_experience"], p["min_years_experience"])
            for g, p in zip(golds, preds, strict=True)
        )
        / n,
        4,
    )
    out["pay_exact"] = round(
        sum(_same_pay(g["pay"], p["pay"]) for g, p in zip(golds, preds, strict=True)) / n, 4
    )
    return out


HEADLINE = (
    ("certifications micro-F1 (key, level)", lambda s: s["certifications"]["micro"]["f1"], 0.95),
    ("certification keys micro-F1", lambda s: s["certification_keys"]["micro"]["f1"], None),
    ("certification level accuracy", lambda s: s["certification_level_accuracy"], 0.92),
    ("EHR micro-F1", lambda s: s["ehr"]["micro"]["f1"], 0.98),
    ("EHR macro-F1", lambda s: s["ehr"]["macro"]["f1"], None),
    ("specialties micro-F1", lambda s: s["specialties"]["micro"]["f1"], 0.92),
    ("specialties macro-F1", lambda s: s["specialties"]["macro"]["f1"], None),
    ("skills micro-F1", lambda s: s["skills"]["micro"]["f1"], 0.88),
    ("skills macro-F1", lambda s: s["skills"]["macro"]["f1"], None),
    ("stage accuracy", lambda s: s["stage_accuracy"], 0.92),
    ("is_ma_role accuracy", lambda s: s["is_ma_role_accuracy"], 0.97),
    ("years exact", lambda s: s["years_exact"], 0.92),
    ("pay exact", lambda s: s["pay_exact"], 0.95),
)


def headline(scores: dict[str, Any]) -> dict[str, float]:
    return {name: fn(scores) for name, fn, _ in HEADLINE}


def format_side_by_side(ours: dict[str, Any], keyword: dict[str, Any], *, per_label: bool = True) -> str:
    """A plain-text table: our model vs the keyword matcher, headline figures then per label."""
    lines = [f"{'metric':42} {'model':>7} {'keyword':>8} {'goal':>6}  {'':4}"]
    for name, fn, goal in HEADLINE:
        a, b = fn(ours), fn(keyword)
        mark = "" if goal is None else ("ok" if a >= goal else "LOW")
        mark += "" if a > b else (" =kw" if a == b else " <kw")
        lines.append(f"{name:42} {a:7.3f} {b:8.3f} {'' if goal is None else f'{goal:.2f}':>6}  {mark}")
    lines.append("")
    lines.append(
        f"{'per category (P / R / F1)':28} {'model micro':>20} {'model macro':>20} {'keyword micro':>20}"
    )
    for category, scores_key in (
        ("certifications (key, level)", "certifications"),
        ("certification keys", "certification_keys"),
        *((c, c) for c in SET_CATEGORIES),
    ):
        o, k = ours[scores_key], keyword[scores_key]

        def prf(block: dict[str, Any]) -> str:
            return f"{block['precision']:.3f}/{block['recall']:.3f}/{block['f1']:.3f}"

        lines.append(f"{category:28} {prf(o['micro']):>20} {prf(o['macro']):>20} {prf(k['micro']):>20}")
    if per_label:
        for category in ("certifications", *SET_CATEGORIES):
            lines.append("")
            lines.append(f"{category} per label (F1 model / keyword; support)")
            ours_pl = ours[category]["per_label"]
            kw_pl = keyword[category]["per_label"]
            for label in sorted(set(ours_pl) | set(kw_pl)):
                o = ours_pl.get(label, {"f1": 0.0, "tp": 0, "fn": 0, "precision": 0.0, "recall": 0.0})
                k = kw_pl.get(label, {"f1": 0.0})
                support = o.get("tp", 0) + o.get("fn", 0)
                lines.append(
                    f"  {label:34} {o['f1']:6.3f} {k['f1']:6.3f}  n={support:<3} "
                    f"P={o['precision']:.2f} R={o['recall']:.2f}"
                )
    return "\n".join(lines)

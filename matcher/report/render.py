"""Turn the figures into ``<week>.html`` (one self-contained page), ``<week>.md`` and
``<week>.json``. Every string that came from a posting is escaped: Jinja autoescape in HTML, and a
Markdown escape applied to every ``{{ }}`` of the Markdown template (``finalize``)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from matcher.report import charts
from matcher.report.figures import CONTRADICTED, NOT_MEASURED, PARTLY, SUPPORTED, TOO_FEW

VERDICT_ORDER = (SUPPORTED, PARTLY, CONTRADICTED, TOO_FEW, NOT_MEASURED)
VERDICT_MARK = {SUPPORTED: "✔", PARTLY: "◐", CONTRADICTED: "✘", TOO_FEW: "…", NOT_MEASURED: "–"}

# Characters that mean something to Markdown (CommonMark/GFM) or to HTML inside Markdown.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~#!&])")


class MdSafe(str):
    """Text already fit for the Markdown output (built by our own filters)."""


def md_escape(value: Any) -> str:
    """Backslash-escape Markdown/HTML syntax and flatten line breaks (table-safe)."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    return md_escape(value)


def fmt_pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def fmt_money(value: float | None) -> str:
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}"


def fmt_num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_delta(now: int, before: int) -> str:
    diff = now - before
    return "±0" if diff == 0 else f"{diff:+,d}"


def fmt_band(band: dict[str, Any]) -> str:
    if band["high"] is None:
        return f"{fmt_money(band['low'])} or more"
    return f"{fmt_money(band['low'])}–{fmt_money(band['high'])}"


def fmt_labels(labels: list[str]) -> str:
    return "any" if labels == ["*"] else " / ".join(labels)


def spark(values: list[int]) -> str:
    """A one-line trend for terminals: ▁▂▃▄▅▆▇█."""
    blocks = "▁▂▃▄▅▆▇█"
    top = max(values) if values else 0
    if not top:
        return "▁" * len(values)
    return "".join(blocks[min(7, round(v / top * 7))] for v in values)


def score_name(name: str) -> str:
    """A metrics key as a reader says it: certifications.micro.f1 -> certifications micro-F1."""
    name = re.sub(r"\.(micro|macro)\.f1$", r" \1-F1", name)
    return name.replace("_", " ").replace(".", " ")


def _filters(env: Environment) -> None:
    env.filters.update(
        pct=fmt_pct,
        money=fmt_money,
        num=fmt_num,
        band=fmt_band,
        labels=fmt_labels,
        mark=lambda v: VERDICT_MARK.get(v, "?"),
        vclass=lambda v: v.replace(" ", "-"),
        score_name=score_name,
    )
    env.globals.update(delta=fmt_delta, spark=spark, verdicts=VERDICT_ORDER, marks=VERDICT_MARK)


@cache
def _environments() -> tuple[Environment, Environment]:
    loader = PackageLoader("matcher", "templates")
    html = Environment(loader=loader, autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    md = Environment(
        loader=loader,
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_md_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _filters(html)
    _filters(md)
    md.filters["safe"] = MdSafe  # our own, already formatted text
    return html, md


def scorecard(figures: dict[str, Any]) -> dict[str, Any]:
    """Verdict counts for the recommendations (by stage) and the claims."""
    stages: dict[str, dict[str, int]] = {}
    for rec in figures["recommendations"]:
        bucket = stages.setdefault(rec["stage"], dict.fromkeys(VERDICT_ORDER, 0))
        bucket[rec["verdict"]] += 1
    claims = dict.fromkeys(VERDICT_ORDER, 0)
    for claim in figures["claims"]:
        claims[claim["verdict"]] += 1
    return {"stages": stages, "claims": claims}


def chart_set(figures: dict[str, Any]) -> dict[str, str | None]:
    recs_by_stage: dict[str, list[dict[str, Any]]] = {}
    for rec in figures["recommendations"]:
        recs_by_stage.setdefault(rec["stage"], []).append(rec)
    out: dict[str, str | None] = {
        "trend": charts.trend_chart(figures["headline"]["trend"]),
        "pay": charts.pay_chart(figures["pay"]),
        "ehr": charts.ranking_chart("ehr", figures["market"]["ranking"]["ehr"], figures["guide"]["ehr"]),
        "specialties": charts.ranking_chart(
            "specialties", figures["market"]["ranking"]["specialties"], figures["guide"]["specialties"]
        ),
    }
    for stage, recs in recs_by_stage.items():
        out[f"stage-{stage}"] = charts.stage_chart(stage, recs)
    return out


def render(figures: dict[str, Any]) -> tuple[str, str, str]:
    """(html, markdown, json) text for one week's figures."""
    html_env, md_env = _environments()
    context = {
        "f": figures,
        "score": scorecard(figures),
        "claims": {c["id"]: c for c in figures["claims"]},
    }
    svgs = {k: Markup(v) if v else None for k, v in chart_set(figures).items()}
    html = html_env.get_template("report.html.j2").render(**context, charts=svgs)
    md = md_env.get_template("report.md.j2").render(**context)
    data = json.dumps(figures, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return html, md, data


def write_files(figures: dict[str, Any], out_dir: Path) -> list[Path]:
    html, md, data = render(figures)
    out_dir.mkdir(parents=True, exist_ok=True)
    week = figures["week"]["label"]
    paths = []
    for suffix, text in (("html", html), ("md", md), ("json", data)):
        path = out_dir / f"{week}.{suffix}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        try:
            tmp.write_text(text, encoding="utf-8", newline="\n")
            tmp.replace(path)  # a reader never sees half a report
        finally:
            tmp.unlink(missing_ok=True)  # a full disk leaves no half file behind
        paths.append(path)
    return paths

"""Inline SVG charts with matplotlib's SVG backend.

Deterministic and self-contained: no date metadata, a fixed hash salt per chart (so the clip-path
ids of two charts in one page never collide), text kept as ``<text>`` in a generic font stack
(``svg.fonttype = none``: no embedded glyphs, no external fonts), no URLs.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

VERDICT_COLORS = {
    "supported": "#2e7d32",
    "partly": "#f9a825",
    "contradicted": "#c62828",
    "too few postings": "#9e9e9e",
    "not measured": "#bdbdbd",
}
INK, MUTED, ACCENT, GUIDE = "#222222", "#777777", "#1565c0", "#6a1b9a"

_RC = {
    "svg.fonttype": "none",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.image_inline": True,
}


def _to_svg(fig: Figure, name: str) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"majobs-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE: it goes inline
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF boilerplate
    # A readable title for screen readers, and an id-free root.
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{name}" class="chart" ', svg, count=1)
    return svg


def _figure(width: float, height: float, left: float = 0.1, bottom: float = 0.5) -> Figure:
    """A figure with fixed margins in inches (no tight bbox: it would draw every chart twice)."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), dpi=72)
    fig.subplots_adjust(
        left=left / width, right=1 - 0.15 / width, bottom=bottom / height, top=1 - 0.1 / height
    )
    return fig


def trend_chart(trend: list[dict[str, Any]]) -> str:
    """Active and new MA postings over the last weeks."""
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 2.4, left=0.6, bottom=0.45)
        ax = fig.add_subplot()
        x = list(range(len(trend)))
        ax.plot(x, [t["active"] for t in trend], marker="o", color=ACCENT, label="active")
        ax.plot(x, [t["new"] for t in trend], marker="s", color=MUTED, linestyle="--", label="new")
        ax.set_xticks(x, [t["week"][5:] for t in trend])
        ax.set_ylim(bottom=0)
        ax.set_ylabel("MA postings")
        ax.legend(frameon=False, loc="upper left", ncols=2)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        return _to_svg(fig, "trend")


def stage_chart(stage: str, recs: list[dict[str, Any]]) -> str | None:
    """One bar per measured recommendation: the market's share, the guide's mark as a tick."""
    rows = [r for r in recs if r["share"] is not None]
    if not rows:
        return None
    with matplotlib.rc_context(_RC):
        fig = _figure(8.5, 0.3 * len(rows) + 0.7, left=3.3)
        ax = fig.add_subplot()
        y = list(range(len(rows)))[::-1]
        ax.barh(
            y,
            [r["share"] * 100 for r in rows],
            color=[VERDICT_COLORS[r["verdict"]] for r in rows],
            height=0.6,
        )
        for yi, r in zip(y, rows, strict=True):
            # The guide's mark: where "supported" starts (solid) and "partly" starts (dotted).
            ax.plot([r["supported_at"] * 100] * 2, [yi - 0.4, yi + 0.4], color=GUIDE, linewidth=2)
            ax.plot([r["partly_at"] * 100] * 2, [yi - 0.4, yi + 0.4], color=GUIDE, linewidth=1, linestyle=":")
            ax.text(r["share"] * 100 + 1, yi, f"{r['share'] * 100:.0f}%", va="center", fontsize=8, color=INK)
        ax.set_yticks(y, [_short(r["says"]) for r in rows])
        ax.set_xlim(0, 105)
        ax.set_xlabel(f"share of {stage} MA postings asking for it (%); purple tick = guide's mark")
        return _to_svg(fig, f"stage-{stage}")


def ranking_chart(
    name: str, ranking: list[dict[str, Any]], guide_labels: list[str], top: int = 12
) -> str | None:
    """The market's ranking of one category; the guide's labels in the guide's colour."""
    rows = ranking[:top]
    missing = [label for label in guide_labels if label not in {r["label"] for r in rows}]
    rows = rows + [{"label": label, "share": 0.0, "asked": 0} for label in missing]
    if not rows or not any(r["asked"] for r in rows):
        return None
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 0.28 * len(rows) + 0.7, left=1.3)
        ax = fig.add_subplot()
        y = list(range(len(rows)))[::-1]
        shares = [(r["share"] or 0) * 100 for r in rows]
        ax.barh(y, shares, color=[GUIDE if r["label"] in guide_labels else ACCENT for r in rows], height=0.6)
        for yi, r, s in zip(y, rows, shares, strict=True):
            note = "  (guide)" if r["label"] in guide_labels else ""
            ax.text(s + 0.5, yi, f"{s:.0f}%{note}", va="center", fontsize=8, color=INK)
        ax.set_yticks(y, [r["label"] for r in rows])
        ax.set_xlim(0, max([*shares, 1]) * 1.3)
        ax.set_xlabel(f"share of MA postings naming it (%); purple = named by the guide ({name})")
        return _to_svg(fig, f"ranking-{name}")


def pay_chart(pay: dict[str, Any]) -> str | None:
    """Posted pay by stage (interquartile bar, median with its interval) against the BLS bands."""
    stages = [s for s in ("entry", "mid", "senior") if s in pay["stages"]]
    if not any(pay["stages"][s]["n"] for s in stages):
        return None
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 2.4, left=0.7, bottom=0.5)
        ax = fig.add_subplot()
        top = 0.0
        for i, sid in enumerate(stages):
            item = pay["stages"][sid]
            y = len(stages) - 1 - i
            band = item["band"]
            high = band["high"] if band["high"] is not None else band["low"] * 1.25
            ax.fill_betweenx([y - 0.4, y + 0.4], band["low"], high, color=GUIDE, alpha=0.15, linewidth=0)
            ax.plot([band["low"]] * 2, [y - 0.4, y + 0.4], color=GUIDE, linewidth=1.5)
            top = max(top, high)
            if item["n"]:
                ax.barh(y, item["p75"] - item["p25"], left=item["p25"], height=0.25, color=ACCENT, alpha=0.6)
                lo, hi = item["median_ci"]
                ax.plot([lo, hi], [y, y], color=INK, linewidth=1.5)
                ax.plot([item["median"]], [y], marker="D", color=INK)
                ax.text(item["p90"], y + 0.12, f" n={item['n']}", fontsize=8, color=MUTED)
                top = max(top, item["p90"])
        ax.set_yticks(list(range(len(stages)))[::-1], stages)
        ax.set_xlim(left=0, right=top * 1.15)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v / 1000:.0f}k"))
        ax.set_xlabel(
            "annualized posted pay: bar = 25th-75th pct, diamond = median; shaded = guide's BLS band"
        )
        return _to_svg(fig, "pay")


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

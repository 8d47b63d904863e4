"""Small statistics over SQL aggregates: intervals from (n, mean, mean of squares), order-statistic
ranks for medians and quantiles, and medians of histograms. No row-level data comes here."""

from __future__ import annotations

import math
from collections.abc import Iterable

from scipy import stats


def sample_variance(n: int, mean: float, mean_sq: float) -> float:
    if n < 2:
        return 0.0
    return max(0.0, (mean_sq - mean * mean) * n / (n - 1))


def welch_interval(
    a: tuple[int, float, float], b: tuple[int, float, float], confidence: float
) -> dict[str, float]:
    """Difference of means (a - b) with a Welch t interval; each side is (n, mean, mean_sq)."""
    (na, ma, sa), (nb, mb, sb) = a, b
    va, vb = sample_variance(na, ma, sa) / na, sample_variance(nb, mb, sb) / nb
    diff = ma - mb
    se = math.sqrt(va + vb)
    if se == 0:
        return {"diff": diff, "low": diff, "high": diff, "df": float(na + nb - 2)}
    df = (va + vb) ** 2 / (
        (va**2 / (na - 1) if na > 1 else 0) + (vb**2 / (nb - 1) if nb > 1 else 0) or 1e-300
    )
    t = float(stats.t.ppf(0.5 + confidence / 2, df))
    return {"diff": diff, "low": diff - t * se, "high": diff + t * se, "df": df}


def nearest_rank(q: float, n: int) -> int:
    """The 1-based rank of the q-quantile (nearest-rank definition)."""
    return min(n, max(1, math.ceil(q * n - 1e-9)))


def median_ci_ranks(n: int, confidence: float) -> tuple[int, int]:
    """Distribution-free interval for the median: ranks from the Binomial(n, 1/2) quantiles."""
    alpha = 1 - confidence
    low = int(stats.binom.ppf(alpha / 2, n, 0.5))
    high = int(stats.binom.isf(alpha / 2, n, 0.5)) + 1
    return max(1, low), min(n, high)


def histogram_median(pairs: Iterable[tuple[float, int]]) -> float | None:
    """The median of values given as (value, count), nearest-rank."""
    items = sorted((v, c) for v, c in pairs if v is not None and c > 0)
    total = sum(c for _, c in items)
    if not total:
        return None
    target = nearest_rank(0.5, total)
    seen = 0
    for value, count in items:
        seen += count
        if seen >= target:
            return float(value)
    return float(items[-1][0])

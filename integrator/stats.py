"""Summary statistics of latency samples (milliseconds)."""

from __future__ import annotations

import numpy as np


def summarize(samples_ms: list[float]) -> dict:
    s = np.asarray(samples_ms, dtype=np.float64)
    p10, median, p90 = np.percentile(s, [10, 50, 90])
    return {
        "samples": len(s),
        "median_ms": float(median),
        "p10_ms": float(p10),
        "p90_ms": float(p90),
        "min_ms": float(s.min()),
        "mean_ms": float(s.mean()),
        "raw_ms": [round(float(x), 4) for x in s],
    }

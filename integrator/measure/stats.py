"""Summary statistics of latency samples (milliseconds)."""

from __future__ import annotations

import numpy as np


def summarize(samples_ms: list[float], *, noisy_spread: float = 0.10) -> dict:
    """Median, p10/p90, IQR, min, mean, coefficient of variation, and the raw samples.

    ``noisy`` flags a run whose IQR exceeds ``noisy_spread`` of its median. The coefficient of
    variation (std / mean) is reported too, but it is not the test: a handful of samples hit by
    preemption inflate it without moving the median, and short kernels always have a few.
    """
    s = np.asarray(samples_ms, dtype=np.float64)
    p10, p25, median, p75, p90 = np.percentile(s, [10, 25, 50, 75, 90])
    mean = float(s.mean())
    cv = float(s.std(ddof=1) / mean) if len(s) > 1 and mean > 0 else 0.0
    return {
        "samples": len(s),
        "median_ms": float(median),
        "p10_ms": float(p10),
        "p90_ms": float(p90),
        "iqr_ms": float(p75 - p25),
        "min_ms": float(s.min()),
        "mean_ms": mean,
        "cv": cv,
        "noisy": bool(p75 - p25 > noisy_spread * median),
        "raw_ms": [round(float(x), 4) for x in s],
    }

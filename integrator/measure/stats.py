"""Summary statistics of latency samples (milliseconds)."""

from __future__ import annotations

import numpy as np


def summarize(samples_ms: list[float], *, noisy_spread: float = 0.10,
              rounds: list[list[float]] | None = None) -> dict:
    """Median, p10/p90, IQR, min, mean, coefficient of variation, and the raw samples.

    ``noisy`` flags a run whose IQR exceeds ``noisy_spread`` of its median. The coefficient of
    variation (std / mean) is reported too, but it is not the test: a handful of samples hit by
    preemption inflate it without moving the median, and short kernels always have a few.

    ``rounds`` (the samples again, one list per round) adds each round's median, and ``noisy``
    also flags rounds that disagree by more than ``noisy_spread`` of the median: on a shared
    machine a slow period can last a whole round (ResNet-50 here: 48 ms in one round, 66 ms in
    the next two, each tight), which moves the median while the IQR stays small.
    """
    s = np.asarray(samples_ms, dtype=np.float64)
    p10, p25, median, p75, p90 = np.percentile(s, [10, 25, 50, 75, 90])
    mean = float(s.mean())
    cv = float(s.std(ddof=1) / mean) if len(s) > 1 and mean > 0 else 0.0
    round_medians = [float(np.median(r)) for r in rounds or [] if len(r)]
    rounds_disagree = (len(round_medians) > 1
                       and max(round_medians) - min(round_medians) > noisy_spread * median)
    result = {
        "samples": len(s),
        "median_ms": float(median),
        "p10_ms": float(p10),
        "p90_ms": float(p90),
        "iqr_ms": float(p75 - p25),
        "min_ms": float(s.min()),
        "mean_ms": mean,
        "cv": cv,
        "noisy": bool(p75 - p25 > noisy_spread * median or rounds_disagree),
        "raw_ms": [round(float(x), 4) for x in s],
    }
    if round_medians:
        result["round_medians_ms"] = [round(m, 4) for m in round_medians]
        result["rounds_disagree"] = bool(rounds_disagree)
    return result

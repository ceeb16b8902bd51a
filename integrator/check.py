"""The check stage: run the compiled module on the reference inputs and compare with the
reference's outputs (torch eager, onnxruntime; raw MLIR has none and gets no verdict)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def load_reference(path: Path) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(inputs, expected outputs) as stored by the import stage."""
    with np.load(path) as data:
        def series(prefix):
            return [data[f"{prefix}_{i}"] for i in range(sum(k.startswith(prefix) for k in data))]

        return series("input"), series("output")


def compare(got: list[np.ndarray], want: list[np.ndarray], *, atol: float, rtol: float) -> dict:
    """Elementwise ``|got - want| <= atol + rtol * |want|`` for every output.

    ``max_rel_error`` is relative to the output's scale (``max |want|``), which stays meaningful
    where individual expected values are near zero.
    """
    if len(got) != len(want):
        return {"passed": False, "reason": f"{len(got)} outputs, expected {len(want)}", "outputs": []}
    outputs, reasons = [], []
    for index, (g, w) in enumerate(zip(got, want)):
        g = np.asarray(g)
        if g.shape != w.shape:
            reasons.append(f"output {index}: shape {list(g.shape)}, expected {list(w.shape)}")
            outputs.append({"index": index, "passed": False})
            continue
        diff = np.abs(g.astype(np.float64) - w.astype(np.float64))
        scale = float(np.max(np.abs(w))) if w.size else 0.0
        within = diff <= atol + rtol * np.abs(w.astype(np.float64))
        max_abs = float(diff.max()) if diff.size else 0.0
        entry = {
            "index": index,
            "shape": list(w.shape),
            "dtype": str(w.dtype),
            "max_abs_error": max_abs,
            "max_rel_error": max_abs / scale if scale else max_abs,
            "mismatched": int((~within).sum()),
            "passed": bool(within.all()),
        }
        if not entry["passed"]:
            worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
            entry["worst"] = {"index": [int(i) for i in worst], "got": float(g[worst]), "want": float(w[worst])}
            reasons.append(
                f"output {index}: {entry['mismatched']} of {w.size} elements outside "
                f"atol={atol} rtol={rtol}; max abs error {max_abs:.3g} at {list(entry['worst']['index'])} "
                f"(got {entry['worst']['got']:.6g}, want {entry['worst']['want']:.6g})"
            )
        outputs.append(entry)
    return {
        "passed": not reasons,
        "reason": "; ".join(reasons) or None,
        "atol": atol,
        "rtol": rtol,
        "max_abs_error": max((o.get("max_abs_error", float("inf")) for o in outputs), default=0.0),
        "max_rel_error": max((o.get("max_rel_error", float("inf")) for o in outputs), default=0.0),
        "outputs": outputs,
    }


def outputs_summary(got: list[np.ndarray]) -> list[dict]:
    """What can be said of outputs without a reference: shape, type, whether all finite."""
    summary = []
    for index, g in enumerate(got):
        g = np.asarray(g)
        finite = bool(np.isfinite(g).all()) if np.issubdtype(g.dtype, np.inexact) else True
        summary.append({"index": index, "shape": list(g.shape), "dtype": str(g.dtype),
                        "finite": finite})
    return summary

"""The check stage: run the compiled module on the reference inputs and compare with the
reference's outputs (torch eager, onnxruntime; raw MLIR has none and gets no verdict).

A CUDA build runs on the GPU through ``iree.runtime``'s ``cuda`` driver (the compile record's
device) against the same reference; without a CUDA device the stage is skipped: it says so
and writes nothing (``core/target.py``)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np


def load_reference(path: Path) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(inputs, expected outputs) as stored by the import stage, memory-mapped: a multi-GB
    reference is paged in from the file as it is read, not copied into the process."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}

    def series(prefix):
        names = sorted((n for n in members if n.startswith(prefix + "_")),
                       key=lambda n: int(n.rsplit("_", 1)[1]))
        return [_mapped(path, members[n]) for n in names]

    return series("input"), series("output")


def _mapped(path: Path, member: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member of an uncompressed ``.npz`` as a read-only memory map (np.savez
    stores members uncompressed, so each array's bytes lie contiguous in the file)."""
    with open(path, "rb") as f:
        f.seek(member.header_offset)
        local = f.read(30)  # the ZIP local file header; its name and extra field follow
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        f.seek(member.header_offset + 30 + name_length + extra_length)
        version = np.lib.format.read_magic(f)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(f)
        offset = f.tell()
    if member.compress_type != zipfile.ZIP_STORED or dtype.hasobject or 0 in shape:
        with np.load(path) as data:  # not mappable: read it whole
            return data[member.filename.removesuffix(".npy")]
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape,
                     order="F" if fortran else "C")


# Elements compared at a time: the float64 temporaries of one chunk, not of the whole output
# (a 4 GB output would otherwise need about 5x its size for the comparison alone).
CHUNK = 1 << 22


def _compare_chunks(got: np.ndarray, want: np.ndarray, *, atol: float, rtol: float,
                    chunk: int = CHUNK) -> dict:
    """Over flat arrays, chunk by chunk: max |want|, max |got - want| and where (the first
    index of the largest), how many elements are outside the tolerance."""
    scale, max_abs, worst, mismatched = 0.0, 0.0, 0, 0
    for start in range(0, want.size, chunk):
        w = want[start:start + chunk].astype(np.float64)
        diff = np.abs(got[start:start + chunk].astype(np.float64) - w)
        w = np.abs(w, out=w)
        scale = max(scale, float(w.max()))
        # NaN anywhere counts as outside, as `<=` is False for it
        mismatched += int(np.count_nonzero(~(diff <= atol + rtol * w)))
        where = int(np.argmax(diff))  # the first NaN, if there is one
        if not np.isnan(max_abs) and not diff[where] <= max_abs:  # larger, or the first NaN
            max_abs, worst = float(diff[where]), start + where
    return {"scale": scale, "max_abs": max_abs, "worst": worst, "mismatched": mismatched}


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
        stats = _compare_chunks(g.reshape(-1), w.reshape(-1), atol=atol, rtol=rtol)
        scale, max_abs = stats["scale"], stats["max_abs"]
        entry = {
            "index": index,
            "shape": list(w.shape),
            "dtype": str(w.dtype),
            "max_abs_error": max_abs,
            "max_rel_error": max_abs / scale if scale else max_abs,
            "mismatched": stats["mismatched"],
            "passed": stats["mismatched"] == 0,
        }
        if not entry["passed"]:
            worst = np.unravel_index(stats["worst"], w.shape)
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


def check_compiled(compiled, reference: Path, *, atol: float, rtol: float) -> tuple[list, dict | None]:
    """Run a loaded artifact (``engines.Compiled``) on the reference inputs: (outputs, the
    comparison with the reference outputs, or None when the reference has none)."""
    inputs, expected = load_reference(reference)
    got = compiled.run(inputs)
    return got, (compare(got, expected, atol=atol, rtol=rtol) if expected else None)


def load_compiled(build, artifact: Path | None = None, record: dict | None = None):
    """The build's artifact (or another one built for it, e.g. a tuning candidate), loaded by
    its engine."""
    from ..core.artifacts import read_json

    a = build.artifacts
    info = read_json(a.import_info)
    return build.engine.load(artifact or a.compiled,
                             record if record is not None else read_json(a.compile_info),
                             entry=info["entry"], n_outputs=len(info["outputs"]))


def run_check(b) -> str:
    """The check stage for one ``core.build.Build``."""
    from ..core.artifacts import read_json, write_json
    from ..core.crash import peak_rss
    from ..core.target import cuda_device_name, no_gpu_reason
    from ..ingress.sizing import ensure_recorded_fits

    a = b.artifacts
    reason = no_gpu_reason(b.target)
    if reason:  # nothing to run it on: said, nothing written (the task reruns when a GPU appears)
        return f"{b.task('check')}: skipped: {reason}"
    # Where it ran, for a build that is not the host's (host records stay as they were).
    where = {} if b.target.is_host else {**b.target.key(), "device": cuda_device_name()}
    on = "" if b.target.is_host else f", {b.target.label} on {where['device']}"
    info = read_json(a.import_info)
    ensure_recorded_fits(b.model, "check", info)
    engine = b.selection.engine
    settings = b.model.settings
    try:
        got, result = check_compiled(load_compiled(b), a.reference, atol=settings.atol,
                                     rtol=settings.rtol)
    except Exception as error:
        raise b.error("check", f"running the compiled module ({engine}{on}) failed: {error}") from None
    if info["reference"] is None:
        # Nothing computed what the answer should be: say so, do not pass silently.
        result = {
            "model": b.name, "engine": engine, **where, "verdict": "no-reference", "passed": None,
            "reference": None,
            "reason": f"{b.model.format} models have no framework reference; the module ran on "
            "the inputs but its results were not compared with anything",
            "outputs": outputs_summary(got),
        }
        write_json(a.stats("check"), {"peak_rss_bytes": peak_rss()})
        a.check_failed.unlink(missing_ok=True)
        write_json(a.check, result)
        finite = "all finite" if all(o["finite"] for o in result["outputs"]) else "NOT all finite"
        return (f"check {b.name}: NO REFERENCE ({b.model.format} model): the module ran "
                f"({len(got)} output{'s' * (len(got) != 1)}, {finite}) but nothing checked "
                "its numbers")
    result = {"model": b.name, "engine": engine, **where,
              "verdict": "pass" if result["passed"] else "fail",
              "reference": info["reference"], **result}
    write_json(a.stats("check"), {"peak_rss_bytes": peak_rss()})
    if not result["passed"]:
        write_json(a.check_failed, result)
        raise b.error(
            "check",
            f"compiled output does not match {info['reference']}: {result['reason']}",
            hint=f"details in {a.check_failed}; if the difference is expected rounding, set "
            f"ATOL/RTOL in {b.model.path if b.model.format == 'torch' else b.model.sidecar}",
        )
    a.check_failed.unlink(missing_ok=True)
    write_json(a.check, result)
    return (
        f"check {b.name} ({engine}{on}): passed against {info['reference']}, max abs error "
        f"{result['max_abs_error']:.2e}, max rel error {result['max_rel_error']:.2e}"
    )


# A check in a child process (the tuner's candidates: a crash there cannot take the tuner
# down): ``python -m integrator.measure.check ROOT MODEL ENGINE ARTIFACT COMPILE_JSON``, or,
# where there is no checkout (a cluster worker), an IREE module against a reference file:
# ``python -m integrator.measure.check --artifact VMFB REFERENCE ENTRY DRIVER ATOL RTOL``.
# Exit 0: the numbers match; 3: they do not (the reason on stdout); anything else: a crash.
EXIT_WRONG = 3


def _main_artifact(vmfb: str, reference: str, entry: str, driver: str, atol: str, rtol: str) -> int:
    from ..engines.iree import IreeModule

    _, result = check_compiled(IreeModule(Path(vmfb), entry, driver=driver), Path(reference),
                               atol=float(atol), rtol=float(rtol))
    if result is not None and not result["passed"]:
        print(result["reason"])
        return EXIT_WRONG
    return 0


def _main(root: str, model_name: str, engine: str, artifact: str, record: str) -> int:
    import dataclasses
    import json

    from ..core.build import Build
    from ..core.project import load_project
    from ..ingress.models import find_model

    project = load_project(root)
    build = Build.of(project, find_model(project, model_name))
    build = dataclasses.replace(build, selection=dataclasses.replace(build.selection, engine=engine))
    compiled = load_compiled(build, Path(artifact), json.loads(Path(record).read_text()) if record else {})
    settings = build.model.settings
    _, result = check_compiled(compiled, build.artifacts.reference, atol=settings.atol, rtol=settings.rtol)
    if result is not None and not result["passed"]:
        print(result["reason"])
        return EXIT_WRONG
    return 0


if __name__ == "__main__":
    import sys

    if sys.argv[1] == "--artifact":
        sys.exit(_main_artifact(*sys.argv[2:8]))
    sys.exit(_main(*sys.argv[1:6]))

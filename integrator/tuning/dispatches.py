"""A compiled model's dispatches, one by one: what they are, how often they run, how long they take.

IREE does the work: ``--iree-hal-dump-executable-benchmarks-to`` writes every dispatch as a
standalone benchmark module (already configured), ``--compile-to=stream`` shows how many times
the entry function dispatches each one, and ``iree-benchmark-module`` times a dispatch module
(``--batch_size`` dispatches per call). The IR is read with IREE's MLIR bindings.

For tuning, a dispatch's configuration (``lowering_config``, ``translation_info``) is stripped
from its benchmark module, so that a tuning spec, or IREE's defaults, configure it afresh.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..engines.iree import compile_file

# Codegen pipelines whose root-op tile sizes a spec can set (others are left to IREE).
TUNABLE_PIPELINES = ("DoubleTilingExpert", "Mmt4dTilingExpert", "ConvTileAndDecomposeExpert")
_CONFIG_ATTRIBUTES = ("lowering_config", "translation_info", "compilation_info")


@dataclass(frozen=True)
class RootOp:
    """The op whose configuration decides a dispatch's tiling (it carries ``distribution``)."""

    op_name: str
    operand_types: tuple[str, ...]
    config: dict  # lowering-config level -> tile sizes, e.g. {"distribution": [16, 3, 3, 28, 28]}
    pipeline: str  # e.g. "DoubleTilingExpert"
    marker: str | None  # the spec that configured it, if one did

    def lowering_config(self, config: dict | None = None) -> str:
        levels = ", ".join(f"{k} = [{', '.join(map(str, v))}]" for k, v in (config or self.config).items())
        return f"#iree_cpu.lowering_config<{levels}>"


@dataclass
class Dispatch:
    function: str  # the dispatch function, e.g. main$async_dispatch_7_generic_64x3x3x56x56_f32
    source: Path  # its benchmark module as dumped (configured as the model was)
    stripped: Path  # the same without any configuration
    count: int  # dispatches per call of the model's entry function
    signature: str  # hash of the stripped code, with the model-specific names taken out
    root: RootOp | None
    ms: float | None = None  # one dispatch, median
    errors: list[str] = field(default_factory=list)

    @property
    def total_ms(self) -> float:
        return (self.ms or 0.0) * self.count

    @property
    def short_name(self) -> str:
        return self.function.split("_dispatch_", 1)[-1].split("_", 1)[-1] if "_dispatch_" in self.function else self.function

    @property
    def tunable(self) -> bool:
        return self.root is not None and self.root.pipeline in TUNABLE_PIPELINES


def _walk(op):
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                child = child.operation
                yield child
                yield from _walk(child)


def dispatch_counts(stream_ir: str) -> dict[str, int]:
    """``{dispatch function: times dispatched per call}`` from ``--compile-to=stream`` output.

    Counts dispatches in functions only: initializers (weight packing at load) run once.
    """
    from iree.compiler import ir

    counts: dict[str, int] = {}
    with ir.Context() as context:
        module = ir.Module.parse(stream_ir, context)
        for top in module.body.operations:
            top = top.operation
            if top.name != "util.func":
                continue
            for op in _walk(top):
                if op.name == "stream.cmd.dispatch":
                    for entry in ir.ArrayAttr(op.attributes["entry_points"]):
                        function = ir.SymbolRefAttr(entry).value[-1]
                        counts[function] = counts.get(function, 0) + 1
    return counts


FILL_MESSAGE = "integrator: filling the dispatch's buffers"


def _fill_initializer(module) -> str:
    """An initializer that writes every buffer of a dumped dispatch benchmark (zeros), or "".

    IREE's benchmark module allocates one buffer for the dispatch's bindings and never writes
    it, so every read of an input finds a page the kernel never backed: all of them map to one
    shared zero page, which stays in L1. A dispatch timed that way never waits on memory: a
    pointwise convolution on a batch (12.8 MB in, 25.7 MB out) timed 14-17 ms alone and 20 ms
    in its one-dispatch model; filled first, 20 ms alone too (emeraldrapids, 2 threads). Zeros,
    because any input may be an index (a gather's): zero is in bounds, as it was unfilled.
    """
    from iree.compiler import ir

    device, buffers = None, []
    for op in _walk(module.operation):
        if op.name == "util.global" and str(ir.TypeAttr(op.attributes["type"]).value) == "!hal.device":
            device = str(op.attributes["sym_name"]).strip('"')
        if op.name == "util.global.store":
            allocate = op.operands[0].owner
            if getattr(allocate, "name", "") != "hal.allocator.allocate":
                continue
            size = allocate.operands[len(allocate.operands) - 1].owner
            if getattr(size, "name", "") == "arith.constant":
                buffers.append((str(op.attributes["global"]), ir.IntegerAttr(size.attributes["value"]).value))
    if device is None or not buffers:
        return ""
    lines = ["  util.initializer {",
             f"    %device, %affinity = hal.device.resolve on(#hal.device.affinity<@{device}>) : !hal.device, i64",
             '    %cmd = hal.command_buffer.create device(%device : !hal.device) mode("OneShot") '
             'categories("Transfer") affinity(%affinity) : !hal.command_buffer',
             "    %offset = arith.constant 0 : index",
             "    %zero = arith.constant 0 : i32"]
    for i, (name, size) in enumerate(buffers):
        lines += [f"    %buffer{i} = util.global.load {name} : !hal.buffer",
                  f"    %size{i} = arith.constant {size} : index",
                  f"    hal.command_buffer.fill_buffer<%cmd : !hal.command_buffer> target(%buffer{i} : !hal.buffer)"
                  f'[%offset, %size{i}] pattern(%zero : i32) flags("None")']
    lines += ["    hal.command_buffer.finalize<%cmd : !hal.command_buffer>",
              "    %none = util.null : !hal.fence",
              '    %fence = hal.fence.create device(%device : !hal.device) flags("None") : !hal.fence',
              "    hal.device.queue.execute<%device : !hal.device> affinity(%affinity) wait(%none) "
              'signal(%fence) commands(%cmd) flags("None")',
              "    %forever = arith.constant -1 : i32",
              '    %status = hal.fence.await until([%fence]) timeout_millis(%forever) flags("None") : i32',
              f'    util.status.check_ok %status, "{FILL_MESSAGE}"',
              "    util.return",
              "  }"]
    return "\n".join(lines) + "\n"


def _with_fill(text: str, fill: str) -> str:
    """``text`` (a printed module) with ``fill`` added as the module's last op."""
    end = text.rstrip().rindex("}")
    return text[:end] + fill + text[end:]


def _read_benchmark(path: Path, stripped: Path) -> tuple[str, RootOp | None, str]:
    """(dispatch function, root op, signature); writes the configuration-free module, and
    rewrites both so that they fill their buffers before timing (``_fill_initializer``)."""
    from iree.compiler import ir

    source = path.read_text()
    with ir.Context() as context:
        module = ir.Module.parse(source, context)
        fill = "" if FILL_MESSAGE in source else _fill_initializer(module)
        function, executable, root, pipeline = None, None, None, None
        for op in _walk(module.operation):
            if op.name == "hal.executable":
                executable = ir.StringAttr(op.attributes["sym_name"]).value
            if op.name == "func.func":
                function = ir.StringAttr(op.attributes["sym_name"]).value
                if "translation_info" in op.attributes:
                    pipeline = _pipeline_name(str(op.attributes["translation_info"]))
            if "lowering_config" in op.attributes and root is None:
                config = _config_levels(str(op.attributes["lowering_config"]), context)
                if "distribution" in config:
                    marker = op.attributes["integrator.spec"] if "integrator.spec" in op.attributes else None
                    root = (op.name, tuple(str(v.type) for v in op.operands), config,
                            ir.StringAttr(marker).value if marker is not None else None)
            for name in _CONFIG_ATTRIBUTES + ("integrator.spec",):
                if name in op.attributes:
                    del op.attributes[name]
        text = _with_fill(str(module), fill) if fill else str(module)
    if fill:
        path.write_text(_with_fill(source, fill))
    stripped.write_text(text)
    # The same code in another model (or at another position) gets other names: drop them.
    normalized = text
    for name in filter(None, (function, executable)):
        normalized = normalized.replace(name, "DISPATCH")
    signature = hashlib.sha256(normalized.encode()).hexdigest()[:20]
    root_op = RootOp(root[0], root[1], root[2], pipeline or "", root[3]) if root and pipeline else None
    return function, root_op, signature


def _pipeline_name(translation_info: str) -> str:
    # Printed as #iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<Name> ...>.
    marker = "pipeline<"
    start = translation_info.find(marker)
    if start < 0:
        return ""
    start += len(marker)
    return translation_info[start:translation_info.index(">", start)]


def _config_levels(attribute: str, context) -> dict:
    """``#iree_cpu.lowering_config<distribution = [..], ...>`` as ``{level: [sizes]}``.

    The attribute's body is a dictionary in MLIR syntax, so MLIR's own parser reads it.
    """
    from iree.compiler import ir

    body = attribute[attribute.index("<") + 1: attribute.rindex(">")]
    levels = {}
    for named in ir.DictAttr(ir.Attribute.parse("{" + body + "}", context)):
        try:
            levels[named.name] = [ir.IntegerAttr(v).value for v in ir.ArrayAttr(named.attr)]
        except (ValueError, TypeError):
            return {}  # a level that is not a plain tile list: leave this op to IREE
    return levels


def find_dispatches(source: Path, flags: list[str], workdir: Path, *, timeout: float) -> list[Dispatch]:
    """Dump ``source``'s dispatches as benchmark modules (compiled with ``flags``) and count them.

    ``flags`` are the model's full iree-compile flags (target, input type, pipeline, specs).
    Constants stay out of the dispatches (bindings, not inlined): IREE 3.13 dumps a dispatch
    that reads an inlined constant (a convolution's bias) without the constant, and its
    benchmark module then does not compile ("resource does not exist"), so it could be
    neither timed nor tuned.
    """
    flags = [*flags, "--iree-flow-inline-constants-max-byte-length=0"]
    dumps = workdir / "dispatches"
    stripped_dir = workdir / "stripped"
    for d in (dumps, stripped_dir):
        d.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        compile_file(source, Path(tmp, "model.vmfb"),
                     [*flags, f"--iree-hal-dump-executable-benchmarks-to={dumps}"], timeout=timeout)
        stream = Path(tmp, "stream.mlir")
        compile_file(source, stream, [*flags, "--compile-to=stream",
                                      "--mlir-elide-elementsattrs-if-larger=16"], timeout=timeout)
        counts = dispatch_counts(stream.read_text())
    found = []
    for path in sorted(dumps.glob("*_benchmark.mlir")):
        stripped = stripped_dir / path.name
        function, root, signature = _read_benchmark(path, stripped)
        if function in counts:
            found.append(Dispatch(function, path, stripped, counts[function], signature, root))
    return found


def time_dispatch(vmfb: Path, *, threads: int, batch: int, repetitions: int, timeout: float) -> float:
    """ms of one dispatch, the fastest of ``repetitions`` runs of ``batch`` back-to-back dispatches.

    iree-benchmark-module already reports dispatch benchmarks per dispatch (the batch is its
    item count), so its time is used as it is. The fastest repetition counts: on a shared
    machine, load from elsewhere only ever adds time.
    """
    import iree.runtime as rt

    rows = rt.benchmark_module(
        str(vmfb), device="local-task", task_topology_max_group_count=threads,
        batch_size=batch, benchmark_repetitions=repetitions, benchmark_min_time="3x",
        timeout=timeout,
    )
    times = sorted(
        row.report["real_time"] * _MS_PER[row.report["time_unit"]]
        for row in rows if row.report.get("run_type") == "iteration"
    )
    return times[0]


_MS_PER = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


# --- which tuning spec configured which dispatch (``doit run dispatches:<model>``) ------------


def dispatch_specs(project, model) -> dict[str, str | None]:
    """``{dispatch: spec marker or None}`` for a model built with its IREE flags and specs.

    Compiles only up to configured executables (seconds, even for ResNet-50) with the same
    flags as the compile stage and reads the marks the specs left (``specs.py``).
    """
    from ..core.build import Build
    from ..engines.iree import IreeCompileError, IreeEngine, compile_file, compiler_errors
    from .library import current_library, tuning_specs
    from .specs import matched_specs

    b = Build.of(project, model)
    if b.selection.engine != "iree":
        raise b.error("dispatches", f"tuning specs configure IREE dispatches; {b.name} is built with "
                      f"the {b.selection.engine} engine")
    if not b.artifacts.scheduled.exists():
        raise b.error("dispatches", f"{b.artifacts.scheduled} is not built",
                      hint=f"run `doit run schedule:{b.name}` first")
    if tuning_specs(project, b.target) and not current_library(project, b.target).exists():
        specs_task = "specs" + b.target.task_suffix
        raise b.error("dispatches", "the tuning-spec library is not linked",
                      hint=f"run `doit run {specs_task}` first")
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp, "configurations")
        try:
            compile_file(b.artifacts.scheduled, Path(tmp, "out.mlir"),
                         [*IreeEngine().flags(b), "--compile-to=executable-configurations",
                          f"--iree-hal-dump-executable-configurations-to={dump}"])
        except IreeCompileError as error:
            raise b.error("dispatches", "iree-compile failed:\n" + compiler_errors(str(error))) from None
        return matched_specs(dump)


def describe_dispatch_specs(project, model) -> str:
    from .library import tuning_specs

    from ..core.build import Build
    from ..engines.iree import IreeEngine

    from ..core.target import arch_name

    matches = dispatch_specs(project, model)
    build = Build.of(project, model)
    specs = tuning_specs(project, build.target)
    pipeline = IreeEngine().pipeline(build)
    lines = [f"{model.name}: {len(matches)} dispatches; pipeline {pipeline.name}"
             + (f" (preprocessing schedule {pipeline.preprocessing_schedule!r})"
                if pipeline.preprocessing_schedule else "")
             + f"; tuning specs for {arch_name(build.target, project.cache)}: "
             + (", ".join(str(s.path.relative_to(project.root) if s.path.is_relative_to(project.root)
                              else s.path) for s in specs) or "none")]
    width = max((len(d) for d in matches), default=0)
    for dispatch, marker in matches.items():
        # A Winograd transform or batch matmul exists only because a schedule chose Winograd.
        strategy = (f"; Winograd from {pipeline.preprocessing_schedule!r}"
                    if "winograd" in dispatch and pipeline.preprocessing_schedule else "")
        lines.append(f"  {dispatch:<{width}}  {marker or '(IREE default)'}{strategy}")
    tuned = sum(m is not None for m in matches.values())
    lines.append(f"{tuned} of {len(matches)} dispatches configured by a spec")
    return "\n".join(lines)

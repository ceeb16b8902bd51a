"""The tuning-spec library: IREE ``__kernel_config`` specs that pick a dispatch's configuration.

A spec is an MLIR transform module (see ``schedules/tuning/README.md``) whose matchers
recognize a dispatch's root op and whose action sets its ``compilation_info`` (tile sizes,
codegen pipeline). Specs live in libraries laid out by architecture::

    <library>/<cpu>/*.mlir            e.g. schedules/tuning/znver4/resnet50.mlir
    <library>/<family>-<level>/*.mlir e.g. schedules/tuning/x86_64-avx512/... (by CPU features)
    <library>/<family>/*.mlir         e.g. schedules/tuning/x86_64/...
    <library>/<gpu arch>/*.mlir       e.g. schedules/tuning/sm_80/... (CUDA builds)
    <library>/cuda/*.mlir             what suits every CUDA architecture

Which specs apply, in precedence order (IREE applies the first matcher that matches an op):
every user library first (``[tool.integrator.tuning] specs``, or ``INTEGRATOR_TUNING_SPECS``
as ``dir1:dir2``), then the shipped defaults (``schedules/tuning``); within a library the
specific CPU before its family's vector level before the family. Each spec is verified on its own (so an error names its
file), then all are linked into one library with ``iree-opt --iree-codegen-link-tuning-specs``
and stored as bytecode in ``.cache/tuning/<cpu>/``; the compile stage passes it with
``--iree-codegen-tuning-spec-path`` and depends on its content.

A spec's action may annotate the op with ``integrator.spec = "<name>"`` (the generated
ones do); ``matched_specs`` reads those marks back from IREE's configured executables, which
is how a user sees which spec configured which dispatch.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.target import is_cuda_arch
from ..engines.tools import tool

MARKER = "integrator.spec"

# LLVM CPU names of a family are not all alike (AVX2 vs AVX-512), so the specific name is
# looked up first; the family holds what suits every CPU of that architecture.
_FAMILIES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64",
             "riscv64": "riscv64"}


class SpecError(Exception):
    """A tuning spec that does not parse, verify or link; the message names the file."""


def family() -> str:
    machine = platform.machine().lower()
    return _FAMILIES.get(machine, machine)


_AVX512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl"}
_AVX2 = {"avx2", "fma"}


def vector_level(cpu: str | None = None, cache: Path | None = None) -> str | None:
    """The target's widest vector ISA as a directory suffix: ``avx512`` (AVX-512 F/BW/DQ/VL),
    ``avx2`` (with FMA), or None. A CPU name that is new to the shipped library still gets
    defaults chosen for its vector width. The host's ``/proc/cpuinfo`` answers for the host;
    when ``INTEGRATOR_TARGET_CPU`` names another CPU, the compiler's features for that CPU do
    (AVX-512 tiles on ``haswell`` code would spill), and a name LLVM does not know keeps the
    host's level."""
    from ..core.host import cpuinfo_flags, target_features

    override = os.environ.get("INTEGRATOR_TARGET_CPU")
    flags = target_features(cpu, cache) if cpu and override and cpu != "host" else None
    if flags is None:
        flags = cpuinfo_flags() or set()
    if _AVX512 <= flags:
        return "avx512"
    if _AVX2 <= flags:
        return "avx2"
    return None


def arch_chain(cpu: str, cache: Path | None = None) -> list[str]:
    """Directory names to look in for ``cpu``, most specific first:
    ``["znver4", "x86_64-avx512", "x86_64"]``; for a CUDA architecture (a CUDA build),
    ``["sm_80", "cuda"]``: the host's CPU directories never apply to GPU code."""
    if is_cuda_arch(cpu):
        return [cpu, "cuda"]
    level = vector_level(cpu, cache) if family() == "x86_64" else None
    return list(dict.fromkeys([cpu, *([f"{family()}-{level}"] if level else []), family()]))


@dataclass(frozen=True)
class Spec:
    path: Path
    library: str  # "user" or "default"
    arch: str  # the directory it was found in: a CPU name or a family

    @property
    def name(self) -> str:
        return f"{self.library}_{self.arch}_{self.path.stem}"


def user_libraries(root: Path, configured: tuple[str, ...] | list[str]) -> list[Path]:
    """``[tool.integrator.tuning] specs``, or ``INTEGRATOR_TUNING_SPECS`` (replacing it)."""
    override = os.environ.get("INTEGRATOR_TUNING_SPECS")
    dirs = [d for d in override.split(os.pathsep) if d] if override is not None else configured
    return [root / Path(d).expanduser() for d in dirs]


def find_specs(user: list[Path], default: Path, cpu: str, cache: Path | None = None) -> list[Spec]:
    """Every spec that applies to ``cpu``, highest precedence first."""
    found = []
    for library, directory in [*(("user", d) for d in user), ("default", default)]:
        for arch in arch_chain(cpu, cache):
            found += [Spec(p, library, arch) for p in sorted(Path(directory, arch).glob("*.mlir"))]
    return found


def _iree_opt(args: list[str], what: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([tool("iree-opt"), *args, "--mlir-print-op-on-diagnostic=false"],
                            capture_output=True, text=True, timeout=600, cwd=cwd)
    if result.returncode != 0:
        errors = [l for l in result.stderr.splitlines() if "error" in l or "note" in l]
        raise SpecError(f"{what}:\n" + "\n".join(errors[:20] or result.stderr.splitlines()[-20:]))
    return result


def verify_spec(path: Path) -> None:
    """Parse and verify one spec file with IREE's own verifiers; errors carry ``file:line:col``.

    Linking it alone also checks the ``__kernel_config`` entry point's contract.
    """
    _iree_opt([str(path), "--iree-codegen-link-tuning-specs", "-o", os.devnull],
              f"tuning spec {path} does not verify")
    if "__kernel_config" not in path.read_text():
        raise SpecError(f"tuning spec {path} has no @__kernel_config entry point "
                        "(see schedules/tuning/README.md)")


def _container(specs: list[Spec]) -> str:
    """One module holding every spec's module, each under a unique symbol name, in order."""
    from iree.compiler import ir

    with ir.Context():
        container = ir.Module.parse(
            "module @integrator_tuning_library attributes {transform.with_named_sequence} {}")
        for spec in specs:
            module = ir.Module.parse(spec.path.read_text())
            module.operation.attributes["sym_name"] = ir.StringAttr.get(_symbol(spec.name))
            with ir.InsertionPoint(container.body):
                module.operation.clone()
        return str(container)


def _symbol(text: str) -> str:
    return re.sub(r"\W", "_", text)


def link_specs(specs: list[Spec], output: Path) -> None:
    """Verify each spec, then link them (first = highest precedence) into ``output`` (bytecode).

    ``output`` is written by the caller's temp-and-rename; with one spec the link still runs,
    so the stored library is always IREE's linked, verified form.
    """
    if not specs:
        raise SpecError("no tuning specs to link")
    for spec in specs:
        verify_spec(spec.path)
    with tempfile.TemporaryDirectory() as tmp:
        container = Path(tmp, "specs.mlir")
        container.write_text(_container(specs))
        names = ", ".join(str(s.path) for s in specs)
        # Named relative to the temporary directory: the locations in the bytecode then say
        # "specs.mlir", not a random path, so the same specs link to the same bytes (no
        # needless recompiles after a relink; the same store key in every checkout).
        _iree_opt([container.name, "--iree-codegen-link-tuning-specs", "--emit-bytecode",
                   "-o", str(Path(output).absolute())], f"linking the tuning specs ({names}) failed",
                  cwd=Path(tmp))


# --- writing specs -----------------------------------------------------------------------


@dataclass(frozen=True)
class SpecEntry:
    """One matcher + configuration: the root op of a dispatch, and what to configure it with.

    ``operand_types`` are the root op's operand types in order (inputs, then inits); the
    matcher compares each, so a spec only applies to ops of exactly these shapes.
    """

    name: str  # also the ``integrator.spec`` marker
    op_name: str  # e.g. "linalg.generic", "linalg.mmt4d"
    operand_types: tuple[str, ...]
    lowering_config: str  # e.g. "#iree_cpu.lowering_config<distribution = [...], ...>"
    pipeline: str  # e.g. "DoubleTilingExpert"
    comment: str = ""


def render_spec(entries: list[SpecEntry], header: str = "") -> str:
    """A tuning spec module with one matcher per entry, in the format IREE links and applies."""
    lines = [f"// {l}" if l else "//" for l in header.splitlines()]
    lines += [
        "module attributes {transform.with_named_sequence, "
        "iree_codegen.tuning_spec_with_default_entrypoint} {",
        "  transform.named_sequence @apply_op_config(%op: !transform.any_op {transform.readonly},",
        "      %config: !transform.any_param {transform.readonly},",
        "      %name: !transform.any_param {transform.readonly}) {",
        '    transform.annotate %op "compilation_info" = %config : !transform.any_op, !transform.any_param',
        f'    transform.annotate %op "{MARKER}" = %name : !transform.any_op, !transform.any_param',
        "    transform.yield",
        "  }",
    ]
    matchers = []
    for index, entry in enumerate(entries):
        matcher = f"match_{index}_{_symbol(entry.name)}"[:120]
        matchers.append(matcher)
        if entry.comment:
            lines += [f"  // {l}" for l in entry.comment.splitlines()]
        lines += [
            f"  transform.named_sequence @{matcher}(%root: !transform.any_op {{transform.readonly}})",
            "      -> (!transform.any_op, !transform.any_param, !transform.any_param) {",
            f'    transform.match.operation_name %root ["{entry.op_name}"] : !transform.any_op',
        ]
        for i, type_ in enumerate(entry.operand_types):
            lines += [
                f"    %operand{i} = transform.get_operand %root[{i}] : (!transform.any_op) -> !transform.any_value",
                f"    transform.iree.match.cast_compatible_type %operand{i} = {type_} : !transform.any_value",
            ]
        lines += [
            "    %config = transform.param.constant #iree_codegen.compilation_info<",
            f"      lowering_config = {entry.lowering_config},",
            "      translation_info = #iree_codegen.translation_info<pipeline = "
            f"#iree_cpu.pipeline<{entry.pipeline}>>> -> !transform.any_param",
            f'    %name = transform.param.constant "{entry.name}" -> !transform.any_param',
            "    transform.yield %root, %config, %name : !transform.any_op, !transform.any_param, !transform.any_param",
            "  }",
        ]
    pairs = ",\n        ".join(f"@{m} -> @apply_op_config" for m in matchers)
    lines += [
        "  transform.named_sequence @__kernel_config(%variant: !transform.any_op {transform.consumed})",
        "      -> !transform.any_op attributes {iree_codegen.tuning_spec_entrypoint} {",
        f"    %result = transform.foreach_match in %variant\n        {pairs}",
        "      : (!transform.any_op) -> !transform.any_op",
        "    transform.yield %result : !transform.any_op",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


# --- which spec configured which dispatch ------------------------------------------------


def matched_specs(configurations: Path) -> dict[str, str | None]:
    """``{dispatch: spec marker or None}`` from ``--iree-hal-dump-executable-configurations-to``.

    Reads the configured executables with IREE's MLIR bindings; a dispatch whose root op
    carries ``integrator.spec`` was configured by that spec, the others by IREE's defaults.
    """
    from iree.compiler import ir

    found: dict[str, str | None] = {}
    with ir.Context() as context:
        for path in sorted(Path(configurations).glob("configured_*.mlir")):
            module = ir.Module.parse(path.read_text(), context)
            for export, marker in _markers(module.operation):
                if export not in found or marker is not None:
                    found[export] = marker
    return found


def _markers(root):
    """(function name, marker or None) for each dispatch function in a configured executable."""
    from iree.compiler import ir

    def walk(op, function):
        for region in op.regions:
            for block in region.blocks:
                for child in block.operations:
                    child = child.operation
                    name = function
                    if child.name == "func.func":
                        name = ir.StringAttr(child.attributes["sym_name"]).value
                        yield name, None
                    if MARKER in child.attributes:
                        yield name, ir.StringAttr(child.attributes[MARKER]).value
                    yield from walk(child, name)

    yield from walk(root, None)

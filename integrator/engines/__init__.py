"""Engines: what turns a scheduled module into something that runs, and runs it.

Every engine implements ``Engine`` (``base.py``): its compile flags, key, inputs and outputs
for the compile stage, ``compile`` itself, and ``load`` giving a ``Compiled`` with ``run`` and
``timer``. The stages, the tuner and ``benchmarks/`` build, check and time through these calls
only. Adding an engine is one module here plus one line in ``BUILT_IN`` below; external
runners are configured in pyproject.toml and need no code.
"""

from __future__ import annotations

from .base import Compiled, Engine

# name -> (module, class, artifact suffix); imported on first use so that loading the build
# graph stays light.
BUILT_IN = {
    "iree": ("iree", "IreeEngine", ".vmfb"),
    "mlir": ("upstream", "UpstreamEngine", ".so"),
}
EXTERNAL_SUFFIX = ".bin"


def artifact_suffix(engine: str) -> str:
    return BUILT_IN[engine][2] if engine in BUILT_IN else EXTERNAL_SUFFIX


def get_engine(project, name: str) -> Engine:
    """The engine called ``name``: a built-in one, or an external runner of ``project``."""
    import importlib

    if name in BUILT_IN:
        module, cls, _ = BUILT_IN[name]
        return getattr(importlib.import_module(f".{module}", __package__), cls)()
    if project is not None and name in project.external:
        from .external import ExternalEngine

        return ExternalEngine(project.external[name])
    known = ", ".join([*BUILT_IN, *(project.external if project is not None else ())])
    raise KeyError(f"unknown engine {name!r}; known: {known}")


def engine_module(name: str) -> str:
    """The module that implements engine ``name``, relative to ``integrator`` (stage inputs)."""
    return f"engines.{BUILT_IN[name][0] if name in BUILT_IN else 'external'}"


__all__ = ["BUILT_IN", "Compiled", "Engine", "artifact_suffix", "engine_module", "get_engine"]

"""Introspection: the IR a model has after each stage, as text, with big constants elided.

``python -m integrator ir <model> --stage schedule`` (or ``all``) prints what a stage produced,
so a user can see what a schedule did: ``import`` (torch dialect), ``schedule`` (for the
upstream engine: linalg after the schedule), ``transform`` (the schedule itself, as applied)
and ``lowered`` (upstream engine: the LLVM dialect module before code generation). For IREE,
``iree-compile --compile-to=<phase>`` on the schedule artifact shows its internal phases.
"""

from __future__ import annotations

from pathlib import Path

IR_STAGES = ("import", "schedule", "transform", "lowered")


def ir_file(artifacts, stage: str) -> Path:
    return {
        "import": artifacts.imported,
        "schedule": artifacts.scheduled,
        "transform": artifacts.transform,
        "lowered": artifacts.lowered,
    }[stage]


def render(path: Path, elide: int = 16) -> str:
    """Textual IR of a bytecode file; constants larger than ``elide`` elements are elided."""
    from torch_mlir import ir

    from ..engines.upstream import context

    with context():
        module = ir.Module.parseFile(str(path))
        return module.operation.get_asm(large_elements_limit=elide, large_resource_limit=elide)

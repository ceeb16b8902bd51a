"""The build target: the host CPU (the default) or a CUDA GPU of one architecture.

A ``Target`` is part of a build's selection (``selection.py``) and decides where the
target-dependent stages (compile, check, bench) keep their artifacts and what their doit
tasks are called. The host build keeps the names and places it always had
(``compile:<m>``, ``.cache/<m>/module.vmfb``); another target gets its own directory
(``.cache/<m>/cuda-sm_80/``) and its own task names (``compile:<m>@cuda-sm_80``), so doit
keeps one state record per target and builds for several targets live side by side: switching
target rebuilds nothing that is built for the other, and switching back runs nothing.

Whether a CUDA device is here is asked of ``iree.runtime``'s ``cuda`` driver
(``cuda_devices``), once per process: without one, check and bench of a CUDA build are skipped
(compiling needs no GPU).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

KINDS = ("host", "cuda")
DEFAULT_CUDA_ARCH = "sm_80"


@dataclass(frozen=True)
class Target:
    kind: str = "host"
    arch: str | None = None  # cuda: the GPU architecture as iree-compile and LLVM name it (sm_80)

    @property
    def is_host(self) -> bool:
        return self.kind == "host"

    @property
    def is_cuda(self) -> bool:
        return self.kind == "cuda"

    @property
    def label(self) -> str:
        """``host``, or ``cuda-sm_80``: a directory and task-name suffix."""
        return self.kind if self.is_host or not self.arch else f"{self.kind}-{self.arch}"

    @property
    def task_suffix(self) -> str:
        """What a target-dependent task's name carries after the model's (none for the host)."""
        return "" if self.is_host else f"@{self.label}"

    def key(self) -> dict:
        """What goes into the keys of the stages the target affects. Empty for the host: its
        keys already name the CPU, and a host build's cache stays up to date."""
        return {} if self.is_host else {"target": self.kind, "cuda_arch": self.arch}

    def describe(self) -> str:
        return "the host CPU" if self.is_host else f"CUDA ({self.arch})"

    def problem(self) -> str | None:
        """What is wrong with this target, or None."""
        if self.kind not in KINDS:
            return f"unknown target {self.kind!r}; known: {', '.join(KINDS)}"
        if self.is_cuda and not is_cuda_arch(self.arch or ""):
            return (f"cuda-arch {self.arch!r} is not a CUDA architecture name of the form "
                    f"sm_<major><minor> (e.g. {DEFAULT_CUDA_ARCH})")
        return None


HOST = Target()


def arch_name(target: Target, cache_dir: Path) -> str:
    """The architecture a target's tuning specs and choices are looked up by (and its linked
    spec library is stored under): the host CPU's LLVM name (``znver4``), or the GPU's
    (``sm_80``)."""
    if target.is_host:
        from .host import host_cpu

        return host_cpu(cache_dir)
    return target.arch or target.kind


def is_cuda_arch(name: str) -> bool:
    """``sm_80``, ``sm_90a``: what ``--iree-cuda-target`` takes and a tuning directory is named."""
    digits = name.removeprefix("sm_").removesuffix("a")
    return name.startswith("sm_") and digits.isdigit() and len(digits) >= 2


def make_target(kind: str, cuda_arch: str | None) -> Target:
    """The target for a selected kind and arch (the arch only matters for cuda)."""
    kind = str(kind).strip().lower()
    return Target(kind, (cuda_arch or DEFAULT_CUDA_ARCH) if kind == "cuda" else None)


def from_label(label: str) -> Target:
    """The inverse of ``Target.label`` (``host``, ``cuda-sm_80``)."""
    kind, _, arch = label.partition("-")
    return Target(kind, arch or None) if kind != "host" else HOST


@cache
def cuda_devices() -> tuple[tuple[dict, ...], str | None]:
    """(the CUDA devices ``iree.runtime`` can use here, why there are none). Asked once per
    process: loading the driver is what tells (it needs ``libcuda.so`` and a device)."""
    try:
        import iree.runtime as rt

        devices = tuple(dict(d) for d in rt.get_driver("cuda").query_available_devices())
    except Exception as error:  # the driver library is missing, or no device answers
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "not available" in text and "libcuda" in text:
            text = "the CUDA driver library (libcuda.so) is not installed"
        return (), f"no CUDA device: iree.runtime's cuda driver cannot start ({text})"
    if not devices:
        return (), "no CUDA device: iree.runtime's cuda driver found none"
    return devices, None


def cuda_device_name() -> str | None:
    """The first CUDA device's name (``NVIDIA H200``), or None where there is none."""
    devices, _ = cuda_devices()
    return str(devices[0].get("name") or "CUDA device 0") if devices else None


def no_gpu_reason(target: Target) -> str | None:
    """Why the target's builds cannot run here (check, bench), or None. The host always can."""
    if not target.is_cuda:
        return None
    return cuda_devices()[1]

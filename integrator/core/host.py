"""The host CPU as LLVM names it (``znver4``, ``skylake-avx512``, ...).

``--iree-llvmcpu-target-cpu=host`` would hide the CPU from the build key, so a cache copied
to another machine would look up to date; we resolve the name once, put it in the compile
key, and pass it explicitly. The answer is cached per CPU fingerprint (``/proc/cpuinfo``'s
model name and flags plus the compiler version), so a no-op build does not run the compiler.
``INTEGRATOR_TARGET_CPU`` overrides the detection (tests, cross-compiling).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import subprocess
import tempfile
from pathlib import Path

from .versions import tool_versions

_PROBE = """func.func @probe(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %a, %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""


def cpu_model_name() -> str:
    """The CPU's marketing name (``/proc/cpuinfo``'s model name), for reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _fingerprint() -> str:
    text = platform.machine()
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        wanted = ("model name", "flags", "vendor_id", "cpu family", "model\t")
        text += "\n".join(sorted({l for l in lines if l.startswith(wanted)}))
    except OSError:
        text += platform.processor()
    text += tool_versions()["iree-base-compiler"]
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def probe_target(cpu: str) -> subprocess.CompletedProcess:
    """Compile a tiny probe for ``cpu`` (an LLVM CPU name, or ``host``) up to its executable
    sources: the printed executable target names the CPU and its features as LLVM resolves
    them."""
    from ..engines.tools import tool

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "probe.mlir")
        source.write_text(_PROBE)
        return subprocess.run(
            [
                tool("iree-compile"),
                str(source),
                "--iree-hal-target-device=local",
                "--iree-hal-local-target-device-backends=llvm-cpu",
                f"--iree-llvmcpu-target-cpu={cpu}",
                "--compile-to=executable-sources",
            ],
            capture_output=True,
            text=True,
        )


def _ask_compiler() -> str:
    """Compile a tiny probe for ``host`` and read the CPU name the compiler chose."""
    result = probe_target("host")
    result.check_returncode()
    # The executable target attribute prints as `cpu = "znver4"`; this is IREE's own output.
    match = re.search(r'\bcpu = "([^"]+)"', result.stdout)
    if not match:
        raise RuntimeError("iree-compile did not report a host CPU name")
    return match.group(1)


def cpuinfo_flags() -> set[str] | None:
    """This machine's CPU feature flags as ``/proc/cpuinfo`` lists them (``flags`` on x86,
    ``Features`` on Arm); None where it cannot be read."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    return set(next((l.split(":", 1)[1] for l in lines if l.startswith(("flags", "Features"))), "").split())


def cpu_features() -> str:
    """A digest of the CPU's feature flags (``/proc/cpuinfo``): two machines whose LLVM CPU
    name agrees can still differ in what is enabled (a VM that hides AVX-512)."""
    flags = cpuinfo_flags()
    if flags is None:
        flags = platform.processor().split()
    return hashlib.sha256(" ".join(sorted(flags)).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=None)
def target_features(cpu: str, cache: Path | None = None) -> frozenset[str] | None:
    """The features LLVM enables for the CPU named ``cpu`` (``+avx512f`` -> ``avx512f``), as
    iree-compile prints them in the executable target; None when the compiler does not know
    the name. Kept in ``<cache>/host/cpu-features.json`` per compiler version, so a no-op
    build does not run the compiler."""
    from .artifacts import write_json

    key = f"{cpu}@{tool_versions().get('iree-base-compiler')}"
    record = Path(cache, "host", "cpu-features.json") if cache else None
    try:
        known = json.loads(record.read_text()) if record else {}
    except (OSError, ValueError):
        known = {}
    if key not in known:
        result = probe_target(cpu)
        match = re.search(r'cpu_features = "([^"]*)"', result.stdout)
        if result.returncode != 0 or not match:
            return None  # not recorded: a compiler that failed once may work next time
        known[key] = sorted(f[1:] for f in match.group(1).split(",") if f.startswith("+"))
        if record:
            write_json(record, known)
    return frozenset(known[key]) if known[key] else None


def host_cpu(cache: Path) -> str:
    """The build's target: ``INTEGRATOR_TARGET_CPU``, else this machine's CPU."""
    override = os.environ.get("INTEGRATOR_TARGET_CPU")
    if override:
        return override
    return detected_cpu(cache)


def detected_cpu(cache: Path) -> str:
    """This machine's CPU, whatever the target (a cluster worker reports it so)."""
    record = Path(cache) / "host.json"
    fingerprint = _fingerprint()
    try:
        known = json.loads(record.read_text())
        if known.get("fingerprint") == fingerprint:
            return known["cpu"]
    except (OSError, ValueError, KeyError):
        pass
    cpu = _ask_compiler()
    from .artifacts import write_json

    write_json(record, {"fingerprint": fingerprint, "cpu": cpu})
    return cpu

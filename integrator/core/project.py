"""Project settings: ``[tool.integrator]`` in ``pyproject.toml``, with documented defaults.

Plain data, read by each process that needs it (doit's and each stage's); every value that changes a stage's output ends up in that stage's key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class BenchSettings:
    """``[tool.integrator.bench]``: how the bench stage measures (see ``bench.py``)."""

    threads: int = 2  # the same for every system measured
    # Timed beside the compiled model (which is named after its engine).
    baselines: tuple[str, ...] = ("torch_eager", "torch_compile", "onnxruntime", "jax_jit")
    warmup: int = 3  # untimed calls at the start of every round
    rounds: int = 3  # systems alternate round by round, so drift hits all of them alike
    min_samples: int = 10  # per system, over all rounds
    max_samples: int = 200
    seconds: float = 2.0  # time budget per system for the timed calls
    noisy_spread: float = 0.10  # flag a system whose IQR exceeds this fraction of its median
    settle_seconds: float = 0.5  # idle pause before each system's round: spinning pools go quiet
    # Freed heap every timed process keeps (glibc M_TOP_PAD, with blocks up to 32 MiB taken from
    # the heap; 0: glibc's defaults), the same for every system: large temporaries are not
    # page-faulted in again on every call, or not, by the process's history (measure/allocator.py).
    malloc_top_pad: int = 256 * 2**20


@dataclass(frozen=True)
class TuningSettings:
    """``[tool.integrator.tuning]``: the tuning-spec libraries and the auto-tuner's search."""

    # User spec libraries (INTEGRATOR_TUNING_SPECS overrides); the tuner writes to the first.
    specs: tuple[str, ...] = ("tuning",)
    pipelines: tuple[str, ...] = ()  # IREE pipelines the tuner tries (empty: every [iree.*])
    minutes: float = 30.0  # default budget of one tuning run
    trials: int = 0  # default trial budget (0: only the time budget counts)
    dispatches: int = 0  # at most this many dispatches get a search (0: as the budget allows)
    min_gain: float = 0.03  # keep a configuration only if at least this much faster
    # Slower pipelines whose code differs (their dispatches are not the fastest's) and whose
    # dispatches take register tiles get a dispatch search of their own: IREE's default tiles
    # can hide a pipeline that wins once tuned (a channels-last conv1d: 5x slower untuned,
    # 2x faster tuned). At most this many, each within joint-within x of the fastest.
    joint_pipelines: int = 1
    joint_within: float = 8.0
    compile_timeout: float = 600.0  # seconds for one candidate's compile
    run_timeout: float = 300.0  # seconds for one candidate's check or benchmark
    samples: int = 7  # model-level timed calls per candidate and round
    rounds: int = 7  # candidates and baseline alternate this many times


@dataclass(frozen=True)
class ClusterSettings:
    """``[tool.integrator.cluster]``: where work may run besides this process, and the shared
    artifact store (``integrator/cluster.py``, ``integrator/store.py``)."""

    # A Dask scheduler ("tcp://host:8786"), "local" (a cluster started for the run), or None:
    # everything runs here, as without this table (INTEGRATOR_CLUSTER; "none" turns it off).
    address: str | None = None
    # A directory or any fsspec URL holding stage outputs by content (INTEGRATOR_STORE).
    store: str | None = None
    workers: int = 2  # compile workers of a "local" cluster (one thread each), plus one bench worker
    # The workers see this checkout and its cache at the same paths (NFS and the like): build
    # stages can run there. The tuner's jobs ship their files when this is false. "local": true.
    shared_filesystem: bool = False
    connect_timeout: float = 30.0  # seconds to reach the scheduler


@dataclass(frozen=True)
class ExternalRunner:
    """``[tool.integrator.external.<name>]``: a compiler and a runner that are not Python.

    Commands are argument lists; ``{input}``, ``{output}``, ``{artifact}`` and ``{cpu}`` are
    filled in with ``str.format``, and ``input-arg``/``output-arg`` are repeated once per
    tensor (``{path}`` is a .npy file). ``env`` and ``library-paths`` (prepended to
    LD_LIBRARY_PATH) apply to both commands.
    """

    name: str
    compile: tuple[str, ...]
    run: tuple[str, ...]
    input_arg: str = "--input=@{path}"
    output_arg: str = "--output=@{path}"
    env: dict = field(default_factory=dict)
    library_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    root: Path
    cache: Path
    model_dirs: tuple[Path, ...]
    schedules: Path
    engine: str  # default engine: "iree", "mlir", or an external runner's name
    iree_pipeline: str  # a named IREE flag set from schedules/pipelines.toml
    iree_extra_flags: tuple[str, ...]  # appended after the pipeline's flags
    mlir_pipeline: str  # a named upstream pass pipeline from schedules/pipelines.toml
    mlir_schedule: str | None  # the upstream engine's schedule when a model selects none
    schedule_timeout: float  # seconds a transform schedule may take to apply
    bench: BenchSettings
    stage_timeout: float = 3600.0  # seconds a stage process may run (0: no limit)
    tuning: TuningSettings = field(default_factory=TuningSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    model_overrides: dict = field(default_factory=dict)  # model name -> {setting: value}
    external: dict = field(default_factory=dict)  # name -> ExternalRunner
    target: str = "host"  # default target: "host" (this CPU) or "cuda" (core/target.py)
    cuda_arch: str = "sm_80"  # the GPU architecture of cuda builds (iree-compile's --iree-cuda-target)
    iree_cuda_pipeline: str = "cuda-default"  # the IREE flag set of cuda builds that select none

    @property
    def default_specs(self) -> Path:
        """The shipped tuning-spec library: ``<schedules>/tuning/<arch>/``."""
        return self.schedules / "tuning"

    @property
    def user_specs(self) -> list[Path]:
        """User tuning-spec libraries, highest precedence first (see ``tuning/specs.py``)."""
        from ..tuning.specs import user_libraries

        return user_libraries(self.root, self.tuning.specs)


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding a pyproject.toml."""
    start = Path(start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    raise FileNotFoundError(f"no pyproject.toml at or above {start}")


def load_project(root: Path | None = None) -> Project:
    root = find_root(root)
    with open(root / "pyproject.toml", "rb") as f:
        settings = tomllib.load(f).get("tool", {}).get("integrator", {})
    bench = settings.get("bench", {})
    iree = settings.get("iree", {})
    mlir = settings.get("mlir", {})
    cache = Path(os.environ.get("INTEGRATOR_CACHE", root / settings.get("cache", ".cache")))
    return Project(
        root=root,
        cache=cache,
        model_dirs=model_dirs(root, settings.get("models", ["models"])),
        schedules=root / settings.get("schedules", "schedules"),
        engine=settings.get("engine", "iree"),
        iree_pipeline=iree.get("pipeline", "cpu-default"),
        iree_extra_flags=tuple(iree.get("extra-flags", [])),
        mlir_pipeline=mlir.get("pipeline", "cpu-default"),
        mlir_schedule=mlir.get("schedule", "default") or None,
        schedule_timeout=float(mlir.get("schedule-timeout", 120)),
        stage_timeout=float(settings.get("stage-timeout", 3600)),
        target=str(settings.get("target", "host")),
        cuda_arch=str(settings.get("cuda-arch", "sm_80")),
        iree_cuda_pipeline=iree.get("cuda-pipeline", "cuda-default"),
        bench=_bench_settings(bench),
        tuning=_tuning_settings(settings.get("tuning", {})),
        cluster=_cluster_settings(settings.get("cluster", {})),
        model_overrides={
            name: {key.replace("-", "_"): value for key, value in table.items()}
            for name, table in settings.get("overrides", {}).items()
        },
        external={
            name: ExternalRunner(
                name=name,
                compile=tuple(table["compile"]),
                run=tuple(table["run"]),
                input_arg=table.get("input-arg", "--input=@{path}"),
                output_arg=table.get("output-arg", "--output=@{path}"),
                env=dict(table.get("env", {})),
                library_paths=tuple(table.get("library-paths", [])),
            )
            for name, table in settings.get("external", {}).items()
        },
    )


def model_dirs(root: Path, configured: list[str]) -> tuple[Path, ...]:
    """``[tool.integrator] models``, or ``INTEGRATOR_MODELS`` (``dir1:dir2``, replacing it).

    Relative paths are relative to the project root, wherever the command runs from.
    """
    override = os.environ.get("INTEGRATOR_MODELS")
    dirs = [d for d in override.split(os.pathsep) if d] if override else configured
    return tuple(root / Path(d).expanduser() for d in dirs)


def _settings_values(cls, table: dict, section: str, sequences: tuple[str, ...]) -> dict:
    """A settings table (kebab-case keys) as ``cls``'s fields; unknown keys are refused."""
    known = {f.name for f in fields(cls)}
    values = {key.replace("-", "_"): value for key, value in table.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown [tool.integrator.{section}] settings: {', '.join(unknown)}")
    for name in sequences:  # TOML lists, frozen like the defaults
        if name in values:
            values[name] = tuple(values[name])
    return values


def _tuning_settings(table: dict) -> TuningSettings:
    values = _settings_values(TuningSettings, table, "tuning", ("specs", "pipelines"))
    # `doit run tune:<m> minutes=5 trials=40` sets these for the tuner's process.
    if os.environ.get("INTEGRATOR_TUNE_MINUTES"):
        values["minutes"] = float(os.environ["INTEGRATOR_TUNE_MINUTES"])
    if os.environ.get("INTEGRATOR_TUNE_TRIALS"):
        values["trials"] = int(os.environ["INTEGRATOR_TUNE_TRIALS"])
    return TuningSettings(**values)


def _cluster_settings(table: dict) -> ClusterSettings:
    values = _settings_values(ClusterSettings, table, "cluster", ())
    # `doit run tune:<m> cluster=local store=/shared/cache` sets these; "none" (or "") turns
    # a pyproject setting off for one run.
    for name, variable in (("address", "INTEGRATOR_CLUSTER"), ("store", "INTEGRATOR_STORE")):
        if variable in os.environ:
            values[name] = os.environ[variable]
        if values.get(name) in ("", "none"):
            values[name] = None
    return ClusterSettings(**values)


def _bench_settings(table: dict) -> BenchSettings:
    """``[tool.integrator.bench]`` (kebab-case keys) over BenchSettings' defaults."""
    values = _settings_values(BenchSettings, table, "bench", ("baselines",))
    if "INTEGRATOR_THREADS" in os.environ:
        values["threads"] = int(os.environ["INTEGRATOR_THREADS"])
    return BenchSettings(**values)

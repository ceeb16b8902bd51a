"""Level 2 of the tuner: each slow dispatch's configuration (tile sizes) as a tuning spec.

The model's dispatches are dumped as standalone benchmark modules and timed one by one (their
share of the model's time); a probe shows which root ops a spec can reach in the whole model.
For the slowest reachable ones, variations of IREE's configuration are written as specs,
compiled in parallel against the dispatch's configuration-free module and timed one at a time,
each between two timings of IREE's default (re-measured, so drift shows). While its time share
lasts, the search climbs: the neighbours of the best configuration so far are timed next. Winners
are validated on the whole model before anything is written.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from ..core.artifacts import write_json
from ..engines.iree import IreeCompileError, IreeEngine, compile_file, spec_flags, target_flags
from .dispatches import Dispatch, find_dispatches
from .session import Session
from .specs import SpecEntry, SpecError, link_specs, matched_specs, render_spec
from .trials import Failure, Trial, candidate_key

MAX_DRIFT = 1.10  # a candidate whose two neighbouring default timings differ more than this is redone
MAX_CONFIRMS = 2  # a dispatch's best configurations timed again before one is taken
MAX_CENTRES = 4  # neighbourhoods searched per dispatch: IREE's configuration, then up to 3 climbs


def library_with(session: Session, spec: Path | None, name: str) -> Path | None:
    """A library of ``spec`` (first) and the project's specs, this model's earlier tuned spec
    left out (``spec`` is what would replace it); without ``spec``, the project's specs."""
    from .library import tuning_specs
    from .specs import Spec

    specs = tuning_specs(session.project)
    if spec:
        own = session.spec_file.resolve()
        specs = [Spec(spec, "user", session.cpu)] + [s for s in specs if s.path.resolve() != own]
    if not specs:
        return None
    library = session.workdir / f"{name}.library.mlirbc"
    link_specs(specs, library)
    return library


def model_flags(session: Session, pipeline: str, spec: Path | None = None, name: str = "current") -> list[str]:
    """The whole model's iree-compile flags under ``pipeline`` with ``spec`` added."""
    return IreeEngine().flags(session.build, pipeline=pipeline, cpu=session.cpu,
                              spec_library=library_with(session, spec, name))


# Flags that act on an executable's code generation. A dumped dispatch carries some of them in
# its target (ukernels, the stack limit) but not the passes' own options (the large-vector
# check: without it conv2d_dilated's convolution did not compile alone on znver3).
CODEGEN_FLAGS = ("--iree-llvmcpu-", "--iree-codegen-")


def codegen_flags(session: Session, pipeline: str) -> list[str]:
    """``pipeline``'s code-generation flags (and the model's): what a dispatch compiled alone
    needs besides its target, and what its trials are keyed on (the CPU is in the key already)."""
    return [f for f in IreeEngine().code_flags(session.build, pipeline=pipeline, spec_library=None)
            if f.startswith(CODEGEN_FLAGS)]


def dispatch_flags(session: Session, codegen: list[str], spec: Path | None = None) -> list[str]:
    """Flags for a dispatch's own benchmark module (already in HAL form: no input type): the
    target, the pipeline's ``codegen_flags``, then ``spec``."""
    return [*target_flags(session.cpu), *codegen, *spec_flags(spec)]


def trial_params(codegen: list[str], config: dict) -> dict:
    """A dispatch trial's key in the trials database: its configuration and the code-generation
    flags it was compiled with (a trial that failed without one of them is tried again)."""
    return {"config": config, "codegen": codegen}


def marker(session: Session, d: Dispatch) -> str:
    return f"{session.spec_file.name}:{d.short_name}"


def entry_for(d: Dispatch, config: dict, name: str) -> SpecEntry:
    return SpecEntry(name=name, op_name=d.root.op_name, operand_types=d.root.operand_types,
                     lowering_config=d.root.lowering_config(config), pipeline=d.root.pipeline,
                     comment=f"{d.short_name}: {json.dumps(config)}")


def dispatches_of(session: Session, pipeline: str) -> list[Dispatch]:
    """The model's dispatches under ``pipeline`` (dumped and counted, not timed)."""
    return find_dispatches(session.build.artifacts.scheduled, model_flags(session, pipeline),
                           session.workdir / pipeline, timeout=session.settings.compile_timeout)


def profile(session: Session, pipeline: str, dispatches: list[Dispatch]) -> list[Dispatch]:
    """Time each dispatch alone; slowest share of the model's time first."""
    s, workdir = session, session.workdir / pipeline
    (workdir / "profile").mkdir(exist_ok=True)
    flags = dispatch_flags(s, codegen_flags(s, pipeline))
    jobs = {d.function: (d.source, workdir / "profile" / f"{i}.vmfb", flags) for i, d in enumerate(dispatches)}
    failures = s.compile_all(jobs)
    for d in dispatches:
        if failures[d.function] is not None:
            d.errors.append(str(failures[d.function]))
    compiled = [d for d in dispatches if failures[d.function] is None]
    times = s.time_dispatches([jobs[d.function][1] for d in compiled], batch=10, repetitions=3)
    for d, ms in zip(compiled, times):
        if isinstance(ms, Failure):
            d.errors.append(ms.detail)
        else:
            d.ms = ms
    dispatches.sort(key=lambda d: d.total_ms, reverse=True)
    total = sum(d.total_ms for d in dispatches) or 1.0
    untimed = [d for d in dispatches if d.ms is None]
    s.note(f"dispatches under {pipeline}: {len(dispatches)}, {total:.2f} ms in all when timed one by one"
           + (f" ({len(untimed)} could not be timed alone: shares are of the timed ones)" if untimed else "")
           + "; slowest:")
    # A dispatch whose own benchmark module does not compile (IREE 3.13 dumps some without the
    # constants they read) has no time: it is listed as such, never as 0 ms.
    for d in [*(d for d in dispatches[:10] if d.ms is not None), *untimed]:
        root = d.root
        timed = (f"  {d.total_ms:7.3f} ms {100 * d.total_ms / total:5.1f}%" if d.ms is not None
                 else "   not timed alone:")
        s.note(f"{timed}  {d.count} x {d.short_name}"
               + (f"  [{root.pipeline} distribution={root.config.get('distribution')}"
                  + (f", spec {root.marker}" if root.marker else "") + "]" if root else "")
               + (f"  ({d.errors[0][:120]})" if d.ms is None and d.errors else ""))
    write_json(workdir / "profile.json", {"pipeline": pipeline, "total_ms": total, "dispatches": [
        {"function": d.function, "count": d.count, "ms": d.ms, "share": d.total_ms / total,
         "signature": d.signature, "root": d.root.op_name if d.root else None,
         "pipeline": d.root.pipeline if d.root else None, "config": d.root.config if d.root else None,
         "spec": d.root.marker if d.root else None, "errors": d.errors} for d in dispatches]})
    return dispatches


def _probe(session: Session, pipeline: str, dispatches: list[Dispatch], name: str) -> set[str]:
    """The probe marks that land when one spec matches all of ``dispatches``' root ops."""
    s, workdir = session, session.workdir / pipeline
    probe = workdir / f"{name}.mlir"
    probe.write_text(render_spec([entry_for(d, d.root.config, f"probe:{d.function}") for d in dispatches]))
    dump = workdir / f"{name}-configurations"
    compile_file(s.build.artifacts.scheduled, workdir / f"{name}.out",
                 [*model_flags(s, pipeline, probe, name), "--compile-to=executable-configurations",
                  f"--iree-hal-dump-executable-configurations-to={dump}"],
                 timeout=s.settings.compile_timeout)
    return set(filter(None, matched_specs(dump).values()))


# IREE's refusal of a dispatch two ops of which carry a configuration: a root op's matcher can
# also match another op (an elementwise generic with the same operand types, a softmax's parts).
CONFLICT = "multiple ops within dispatch trying to set the translation info"


def _probe_split(session: Session, pipeline: str, dispatches: list[Dispatch], name: str) -> list[Dispatch]:
    """The reachable ones among ``dispatches``, probing halves where a probe hits ``CONFLICT``
    (another failure ends the search: it would only repeat, at a whole-model compile each)."""
    try:
        marks = _probe(session, pipeline, dispatches, name)
    except IreeCompileError as error:
        if CONFLICT not in str(error):
            raise
        if len(dispatches) == 1:
            session.note(f"  {dispatches[0].short_name}: a spec for it would configure two ops of "
                         "one dispatch, which IREE refuses; not tuned")
            return []
        if name == "probe":
            session.note(f"dispatches: a matcher configures two ops of one dispatch ({CONFLICT}); "
                         f"probing the {len(dispatches)} in halves")
        half = len(dispatches) // 2
        return (_probe_split(session, pipeline, dispatches[:half], name + "a")
                + _probe_split(session, pipeline, dispatches[half:], name + "b"))
    return [d for d in dispatches if f"probe:{d.function}" in marks]


def reachable(session: Session, dispatches: list[Dispatch], pipeline: str) -> list[Dispatch]:
    """The dispatches a spec can reach in the whole model (some ops are rewritten after specs
    apply, e.g. data tiling's late materialization turns matmuls into mmt4d)."""
    if not dispatches:
        return []
    s = session
    try:
        found = _probe_split(s, pipeline, dispatches, "probe")
    except (IreeCompileError, subprocess.TimeoutExpired, SpecError) as error:
        s.note(f"dispatches: the applicability probe failed ({str(error)[:200]}); no dispatch tuning")
        return []
    if len(found) < len(dispatches):
        s.note(f"  under {pipeline}, specs cannot reach {len(dispatches) - len(found)} of {len(dispatches)} "
               "tunable dispatches (their root op is rewritten after specs apply, e.g. by "
               "late data-tiling materialization, or its matcher conflicts with another op)")
    return found


def best_of(trials: dict[str, Trial | None]) -> tuple[dict, float] | None:
    ranked = sorted((t.ratio, candidate_key(t.candidate["config"]))
                    for t in trials.values() if t is not None and t.ratio)
    return (json.loads(ranked[0][1]), ranked[0][0]) if ranked else None


def _time_batch(session: Session, d: Dispatch, jobs: dict, failures: dict, names: list[str]):
    """Time the batch's candidates, each between two timings of the default; (results,
    baselines) or None when the default does not run or the machine stays too noisy.

    Each candidate is compared with the default timed just before and just after it, so drift
    over the batch cancels out and only a candidate whose own two neighbours disagree is timed
    again (a 2-vCPU CI machine drifted 1.2x over whole batches of 12-microsecond matmuls, three
    times running, when one baseline pair had to hold for the whole batch). Candidates still
    noisy after three tries stay untried (``results`` leaves them out)."""
    s, batch = session, 1  # the first timing only sizes the batches

    def timed(names, batch):
        """Each of ``names`` in turn, on one machine."""
        return s.time_dispatches([jobs[name][1] for name in names], batch=batch, repetitions=5)

    first = timed(["default"], batch)[0]
    if isinstance(first, float) and first > 0:
        # Enough dispatches per timed batch (~5 ms) that microsecond kernels are measurable,
        # and no more: a 0.7 s dispatch (an untuned convolution) is timed once per repetition.
        batch = int(min(10000, max(1, 5.0 / first)))
    results = {name: failures[name] for name in names if failures[name]}
    baselines: dict[str, float] = {}
    pending = [name for name in names if not failures[name]]
    for _ in range(3):
        if not pending:
            break
        sequence = ["default"] + [x for name in pending for x in (name, "default")]
        times = timed(sequence, batch)
        defaults, candidates = times[0::2], times[1::2]
        if any(isinstance(t, Failure) for t in defaults):
            session.note(f"  {d.short_name}: the default configuration does not run; skipped")
            return None
        noisy = []
        for name, t, before, after in zip(pending, candidates, defaults, defaults[1:]):
            if isinstance(t, Failure) or 1 / MAX_DRIFT <= after / before <= MAX_DRIFT:
                results[name], baselines[name] = t, (before + after) / 2
            else:
                noisy.append(name)
        if noisy:
            session.note(f"  {d.short_name}: the machine drifted around {len(noisy)} of {len(pending)} "
                         f"candidates (default {min(defaults):.4f}-{max(defaults):.4f} ms); timing them again")
        pending = noisy
    if pending:
        session.note(f"  {d.short_name}: too noisy to measure {len(pending)} candidate(s) now; they stay untried")
    if pending and not baselines:
        return None
    return results, baselines


def tune_dispatch(session: Session, d: Dispatch, pipeline: str, *, deadline: float | None = None) -> tuple[dict, float] | None:
    """The best configuration for one dispatch and its time ratio to IREE's default; batches
    start only before ``deadline`` (``time.monotonic()``; at least one batch runs)."""
    s = session
    codegen = codegen_flags(s, pipeline)
    lanes = vector_lanes(s)
    directory = s.workdir / "dispatch" / d.signature
    directory.mkdir(parents=True, exist_ok=True)
    trials: dict[str, Trial | None] = {}
    centres: list[dict] = []

    def around(centre: dict) -> list[dict]:
        """The untried neighbours of ``centre``, after loading what earlier runs measured."""
        centres.append(centre)
        candidates = [c for c in candidate_configs(centre, register_tiles=takes_register_tiles(d),
                                                   pipeline=d.root.pipeline, lanes=lanes)
                      if candidate_key(c) not in trials]
        for c in candidates:
            trials[candidate_key(c)] = s.db.get("dispatch", d.signature, trial_params(codegen, c))
        todo = [c for c in candidates if trials[candidate_key(c)] is None]
        s.reused += len(candidates) - len(todo)
        if len(todo) < len(candidates):
            s.note(f"  {d.short_name}: {len(candidates) - len(todo)} of {len(candidates)} configurations known from earlier runs")
        return todo

    def climb() -> list[dict]:
        """Local search: once a neighbourhood is timed, the next one is around its best
        configuration, if that is a new centre. One step of 2x or 1/4x per dimension does not
        reach tiles two steps away (a transpose timed by hand ran 1.8x faster with 128 channels
        x 2 rows per workgroup than with 64 channels x all rows)."""
        best = best_of(trials)
        while best and best[0] not in centres and len(centres) < MAX_CENTRES:
            if todo := around(best[0]):
                return todo
            best = best_of(trials)
        return []

    todo = around(d.root.config) or climb()
    first = True
    while todo and s.budget.left() and (first or deadline is None or time.monotonic() < deadline):
        first = False
        batch, todo = todo[: s.budget.room(s.jobs * 4)], todo[s.budget.room(s.jobs * 4):]
        jobs = {"default": _default_job(s, d, codegen, directory)}
        for i, config in enumerate(batch):
            spec = directory / f"candidate{i}.mlir"
            spec.write_text(render_spec([entry_for(d, config, f"candidate{i}")]))
            jobs[f"candidate{i}"] = (d.stripped, directory / f"candidate{i}.vmfb", dispatch_flags(s, codegen, spec))
        failures = s.compile_all(jobs)
        if failures["default"]:
            s.note(f"  {d.short_name}: its benchmark module does not compile; skipped")
            return None
        names = [f"candidate{i}" for i in range(len(batch))]
        measured = _time_batch(s, d, jobs, failures, names)
        if measured is None:
            break
        results, baselines = measured
        for name, config in zip(names, batch):
            if name in results:
                trials[candidate_key(config)] = s.db.record(
                    "dispatch", d.signature, trial_params(codegen, config), results[name],
                    baseline_ms=baselines.get(name), model=s.model.name)
        s.budget.spend(len(batch))
        best = best_of(trials)
        default = f"default {sorted(baselines.values())[len(baselines) // 2]:.4f} ms" if baselines else "none ran"
        s.note(f"  {d.short_name}: {len(results)} of {len(batch)} configurations timed ({default}); best so far " + (f"{best[1]:.2f}x" if best else "none")
               + f"; {s.budget.describe()}")
        todo = todo or climb()
    return _confirmed_best(s, d, codegen, directory, trials)


def _default_job(s: Session, d: Dispatch, codegen: list[str], directory: Path) -> tuple[Path, Path, list[str]]:
    """The compile job of the dispatch under IREE's own configuration: what candidates are timed against."""
    return d.stripped, directory / "default.vmfb", dispatch_flags(s, codegen)


def _confirmed_best(s: Session, d: Dispatch, codegen: list[str], directory: Path,
                    trials: dict[str, Trial | None]) -> tuple[dict, float] | None:
    """The best configuration that is still a win when timed again, with its ratio from that
    timing; the search's best first, then the next (at most ``MAX_CONFIRMS`` tries).

    A search times hundreds of candidates once each, so on a VM whose speed jumps between two
    levels its best is biased towards a candidate timed in a fast moment between two slow
    timings of the default: on znver5 a ResNet-50 matmul "won" 0.54x (0.262 against 0.487 ms),
    which would be 700 GFLOP/s on a 508 GFLOP/s machine; timed again it was 1.0x."""
    limit = 1 - s.settings.min_gain
    for _ in range(MAX_CONFIRMS):
        best = best_of(trials)
        if not best or best[1] >= limit:
            return None
        config, searched = best
        spec = directory / "confirm.mlir"
        spec.write_text(render_spec([entry_for(d, config, "confirm")]))
        jobs = {"default": _default_job(s, d, codegen, directory),
                "confirm": (d.stripped, directory / "confirm.vmfb", dispatch_flags(s, codegen, spec))}
        failures = s.compile_all(jobs)
        ratio = None
        if not any(failures.values()):
            # The same binary three times, each between two timings of the default.
            names = [f"again{i}" for i in range(3)]
            timing = {"default": jobs["default"], **{name: jobs["confirm"] for name in names}}
            measured = _time_batch(s, d, timing, dict.fromkeys(names), names)
            if measured:
                results, baselines = measured
                ratios = sorted(results[n] / baselines[n] for n in baselines if isinstance(results.get(n), float))
                ratio = ratios[len(ratios) // 2] if ratios else None
        if ratio is not None and ratio < limit:
            s.note(f"  {d.short_name}: {searched:.2f}x timed again: {ratio:.2f}x")
            return config, ratio
        s.note(f"  {d.short_name}: {searched:.2f}x did not hold when timed again ("
               + (f"{ratio:.2f}x" if ratio is not None else "it did not run") + "); dropped")
        trials[candidate_key(config)] = None  # out of this run's ranking; the database keeps it
    return None


def validate(session: Session, pipeline: str, winners: list[tuple[Dispatch, dict, float]]) -> list:
    """Drop winners that break the model's numbers (that they apply was probed before)."""
    s = session
    spec, vmfb = s.workdir / f"tuned-{pipeline}.mlir", s.workdir / f"tuned-{pipeline}.vmfb"

    def fails(entries, name):
        spec.write_text(render_spec(entries))
        job = {name: (s.build.artifacts.scheduled, vmfb, model_flags(s, pipeline, spec, f"{name}-{pipeline}"))}
        return s.compile_all(job)[name] or s.check(vmfb)

    while winners:
        problem = fails([entry_for(d, c, marker(s, d)) for d, c, _ in winners], "tuned")
        if problem is None:
            return winners
        s.note(f"validation: the tuned model fails ({str(problem)[:200]}); trying each spec alone")
        kept, codegen = [], codegen_flags(s, pipeline)
        for d, c, r in winners:
            alone = fails([entry_for(d, c, marker(s, d))], "one")
            if alone is None:
                kept.append((d, c, r))
            else:
                s.db.record("dispatch", d.signature, trial_params(codegen, c), alone, model=s.model.name)
                s.note(f"  {d.short_name}: {alone.status}, discarded")
        if len(kept) == len(winners):
            return []  # each works alone but not together: keep none rather than guess
        winners = kept
    return []


# Register tiles (rows x columns of accumulators) tried for the two innermost parallel
# dimensions of a reduction: IREE 3.13 configures some convolution generics with a 1 x 8 tile
# and 16-wide reductions (a 1-D channels-last convolution, 8x32x4096 -> 64 channels, kernel 31:
# 30 GFLOP/s); 8 x 32 with unit reductions runs it at 220 (znver4, 2 threads).
# With 16 lanes (AVX-512: 32 vector registers) each tile holds at most 16 accumulators; with 8
# (AVX2: 16 registers) at most 12, leaving registers for the operands: onnxruntime's AVX2
# kernels use 6 x 16, while IREE 3.13 gives AVX2 matmuls 8 x 8 (8 accumulators), and the
# AVX-512 tiles above would spill (8 x 32 is 32 accumulators of 8 lanes).
REGISTER_TILES = {16: ((8, 32), (4, 64), (16, 16), (6, 32), (8, 16)),
                  8: ((6, 16), (4, 24), (3, 32), (12, 8), (4, 16), (2, 32))}


def vector_lanes(session: Session) -> int:
    """f32 lanes of the tuned CPU's widest vectors: 16 with AVX-512, else 8."""
    from .specs import vector_level

    return 16 if vector_level(session.cpu, session.project.cache) == "avx512" else 8


# Direct convolutions (IREE's ConvTileAndDecomposeExpert: n, oh, ow, f, then reductions) get
# tiles of output columns x output channels. IREE 3.13 gave the 2-D convolution that
# conv3d_3x5x7 is rewritten to (width 58, 9 channels in, 64 out) a 2 x 16 tile: 2 accumulators,
# 100 GFLOP/s. The columns must divide the workgroup's width: 4, 6 or 8 of 58 ran 16-27x
# slower, while 29 x 16 took the model 34.6 -> 20.5 ms (znver4, 2 threads); its reductions stay
# as they were (unit ones: 12x slower).
CONV_CHANNEL_VECTORS = (1, 2, 4)  # output channels per tile, in vectors of IREE's width
MAX_CONV_COLUMNS = 32


def takes_register_tiles(d: Dispatch) -> bool:
    """Whether the search tries register tiles on ``d`` (ops vectorized as outer products, and
    direct convolutions)."""
    return d.root is not None and bool(register_tile_configs(d.root.config, d.root.pipeline))


def register_tile_configs(config: dict, pipeline: str = "DoubleTilingExpert", lanes: int = 16) -> list[dict]:
    """Register-tile variants of ``config``, a root op's configuration under ``pipeline``, for
    vectors of ``lanes`` f32; none for the pipelines whose tiles are not register tiles
    (data-tiled ops, elementwise)."""
    if pipeline == "DoubleTilingExpert":
        return _outer_product_tiles(config, REGISTER_TILES[lanes])
    if pipeline == "ConvTileAndDecomposeExpert":
        return _direct_conv_tiles(config)
    return []


def _parallel_dims(config: dict) -> list[int] | None:
    """The tiled parallel dimensions of a reduction's configuration, if it has two or more."""
    distribution = config.get("distribution", [])
    parallel = [i for i, t in enumerate(distribution) if t > 0]
    if (len(parallel) < 2 or not any(config.get("vector_reduction", []))
            or len(config.get("vector_common_parallel", [])) != len(distribution)):
        return None
    return parallel


def _outer_product_tiles(config: dict, tiles) -> list[dict]:
    """``config`` with each register tile on (rows, the innermost parallel dimension), rows
    on each other parallel dimension in turn, innermost first (the workgroup tiles rounded up
    to multiples of it), reductions unrolled by 1 or as they were."""
    parallel = _parallel_dims(config)
    if parallel is None:
        return []
    inner = parallel[-2:]
    distribution, vector = config["distribution"], config["vector_common_parallel"]
    reduction = config["vector_reduction"]
    out = []
    # Rows on the second-innermost parallel dimension first, then on each outer one (whose
    # rows share the broadcast operand is the op's business: the merged phases of
    # conv_transpose3d_grouped, (channels, batch, pixels), ran 4x faster with 8 channels x 32
    # pixels, and no faster with 8 batch rows).
    for rows in reversed(parallel[:-1]):
        for tile in tiles:
            new_vector, new_distribution = list(vector), list(distribution)
            if rows != inner[0]:
                new_vector[inner[0]] = 1
            for i, size in zip((rows, inner[1]), tile):
                new_vector[i] = size
                new_distribution[i] = -(-distribution[i] // size) * size
            for new_reduction in ([1 if t else 0 for t in reduction], reduction):
                out.append(dict(config, distribution=new_distribution,
                                vector_common_parallel=new_vector, vector_reduction=list(new_reduction)))
    return out


def _direct_conv_tiles(config: dict) -> list[dict]:
    """``config`` with more accumulators on (output columns, output channels): columns that
    divide the workgroup's width, channels 1, 2 or 4 of IREE's vectors (its channel tile),
    at most what the vector registers hold (32 of 16 lanes, 16 of 8) less three for operands;
    the most accumulators first, the distribution and reductions unchanged."""
    parallel = _parallel_dims(config)
    if parallel is None:
        return []
    (w, f), distribution = parallel[-2:], config["distribution"]
    vector = config["vector_common_parallel"]
    lanes = vector[f]
    if lanes <= 0:
        return []
    registers = (32 if lanes >= 16 else 16) - 3
    now = vector[w]  # accumulators of the current tile (one vector of channels)
    tiles = []
    for columns in (c for c in range(1, min(distribution[w], MAX_CONV_COLUMNS) + 1) if distribution[w] % c == 0):
        for vectors in CONV_CHANNEL_VECTORS:
            if distribution[f] % (vectors * lanes) == 0 and now < columns * vectors <= registers:
                tiles.append((columns * vectors, columns, vectors * lanes))
    out = []
    for _, columns, channels in sorted(tiles, reverse=True)[:6]:
        new_vector = list(vector)
        new_vector[w], new_vector[f] = columns, channels
        out.append(dict(config, vector_common_parallel=new_vector))
    return out


def square_tile_configs(config: dict) -> list[dict]:
    """For an elementwise-like op vectorized along one dimension: the same width along each
    other parallel dimension too, a square vector tile. A transpose needs it: vectorized only
    along the input's contiguous dimension, its writes scatter one lane at a time
    (conv3d_3x5x7's channels-last output back to NCHW, (2, 48720, 64): 16 x 16 tiles ran it in
    1.4-1.6 ms against 2.6-4.1 with IREE's 1 x 16, emeraldrapids). Workgroup tiles are rounded
    down to multiples of the width."""
    distribution = config.get("distribution", [])
    vector = config.get("vector_common_parallel", [])
    wide = [i for i, t in enumerate(vector) if t > 1]
    if "vector_reduction" in config or len(wide) != 1:
        return []
    width = vector[wide[0]]
    out = []
    for i in reversed(range(len(vector))):
        if i != wide[0] and i < len(distribution) and distribution[i] >= width:
            new_vector = [width if j == i else t for j, t in enumerate(vector)]
            new_distribution = [(t // width) * width if j == i else t for j, t in enumerate(distribution)]
            out.append(dict(config, distribution=new_distribution, vector_common_parallel=new_vector))
    return out


def candidate_configs(config: dict, *, register_tiles: bool = False,
                      pipeline: str = "DoubleTilingExpert", lanes: int = 16) -> list[dict]:
    """Tile-size variations around a configuration: the distribution (workgroup) tiles of each
    parallel dimension scaled by 1/4..4 or set to 1, pairs of them (both 2x or 1/2x, or work
    moved from one to the other: 2x and 1/2x, 4x and 1/4x), the outermost reduction tile
    halved or doubled (or 2 and 4 where it is 1: more unrolling of k), and for the innermost vector
    tile of elementwise-like ops, 8 and 32 (and, right after the current configuration, square
    vector tiles: ``square_tile_configs``). Tiles stay multiples of the vector tiles. With
    ``register_tiles`` (ops vectorized as outer products or direct convolutions, as the root
    op's ``pipeline`` says; not data-tiled ones, whose tiles the layout fixes), the register
    tiles above come right after the current configuration."""
    distribution = config.get("distribution", [])
    vector = config.get("vector_common_parallel", [0] * len(distribution))
    dims = [i for i, t in enumerate(distribution) if t > 0]

    def fit(i, size):
        step = vector[i] if i < len(vector) and vector[i] > 0 else 1
        return max(step, (max(1, int(size)) // step) * step)

    changes = [{}]  # {} first: the current configuration itself, via a spec
    for i in dims:
        changes += [{i: fit(i, distribution[i] * f)} for f in (0.25, 0.5, 2, 4)] + [{i: fit(i, 1)}]
    # Pairs, including work moved whole from one dimension to another (1/4 of one, 4x the
    # other): conv2d_1x1_batch's batch matmul ran 12 % faster with 1 image x 784 pixels per
    # workgroup than with 4 x 256, a move that single steps and the 2x pairs do not make
    # (emeraldrapids, 2 threads). A tile past its dimension's size covers it whole.
    for a in dims:
        for b in (b for b in dims if b > a):
            changes += [{a: fit(a, distribution[a] * fa), b: fit(b, distribution[b] * fb)}
                        for fa, fb in ((2, 0.5), (0.5, 2), (2, 2), (0.5, 0.5), (4, 0.25), (0.25, 4))]
    out = [dict(config, distribution=[change.get(i, t) for i, t in enumerate(distribution)])
           for change in changes]
    if register_tiles:
        out[1:1] = register_tile_configs(config, pipeline, lanes)
    reduction = config.get("vector_reduction", [])
    # Only the outermost reduction dimension: inner ones (mmt4d's k0) are fixed by the layout.
    for i, size in [(i, t) for i, t in enumerate(reduction) if t > 0][:1]:
        for new in ((2, 4) if size == 1 else (size // 2, size * 2)):
            out.append(dict(config, vector_reduction=[new if j == i else t for j, t in enumerate(reduction)]))
    if "vector_reduction" not in config and vector and vector[-1] > 0:
        out += [dict(config, vector_common_parallel=[*vector[:-1], width]) for width in (8, 32)
                if not (distribution[-1] and distribution[-1] % width)]
        out[1:1] = square_tile_configs(config)
    unique = {candidate_key(c): c for c in reversed(out)}  # first occurrence wins
    return [c for c in out if unique[candidate_key(c)] is c]

"""What tuning buys: one model built four ways with IREE, timed beside its baselines in one run.

    doit run check:resnet50                    # the import must exist
    python benchmarks/tuning.py resnet50       # add --baselines torch_eager,torch_compile,onnxruntime

Builds (all for this CPU, the bench thread count, the same inputs):

- ``iree-defaults``: IREE's own flags (the ``cpu-plain`` pipeline), no tuning specs;
- ``project-flags``: the project's default pipeline (``[tool.integrator.iree] pipeline``), no specs;
- ``shipped``: what a fresh clone builds: the shipped tuning library (``schedules/tuning``,
  pipeline choice and specs for this CPU), no user specs;
- ``tuned``: what ``bench:<model>`` builds now: user libraries (``tune:<model>``'s output) first,
  then the shipped ones. Left out when no user spec or choice applies to the model.

Each build is checked against the reference before it is timed. Timing is the bench stage's:
interleaved rounds, medians and spread, ratios to torch eager from the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integrator.core.build import Build  # noqa: E402
from integrator.core.host import host_cpu  # noqa: E402
from integrator.core.project import load_project  # noqa: E402
from integrator.core.selection import tuned_choice  # noqa: E402
from integrator.engines.iree import IreeEngine, IreeModule, compile_file  # noqa: E402
from integrator.ingress.models import find_model  # noqa: E402
from integrator.measure.allocator import keep_freed_memory  # noqa: E402
from integrator.measure.bench import bench_model, bench_subject, compiled_timer  # noqa: E402
from integrator.measure.check import check_compiled  # noqa: E402
from integrator.tuning.choices import find_choice  # noqa: E402
from integrator.tuning.specs import find_specs, link_specs  # noqa: E402


def builds(b: Build, cpu: str, workdir: Path) -> dict[str, list[str]]:
    """{build: iree-compile flags}, each from the engine's one flag assembly."""
    project, engine = b.project, IreeEngine()

    def library(specs, label):
        if not specs:
            return None
        path = workdir / f"{label}.library.mlirbc"
        link_specs(specs, path)
        return path

    def flags(pipeline, specs=None, label=""):
        return engine.flags(b, pipeline=pipeline, spec_library=library(specs, label), cpu=cpu)

    shipped_choice = find_choice([project.default_specs], cpu, b.name)[0].iree_pipeline
    result = {
        "iree-defaults": flags("cpu-plain"),
        "project-flags": flags(project.iree_pipeline),
        "shipped": flags(shipped_choice or project.iree_pipeline,
                         find_specs([], project.default_specs, cpu), "shipped"),
    }
    all_specs = find_specs(project.user_specs, project.default_specs, cpu)
    choice, path = tuned_choice(project, b.name)
    tuned_by_user = path is not None and project.default_specs not in path.parents
    if tuned_by_user or any(s.library == "user" for s in all_specs):
        result["tuned"] = flags(choice.iree_pipeline or project.iree_pipeline, all_specs, "tuned")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--baselines", default="torch_eager,onnxruntime")
    parser.add_argument("--skip", default="", help="builds to leave out, e.g. iree-defaults")
    args = parser.parse_args(argv)

    project = load_project(ROOT)
    model = find_model(project, args.model)
    b = Build.of(project, model)
    if not b.artifacts.scheduled.exists():
        sys.exit(f"run `doit run check:{model.name}` first")
    cpu, settings = host_cpu(project.cache), project.bench
    keep_freed_memory(settings.malloc_top_pad)  # as the bench stage: the same for every system
    subject, expected, info = bench_subject(b)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        compiled = {}
        for label, flags in builds(b, cpu, workdir).items():
            if label in args.skip.split(","):
                continue
            vmfb = workdir / f"{label}.vmfb"
            compile_file(b.artifacts.scheduled, vmfb, flags)
            module = IreeModule(vmfb, info["entry"])
            _, check = check_compiled(module, b.artifacts.reference, atol=model.settings.atol,
                                      rtol=model.settings.rtol)
            print(f"{label}: {' '.join(flags)}\n  check: {'pass' if check['passed'] else 'FAIL ' + check['reason']}")
            if check["passed"]:
                compiled[label] = compiled_timer(module, settings.threads)
        baselines = [s for s in args.baselines.split(",") if s]
        results = bench_model(subject, expected, settings, compiled=compiled, baselines=baselines,
                              baseline=b.format.ratio_base, label=f"tuning:{model.name}")
    print(f"\n{model.name} on {cpu}, {settings.threads} threads, one run (median ms, p10-p90, samples):")
    print("| build / system | median ms | p10 | p90 | n | vs " + str(b.format.ratio_base) + " |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        if "error" in r:
            print(f"| {name} | failed: {r['error'][:80]} | | | | |")
            continue
        ratio = r.get("ratio_to_baseline")
        print(f"| {name} | {r['median_ms']:.2f} | {r['p10_ms']:.2f} | {r['p90_ms']:.2f} | "
              f"{r['samples']} | {f'{ratio:.2f}x' if ratio else ''} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

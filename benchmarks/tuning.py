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

from integrator import engines  # noqa: E402
from integrator.bench import bench_model  # noqa: E402
from integrator.check import compare, load_reference  # noqa: E402
from integrator.cli import find_model  # noqa: E402
from integrator.host import host_cpu  # noqa: E402
from integrator.iree_engine import INPUT_TYPES, compile_module, run  # noqa: E402
from integrator.pipelines import get_pipeline  # noqa: E402
from integrator.project import load_project  # noqa: E402
from integrator.selection import find_choice, tuned_choice  # noqa: E402
from integrator.stages import SPEC_SAFE_FLAGS, Build, bench_subject  # noqa: E402
from integrator.systems import RATIO_BASE  # noqa: E402
from integrator.tuning_specs import find_specs, link_specs  # noqa: E402


def builds(project, name: str, cpu: str, workdir: Path) -> dict[str, list[str]]:
    """{build: iree-compile flags} (pipeline flags and the tuning-spec library's flag)."""

    def library(specs, label):
        if not specs:
            return []
        path = workdir / f"{label}.library.mlirbc"
        link_specs(specs, path)
        return [f"--iree-codegen-tuning-spec-path={path}", *SPEC_SAFE_FLAGS]

    def pipeline(pipeline_name):
        return list(get_pipeline(project.schedules, pipeline_name).all_flags())

    shipped_choice = find_choice([project.default_specs], cpu, name)[0].get("iree_pipeline")
    shipped_specs = find_specs([], project.default_specs, cpu)
    result = {
        "iree-defaults": pipeline("cpu-plain"),
        "project-flags": pipeline(project.iree_pipeline),
        "shipped": pipeline(shipped_choice or project.iree_pipeline) + library(shipped_specs, "shipped"),
    }
    all_specs = find_specs(project.user_specs, project.default_specs, cpu)
    choice, path = tuned_choice(project, name)
    tuned_by_user = path is not None and project.default_specs not in path.parents
    if tuned_by_user or any(s.library == "user" for s in all_specs):
        result["tuned"] = (pipeline(choice.get("iree_pipeline", project.iree_pipeline))
                           + library(all_specs, "tuned"))
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
    subject, expected, info = bench_subject(b)
    inputs, reference = load_reference(b.artifacts.reference)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        compiled = {}
        for label, flags in builds(project, model.name, cpu, workdir).items():
            if label in args.skip.split(","):
                continue
            vmfb = workdir / f"{label}.vmfb"
            compile_module(b.artifacts.scheduled, output=vmfb, cpu=cpu, flags=flags,
                           input_type=INPUT_TYPES[model.format])
            check = compare(run(vmfb, inputs, entry=info["entry"]), reference,
                            atol=model.settings.atol, rtol=model.settings.rtol)
            print(f"{label}: {' '.join(flags)}\n  check: {'pass' if check['passed'] else 'FAIL ' + check['reason']}")
            if not check["passed"]:
                continue

            def prepare(arrays, files, vmfb=vmfb):
                return engines.timer(project, "iree", vmfb, {}, arrays, files, settings.threads,
                                     len(info["outputs"]), entry=info["entry"])

            compiled[label] = prepare
        baselines = [s for s in args.baselines.split(",") if s]
        results = bench_model(subject, expected, settings, compiled=compiled, baselines=baselines,
                              baseline=RATIO_BASE[model.format], label=f"tuning:{model.name}")
    print(f"\n{model.name} on {cpu}, {settings.threads} threads, one run (median ms, p10-p90, samples):")
    print("| build / system | median ms | p10 | p90 | n | vs " + RATIO_BASE[model.format] + " |")
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

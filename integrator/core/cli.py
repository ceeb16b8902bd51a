"""``python -m integrator``: run one stage for one model outside of doit; list the models.

The doit tasks call this in a fresh process per stage, so that a crash, a thread pool or
torch's compile caches in one model's stage cannot affect another, and so that the doit
process itself never imports torch. Exit code 2 means a StageError (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import StageError
from ..ingress.models import discover, find_model
from .project import load_project
from .build import Build
from .show_ir import IR_STAGES, ir_file, render
from .stages import PROJECT_STAGES, STAGES
from .target import from_label

EXIT_STAGE_ERROR = 2


def print_ir(project, model, stage: str) -> None:
    build = Build.of(project, model)
    artifacts = build.artifacts
    # transform and lowered exist only for the upstream engine; older files may linger.
    shown = IR_STAGES if build.selection.engine == "mlir" else ("import", "schedule")
    for name in shown if stage == "all" else (stage,):
        path = ir_file(artifacts, name)
        if not path.exists():
            if stage != "all":
                raise StageError(model.name, name, f"{path} is not built",
                                 hint=f"run `doit run {name if name in STAGES else 'compile'}:{model.name}` first")
            continue
        print(f"// ----- {name}:{model.name} ({path})")
        print(render(path))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one stage for one model (or a project stage)")
    run.add_argument("stage", choices=[*STAGES, *PROJECT_STAGES])
    run.add_argument("model", nargs="?", help="model name (file stem in a models directory)")
    run.add_argument("--root", help="project root (default: nearest pyproject.toml)")
    run.add_argument("--target", default="host",
                     help="a project stage's target (specs, peak): host, cuda-sm_80, cuda")
    show = sub.add_parser("ir", help="print a model's IR after a stage (built artifacts only)")
    show.add_argument("model")
    show.add_argument("--stage", default="all", choices=["all", *IR_STAGES])
    show.add_argument("--root")
    for stage in PROJECT_STAGES.values():  # `python -m integrator peak` = `run peak`
        sub.add_parser(stage.name, help=stage.doc).add_argument("--root")
    dispatches = sub.add_parser("dispatches", help="a model's dispatches and the tuning spec that configured each")
    dispatches.add_argument("model")
    dispatches.add_argument("--root")
    tune = sub.add_parser("tune", help="auto-tune a model: pipeline, then its slowest dispatches")
    tune.add_argument("model")
    tune.add_argument("--minutes", type=float, help="time budget ([tool.integrator.tuning] minutes)")
    tune.add_argument("--trials", type=int, help="trial budget, 0 for none ([tool.integrator.tuning] trials)")
    tune.add_argument("--root")
    listing = sub.add_parser(
        "models", help="the catalogue: every model's format, inputs, size and stage states"
    )
    listing.add_argument("--root")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    sub.add_parser("suite", help="what every model came to: stage reached, failure class, "
                   "speedup; pass rates per directory (.cache/report/suite.md)").add_argument("--root")
    args = parser.parse_args(argv)

    project = load_project(args.root)
    try:
        stage = args.stage if args.command == "run" else args.command
        if stage in PROJECT_STAGES:
            target = from_label(getattr(args, "target", "host"))
            print(PROJECT_STAGES[stage].run(project, target), flush=True)
        elif args.command == "models":
            from .catalogue import catalogue

            print(catalogue(project, discover(project.model_dirs), as_json=args.json), flush=True)
        elif args.command == "suite":
            from ..measure.suite import run_suite

            print(run_suite(project), flush=True)
        elif args.command == "dispatches":
            from ..tuning.dispatches import describe_dispatch_specs

            print(describe_dispatch_specs(project, find_model(project, args.model)), flush=True)
        elif args.command == "tune":
            from ..tuning.tuner import tune

            print(tune(project, find_model(project, args.model), minutes=args.minutes,
                       trials=args.trials), flush=True)
        elif args.command == "ir":
            print_ir(project, find_model(project, args.model), args.stage)
        else:
            if args.model is None:
                parser.error(f"run {args.stage}: which model?")
            model = find_model(project, args.model)
            from .runner import run_stage  # the store and the cluster, where configured

            print(run_stage(Build.of(project, model), args.stage), flush=True)
    except StageError as error:
        print(error, file=sys.stderr, flush=True)
        if os.environ.get("INTEGRATOR_ERROR_RECORD"):  # the doit task reads the error as data
            Path(os.environ["INTEGRATOR_ERROR_RECORD"]).write_text(json.dumps(error.record()))
        return EXIT_STAGE_ERROR
    return 0

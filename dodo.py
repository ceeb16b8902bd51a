"""The build graph: import -> schedule -> compile -> check -> bench per model; peak; report;
and the catalogue of models (``doit models``).

Kept thin on purpose: loading it must not import torch (``doit list`` and no-op runs are fast).
"""

import os

from doit import get_var

from integrator.core.selection import ENVIRONMENT

# `doit run bench:mlp engine=mlir` selects for this run (and the stage processes it starts)
# just as INTEGRATOR_ENGINE=mlir would; see integrator/selection.py.
for _setting, _variable in ENVIRONMENT.items():
    if get_var(_setting):
        os.environ[_variable] = get_var(_setting)
# `doit run tune:resnet50 minutes=30` (or trials=100): the tuner's budget for this run;
# `doit run bench:mlp specs=my_specs` (dir1:dir2): user tuning-spec libraries for this run.
for _setting, _variable in (("minutes", "INTEGRATOR_TUNE_MINUTES"),
                            ("trials", "INTEGRATOR_TUNE_TRIALS"),
                            ("specs", "INTEGRATOR_TUNING_SPECS")):
    if get_var(_setting) is not None:
        os.environ[_variable] = get_var(_setting)

from tasks.graph import (  # noqa: E402, F401 -- one generator per stage of the table, and the views
    project,
    task_bench,
    task_check,
    task_compile,
    task_dispatches,
    task_import,
    task_ir,
    task_models,
    task_peak,
    task_report,
    task_schedule,
    task_specs,
    task_suite,
    task_tune,
)

project().cache.mkdir(parents=True, exist_ok=True)

DOIT_CONFIG = {
    # sqlite3 so that `doit -n 2` (parallel processes) can share the state safely.
    "backend": "sqlite3",
    "dep_file": str(project().cache / "doit.sqlite3"),
    "verbosity": 1,
    # `doit` alone builds everything; the catalogue (`doit models`), the suite summary
    # (`doit run suite`), the IR and dispatch views (`doit run ir:<model>`,
    # `dispatches:<model>`) and tuning (`tune:<model>`) are asked for by name.
    "default_tasks": ["specs", "import", "schedule", "compile", "check", "bench", "peak", "report"],
}

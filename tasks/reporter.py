"""doit's console reporter with less noise around a failure.

A failed stage's message already names the model, the stage and what to do. doit's default
also prints, for every task downstream of it, an ``UnmetDependency`` block, and after the
run a ``<stdout>`` section even when the stage printed nothing. Here the downstream tasks are
listed on one line, and only output that exists is shown.
"""

from doit.exceptions import UnmetDependency
from doit.reporter import ConsoleReporter


class StageReporter(ConsoleReporter):
    def initialize(self, tasks, selected_tasks):
        super().initialize(tasks, selected_tasks)
        self.blocked = []

    def add_failure(self, task, fail):
        if isinstance(fail, UnmetDependency):  # said once, by the stage that failed
            if task.actions:  # a stage's group (`bench`) is not a stage
                self.blocked.append(task.name)
            return
        super().add_failure(task, fail)

    def complete_run(self):
        for result in self.failures:
            task = result["task"]
            if not task.executed:
                continue
            err = "".join(a.err for a in task.actions if a.err).strip()
            out = "".join(a.out for a in task.actions if a.out).strip()
            show_err = task.verbosity < 1 or self.failure_verbosity > 0
            show_out = task.verbosity < 2 or self.failure_verbosity == 2
            sections = [(f"{task.name} <stderr>", err) if show_err else None,
                        (f"{task.name} <stdout>", out) if show_out else None]
            for title, text in filter(None, sections):
                if text:
                    self.write("#" * 40 + f"\n{title}:\n{text}\n")
        if self.blocked:
            self.write(f"not run, because a stage they need failed: {', '.join(self.blocked)}\n")
        if self.runtime_errors:
            self.write("#" * 40 + "\nExecution aborted.\n" + "\n".join(self.runtime_errors) + "\n")

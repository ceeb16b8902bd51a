"""The one error type a stage raises: it names the model, the stage and what to do."""


class StageError(Exception):
    """``kind``: the class of the failure where the raiser knows it (``"export"``, ``"too large
    for this machine"``, ``"unsupported op: ..."``), for the suite summary."""

    def __init__(self, model: str, stage: str, message: str, hint: str | None = None,
                 kind: str | None = None):
        self.model = model
        self.stage = stage
        self.message = message
        self.hint = hint
        self.kind = kind
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.stage}:{self.model}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def record(self) -> dict:
        """The error as data (the doit task keeps it for the catalogue)."""
        return {"model": self.model, "stage": self.stage, "message": self.message,
                "hint": self.hint, "kind": self.kind, "text": str(self)}


class ClusterError(RuntimeError):
    """A Dask cluster cannot do what was asked: unreachable, no suitable worker, lost
    (``integrator/cluster.py``)."""

"""The tuner's results database: every trial ever measured, in ``.cache/tuning/trials.sqlite3``.

A trial is keyed by the target CPU, the tool versions, the level (``pipeline`` for a whole
model's flag set, ``dispatch`` for one dispatch's configuration, ``schedule`` for an upstream
schedule's parameters), a signature (the model's IR for pipelines and schedules; the
dispatch's own code for configurations, so the same dispatch in two models shares its trials)
and the candidate. A re-run finds what is already known and
measures only the rest; a failed candidate is kept too, so it is never tried (or chosen) again.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS trials (
    id INTEGER PRIMARY KEY,
    cpu TEXT NOT NULL,
    versions TEXT NOT NULL,
    level TEXT NOT NULL,
    signature TEXT NOT NULL,
    candidate TEXT NOT NULL,
    status TEXT NOT NULL,      -- ok, or a Failure's status
    ms REAL,                   -- the candidate's median
    baseline_ms REAL,          -- the baseline's median, measured in the same batch
    detail TEXT,
    model TEXT,
    created TEXT NOT NULL,
    timed_on TEXT,             -- host (cpu) that timed it
    UNIQUE (cpu, versions, level, signature, candidate)
)
"""

OK = "ok"


@dataclass(frozen=True)
class Failure:
    """Why a candidate has no time: a status the database keeps, and the details."""

    status: str  # compile-failed, crashed, wrong, timeout
    detail: str

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"


@dataclass(frozen=True)
class Trial:
    candidate: dict
    status: str
    ms: float | None
    baseline_ms: float | None
    detail: str | None

    @property
    def ratio(self) -> float | None:
        """Time relative to the baseline of its own batch (drift cancels out)."""
        if self.status != OK or not self.ms or not self.baseline_ms:
            return None
        return self.ms / self.baseline_ms


def candidate_key(candidate: dict) -> str:
    """A candidate (config, params) as one string: equal candidates, equal keys."""
    return json.dumps(candidate, sort_keys=True)


class TrialDB:
    def __init__(self, path: Path, cpu: str, versions: dict):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=60)
        self.db.execute(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(trials)")}
        if "timed_on" not in columns:  # a database from before it was recorded
            self.db.execute("ALTER TABLE trials ADD COLUMN timed_on TEXT")
        self.cpu = cpu
        # Where the trials recorded next were timed: this machine, or a cluster's bench worker.
        self.timed_on = f"{socket.gethostname()} ({cpu})"
        self.versions = json.dumps(versions, sort_keys=True)

    def get(self, level: str, signature: str, candidate: dict) -> Trial | None:
        row = self.db.execute(
            "SELECT candidate, status, ms, baseline_ms, detail FROM trials WHERE cpu=? AND "
            "versions=? AND level=? AND signature=? AND candidate=?",
            (self.cpu, self.versions, level, signature, candidate_key(candidate)),
        ).fetchone()
        return Trial(json.loads(row[0]), *row[1:]) if row else None

    def record(self, level: str, signature: str, candidate: dict, outcome: "float | Failure", *,
               baseline_ms: float | None = None, model: str | None = None) -> Trial:
        """Record a candidate's time (with its batch's baseline) or its failure."""
        if isinstance(outcome, Failure):
            status, ms, detail = outcome.status, None, outcome.detail
        else:
            status, ms, detail = OK, outcome, None
        self.db.execute(
            "INSERT OR REPLACE INTO trials (cpu, versions, level, signature, candidate, status, "
            "ms, baseline_ms, detail, model, created, timed_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.cpu, self.versions, level, signature, candidate_key(candidate), status, ms,
             baseline_ms, detail, model, time.strftime("%Y-%m-%dT%H:%M:%S"),
             self.timed_on if ms is not None else None),
        )
        self.db.commit()
        return Trial(candidate, status, ms, baseline_ms, detail)

    def close(self) -> None:
        self.db.close()

"""Signs of life for long stages: elapsed time, progress bars. Only on a terminal.

The doit action sets ``INTEGRATOR_PROGRESS=1`` for a stage process when doit itself runs on a
terminal and forwards the stage's stderr there live; in CI and in logs nothing is printed, so
output stays quiet and parseable.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time


def enabled() -> bool:
    return os.environ.get("INTEGRATOR_PROGRESS") == "1"


@contextlib.contextmanager
def elapsed(label: str, every: float = 1.0):
    """Show ``label  12 s`` on one updating line while the block runs."""
    if not enabled():
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def tick():
        while not done.wait(every):
            sys.stderr.write(f"\r  {label}  {time.monotonic() - started:.0f} s")
            sys.stderr.flush()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        sys.stderr.write(f"\r  {label}  done in {time.monotonic() - started:.1f} s\n")
        sys.stderr.flush()


class _Silent:
    """What ``bar`` gives where nothing is shown: the calls a bar takes, doing nothing (so the
    bench runs where tqdm is not installed, e.g. a GPU machine with torch alone)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass


def bar(total: int, description: str):
    """A tqdm bar on a terminal, a silent stand-in elsewhere."""
    if not enabled():
        return _Silent()
    from tqdm import tqdm

    return tqdm(total=total, desc=f"  {description}", file=sys.stderr, leave=False)


def note(text: str) -> None:
    """One line for a person watching (e.g. how long the rest will take); only on a terminal."""
    if enabled():
        sys.stderr.write(f"  {text}\n")
        sys.stderr.flush()

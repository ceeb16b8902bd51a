"""A shared store of stage outputs, by content (``[tool.integrator.cluster] store``,
``INTEGRATOR_STORE``, ``doit run ... store=URL``): a directory several checkouts or machines
share, or any fsspec filesystem (``s3://bucket/prefix``, ``sftp://...``).

Layout under the store's root::

    blobs/<sha[:2]>/<sha256 of a file>     each output file, once, whatever stage made it
    entries/<key[:2]>/<key>.json           a stage run: its outputs' names, digests and sizes

An entry's ``key`` is made of what doit decides staleness on (``core/runner.py``): the
digests of the stage's input files (library code included) and its key (tool versions,
target CPU, flags, settings), so an entry is exactly the outputs those inputs produce.

Every object is written under a temporary name and then moved to its final one (a rename on
a filesystem; each object store write is whole), blobs first and the entry last: a reader
that finds an entry finds its blobs complete, and an interrupted upload leaves no entry. A
download is verified against the entry's digests before anything is renamed into place: a
corrupt or truncated blob makes the entry a miss (both are removed, so the rebuild that
follows uploads them again), never a file in the cache.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from pathlib import Path

from .core.artifacts import atomic_outputs, file_sha256

FORMAT = 1  # the layout above; part of every key


class CorruptEntry(Exception):
    pass


class Store:
    def __init__(self, url: str):
        import fsspec

        self.url = url
        self.fs, self.root = fsspec.core.url_to_fs(url)
        self.root = self.root.rstrip("/")
        self.problem: str | None = None  # what the last fetch found wrong, for the log

    def _blob(self, digest: str) -> str:
        return f"{self.root}/blobs/{digest[:2]}/{digest}"

    def _entry(self, key: str) -> str:
        return f"{self.root}/entries/{key[:2]}/{key}.json"

    def manifest(self, key: str) -> dict | None:
        try:
            return json.loads(self.fs.cat_file(self._entry(key)))
        except FileNotFoundError:
            return None
        except ValueError:  # an entry is written whole; a garbled one is foreign
            return None

    def fetch(self, key: str, outputs: dict[str, Path]) -> bool:
        """Put the entry's files at ``outputs`` (name -> path), all or none; True on a hit."""
        self.problem = None
        manifest = self.manifest(key)
        if manifest is None or set(manifest["files"]) != set(outputs):
            return False
        names = list(outputs)
        try:
            with atomic_outputs(*(outputs[n] for n in names)) as temps:
                temps = temps if isinstance(temps, list) else [temps]
                for name, temp in zip(names, temps):
                    wanted = manifest["files"][name]
                    try:
                        self.fs.get_file(self._blob(wanted["sha256"]), str(temp))
                    except FileNotFoundError:
                        raise CorruptEntry(f"{name}: its blob is missing") from None
                    size, digest = temp.stat().st_size, file_sha256(temp)
                    if size != wanted["size"] or digest != wanted["sha256"]:
                        self._remove(self._blob(wanted["sha256"]))
                        raise CorruptEntry(f"{name}: {size} bytes with digest {digest[:12]}, the "
                                           f"entry says {wanted['size']} with {wanted['sha256'][:12]}")
        except CorruptEntry as error:
            self._remove(self._entry(key))
            self.problem = f"store entry {key[:12]} was corrupt ({error}); rebuilt and replaced"
            return False
        return True

    def put(self, key: str, outputs: dict[str, Path], about: dict) -> None:
        """Upload ``outputs`` (name -> path) as the entry ``key``; ``about``: what made it."""
        files = {}
        for name, path in outputs.items():
            digest, size = file_sha256(path), path.stat().st_size
            blob = self._blob(digest)
            # A blob of the right size is taken as whole (a truncated one is not); one corrupt
            # in place is caught by the digest on download, removed, and uploaded again.
            if not (self.fs.exists(blob) and self.fs.size(blob) == size):
                self._put_file(path, blob)
            files[name] = {"sha256": digest, "size": size}
        entry = {"files": files, "format": FORMAT, "host": socket.gethostname(),
                 "created": time.strftime("%Y-%m-%dT%H:%M:%S"), **about}
        self._put_bytes(json.dumps(entry, indent=2).encode(), self._entry(key))

    def _temporary(self, final: str) -> str:
        directory, _, name = final.rpartition("/")
        self.fs.makedirs(directory, exist_ok=True)
        return f"{directory}/.{name}.tmp-{uuid.uuid4().hex[:12]}"

    def _put_file(self, path: Path, final: str) -> None:
        temp = self._temporary(final)
        try:
            self.fs.put_file(str(path), temp)
            self.fs.mv(temp, final)
        finally:
            self._remove(temp)

    def _put_bytes(self, data: bytes, final: str) -> None:
        temp = self._temporary(final)
        try:
            self.fs.pipe_file(temp, data)
            self.fs.mv(temp, final)
        finally:
            self._remove(temp)

    def _remove(self, path: str) -> None:
        try:
            self.fs.rm_file(path)
        except FileNotFoundError:
            pass

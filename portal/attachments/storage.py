"""Where uploaded files' bytes live: a small interface, and the filesystem behind it.

A file is stored under its SHA-256, once whatever its names. An upload is streamed in chunks
to a temporary file beside the store (never held whole in memory), hashed on the way; only
when complete and accepted is it renamed into place (``os.replace`` in one directory tree: a
crash never leaves a partial file under a real name). The same content uploaded again is not
written twice. ``Storage`` is what the rest of the package uses, so an object store (for
several servers without a shared disk) can take its place: it would receive to a local
temporary file the same way, upload it in ``keep``, and serve through ``open``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

CHUNK = 256 * 1024
TEMPORARY = "tmp"  # the folder of uploads being received


class TooLarge(Exception):
    """The stream went past the size it was allowed (what was received is discarded)."""


@dataclass(frozen=True)
class Received:
    """An upload received in full, not yet kept: its content hash, size, and where it waits."""

    sha256: str
    size: int
    path: Path


class Storage(Protocol):
    def receive(self, stream: IO[bytes], max_bytes: int) -> Received: ...
    def keep(self, received: Received) -> None: ...
    def discard(self, received: Received) -> None: ...
    def exists(self, sha256: str) -> bool: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def local_path(self, sha256: str) -> Path | None: ...
    def relative_path(self, sha256: str) -> str: ...
    def delete(self, sha256: str) -> None: ...
    def stored(self) -> Iterator[tuple[str, float]]: ...
    def stale_temporaries(self, before: float) -> Iterator[Path]: ...


class FilesystemStorage:
    """``<root>/ab/cd/abcd…`` (the hash's first two pairs of hex digits as folders, so no
    folder grows past 65,536 entries); uploads in progress in ``<root>/tmp/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.temporary = root / TEMPORARY

    def relative_path(self, sha256: str) -> str:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def path(self, sha256: str) -> Path:
        return self.root / self.relative_path(sha256)

    def receive(self, stream: IO[bytes], max_bytes: int) -> Received:
        """Copy ``stream`` to a new temporary file in chunks, hashing it; ``TooLarge`` (and
        nothing left behind) past ``max_bytes``."""
        self.temporary.mkdir(parents=True, exist_ok=True)
        path = self.temporary / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(size)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # on disk before it can be renamed into place
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Received(digest.hexdigest(), size, path)

    def keep(self, received: Received) -> None:
        target = self.path(received.sha256)
        if target.exists():  # the same content, stored before: once is enough
            received.path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, target)

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def local_path(self, sha256: str) -> Path | None:
        return self.path(sha256)

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def stored(self) -> Iterator[tuple[str, float]]:
        """(hash, modification time) of every stored file."""
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
            name = path.name
            if len(name) == 64 and path.parent.parent.name == name[:2] and path.is_file():
                yield name, path.stat().st_mtime

    def stale_temporaries(self, before: float) -> Iterator[Path]:
        """Uploads in progress older than ``before`` (a time.time()): left by a crash."""
        if self.temporary.is_dir():
            for path in self.temporary.iterdir():
                if path.is_file() and path.stat().st_mtime < before:
                    yield path


def make(root: str | os.PathLike) -> Storage:
    return FilesystemStorage(Path(root))

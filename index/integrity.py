"""Checksums of a generation's files, and checking a generation against them.

From format 4 on, the manifest records each published file's size and SHA-256
(:func:`digest_files`) and a checksum of itself. :func:`quick_check` compares the sizes
only (what opening a generation can afford at any index size); :func:`full_check`
hashes every file, and for a generation written before checksums existed reads the
files instead (SQLite's integrity check, the vector count and ids against the chunks).
Each problem found is a :class:`Damage` naming the file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import corrupt
from .layout import MANIFEST, OPTIONAL_FILES, PUBLISHED_FILES, STORE, VECTORS
from .manifest import Manifest

__all__ = [
    "Damage",
    "FileDigest",
    "digest_file",
    "checked_files",
    "digest_files",
    "full_check",
    "quick_check",
    "raise_for",
    "stored_digest",
    "structural_check",
]

_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileDigest:
    """A file's size in bytes and SHA-256 (hex)."""

    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Damage:
    """One problem with one file of a generation."""

    path: Path
    problem: str

    @property
    def file(self) -> str:
        """The file's name (``store.sqlite``, ``vectors.faiss``, ``manifest.json``)."""
        return self.path.name

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def digest_file(path: Path) -> FileDigest:
    """Size and SHA-256 of one file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            h.update(block)
            size += len(block)
    return FileDigest(size, h.hexdigest())


def digest_files(folder: Path) -> dict[str, dict[str, Any]]:
    """The manifest's ``files`` entry for a generation folder being published: every
    published file, and each optional one (``vectors.f16``) the folder has."""
    names = PUBLISHED_FILES + tuple(n for n in OPTIONAL_FILES if (folder / n).exists())
    return {name: digest_file(folder / name).as_json() for name in names}


def checked_files(manifest: Manifest) -> tuple[str, ...]:
    """The files a generation must have: the published ones, and each optional one its
    manifest recorded or its vector index needs (a compressed one: ``vectors.f16``)."""
    vectors = manifest.extra.get("vectors") if isinstance(manifest.extra, dict) else None
    compressed = isinstance(vectors, dict) and vectors.get("type") == "pq"
    optional = tuple(n for n in OPTIONAL_FILES if n in manifest.files or compressed)
    return PUBLISHED_FILES + optional


def _recorded(manifest: Manifest, name: str) -> tuple[int, str] | None:
    entry = manifest.files.get(name)
    if not isinstance(entry, dict):
        return None
    size, sha = entry.get("size"), entry.get("sha256")
    if not isinstance(size, int) or not isinstance(sha, str):
        return None
    return size, sha


def quick_check(folder: Path, manifest: Manifest) -> list[Damage]:
    """Every published file is there with the size the manifest recorded (no reading)."""
    out = []
    for name in checked_files(manifest):
        path = folder / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            out.append(Damage(path, "missing"))
            continue
        except OSError as exc:
            out.append(Damage(path, f"unreadable ({exc.strerror or exc})"))
            continue
        recorded = _recorded(manifest, name)
        if recorded is not None and size != recorded[0]:
            out.append(Damage(path, f"{size} bytes, the manifest recorded {recorded[0]}"))
    return out


def full_check(folder: Path, manifest: Manifest, skip: Collection[str] = ()) -> list[Damage]:
    """:func:`quick_check`, then every file's SHA-256 against the manifest but those named in
    ``skip`` (the caller hashes them as it reads them: :func:`stored_digest`); a generation
    without checksums (format 3) gets :func:`structural_check` instead."""
    out = quick_check(folder, manifest)
    if out:
        return out
    if not manifest.files:
        return structural_check(folder, manifest)
    for name in checked_files(manifest):
        if name in skip:
            continue
        path = folder / name
        recorded = _recorded(manifest, name)
        if recorded is None:
            out.append(Damage(folder / MANIFEST, f"no checksum recorded for {name}"))
            continue
        try:
            digest = digest_file(path)
        except OSError as exc:
            out.append(Damage(path, f"unreadable ({exc.strerror or exc})"))
            continue
        out += stored_digest(folder, manifest, name, digest.sha256)
    return out


def stored_digest(folder: Path, manifest: Manifest, name: str, sha256: str) -> list[Damage]:
    """The damage of file ``name`` given its SHA-256 taken while it was read (none when the
    manifest recorded no checksum for it: :func:`full_check` judged such a generation)."""
    recorded = _recorded(manifest, name)
    if recorded is None or sha256 == recorded[1]:
        return []
    return [Damage(folder / name, "contents changed since it was published (SHA-256 differs)")]


def structural_check(folder: Path, manifest: Manifest) -> list[Damage]:
    """Read the files rather than hash them: SQLite's integrity check and the row counts
    of the store, and one vector per chunk in ``vectors.faiss``."""
    from .store import connect_readonly
    from .vectors import VectorIndex

    out: list[Damage] = []
    store, vectors = folder / STORE, folder / VECTORS
    chunk_ids = None
    try:
        db = connect_readonly(store)
        try:
            verdict = db.execute("PRAGMA integrity_check(5)").fetchall()
            if [r[0] for r in verdict] != ["ok"]:
                out.append(Damage(store, "SQLite integrity check: " + verdict[0][0]))
            else:
                docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
                chunk_ids = {r[0] for r in db.execute("SELECT chunk_id FROM chunks")}
                if (docs, len(chunk_ids)) != (manifest.documents, manifest.chunks):
                    out.append(
                        Damage(
                            store,
                            f"{docs} releases and {len(chunk_ids)} chunks, the manifest "
                            f"says {manifest.documents} and {manifest.chunks}",
                        )
                    )
        finally:
            db.close()
    except sqlite3.Error as exc:
        out.append(Damage(store, f"unreadable ({exc})"))
    try:
        ids, _ = VectorIndex.read(vectors).all()
    except (RuntimeError, ValueError, MemoryError) as exc:
        out.append(Damage(vectors, f"unreadable ({' '.join(str(exc).split())[:120]})"))
    else:
        if chunk_ids is not None and set(ids.tolist()) != chunk_ids:
            problem = f"{len(ids)} vectors do not match the {len(chunk_ids)} chunks"
            out.append(Damage(vectors, problem))
    return out


def raise_for(damage: list[Damage], index_dir: Path) -> None:
    """Raise :class:`~index.IndexCorruptError` for the first problem, if any."""
    if damage:
        first = damage[0]
        more = f" (and {len(damage) - 1} more problems)" if len(damage) > 1 else ""
        raise corrupt(first.path, first.problem + more, index_dir)

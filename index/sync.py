"""Bring an index in line with files and folders of releases.

:func:`sync` walks the files, skips the unchanged ones without reading them, re-indexes
the changed ones (loaded by :mod:`ingest.loaders`, prepared by :mod:`ingest.prepare`),
removes the vanished ones, and publishes everything as one atomic index update. A file
that cannot be read is reported and skipped; what was indexed before stays.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.chunking import ChunkSettings
from ingest.loaders import iter_corpus, load_file
from ingest.prepare import EMBED_TEMPLATE, prepare
from ingest.types import LoadError

from .encoder import Encoder, get_encoder
from .layout import default_index_dir
from .settings import VectorSettings
from .writer import IndexWriter

__all__ = ["FileError", "Progress", "SyncReport", "sync"]


@dataclass(frozen=True)
class FileError:
    """A file that was not indexed, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Progress:
    """Reported after each file (and after each embedding batch)."""

    files_done: int
    files_total: int
    chunks_embedded: int
    path: str | None = None


@dataclass(frozen=True)
class SyncReport:
    """What one ``sync`` did."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    failed: tuple[FileError, ...]
    chunks_embedded: int
    chunks_reused: int
    documents: int
    chunks: int
    seconds: float
    published: bool


def sync(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str] | None = None,
    *,
    encoder: Encoder | None = None,
    remove_missing: bool = True,
    rebuild: bool = False,
    settings: ChunkSettings | None = None,
    progress: Callable[[Progress], None] | None = None,
    lock_timeout: float = 0,
    vector_settings: VectorSettings | None = None,
) -> SyncReport:
    """Add, update and remove releases so the index matches ``paths``.

    Args:
        paths: files and folders of releases.
        index_dir: the index folder (default ``PRESSROOM_INDEX`` or ``data/index``).
        encoder: the embedding model (default: the configured one).
        remove_missing: drop indexed releases under a given folder whose file is gone.
        rebuild: start from an empty index instead of the current one.
        settings: chunking settings.
        progress: called after each file and each embedding batch.
        lock_timeout: seconds to wait for another writer before giving up.
        vector_settings: the vector index's size thresholds (default ``VectorSettings()``).

    Returns:
        A :class:`SyncReport`. Unreadable files are in ``failed``; nothing raises for them.

    Example:
        >>> report = sync(["data/releases"])  # doctest: +SKIP
        >>> report.added, report.failed  # doctest: +SKIP
    """
    started = time.perf_counter()
    encoder = encoder or get_encoder()
    settings = settings or ChunkSettings()
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
    paths = [Path(p) for p in paths]
    entries = list(iter_corpus(paths))
    files = [Path(os.path.abspath(e.path)) for e in entries if e.error is None]
    failed = [FileError(os.path.abspath(e.path), e.error) for e in entries if e.error is not None]
    added, updated, removed, unchanged = [], [], [], 0
    embedded = 0

    def on_embedded(n: int) -> None:
        nonlocal embedded
        embedded += n
        if progress is not None:
            progress(Progress(done, len(files), embedded))

    done = 0
    with IndexWriter(
        index_dir,
        encoder,
        chunking=asdict(settings),
        embed_template=EMBED_TEMPLATE,
        rebuild=rebuild,
        lock_timeout=lock_timeout,
        on_embedded=on_embedded,
        vector_settings=vector_settings,
    ) as writer:
        known = writer.known()
        seen = {os.path.abspath(e.path) for e in entries}
        for path in files:
            key = str(path)
            old = known.get(key)
            try:
                st = path.stat()
                if old is not None and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns):
                    unchanged += 1
                else:
                    loaded = load_file(path)
                    doc, chunks = prepare(
                        loaded,
                        count_tokens=encoder.count_tokens,
                        max_tokens=encoder.max_tokens,
                        settings=settings,
                        size=st.st_size,
                        mtime_ns=st.st_mtime_ns,
                    )
                    if old is not None and old.content_hash == doc.content_hash:
                        writer.touch(key, st.st_size, st.st_mtime_ns)
                        unchanged += 1
                    else:
                        writer.add(doc, chunks)
                        (updated if old is not None else added).append(key)
            except LoadError as exc:
                failed.append(FileError(key, exc.reason))
            except OSError as exc:
                failed.append(FileError(key, exc.strerror or str(exc)))
            done += 1
            if progress is not None:
                progress(Progress(done, len(files), embedded, key))
        if remove_missing:
            roots = [os.path.abspath(p) + os.sep for p in paths if p.is_dir()]
            for key in sorted(known):
                if key not in seen and any(key.startswith(r) for r in roots):
                    writer.remove(key)
                    removed.append(key)
        manifest = writer.commit()
        reused = writer.reused
        n_docs, n_chunks = (manifest.documents, manifest.chunks) if manifest else writer.counts()
    return SyncReport(
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(removed),
        unchanged=unchanged,
        failed=tuple(failed),
        chunks_embedded=embedded,
        chunks_reused=reused,
        documents=n_docs,
        chunks=n_chunks,
        seconds=time.perf_counter() - started,
        published=manifest is not None,
    )

"""Bring an index in line with files and folders of releases.

:func:`sync` walks the files, skips the unchanged ones without reading them, re-indexes
the changed ones (loaded by :mod:`ingest.loaders`, prepared by :mod:`ingest.prepare`),
removes the vanished ones, and publishes everything as one atomic index update. A file
that cannot be read is reported and skipped; what was indexed before stays.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.chunking import ChunkSettings
from ingest.loaders import iter_corpus, load_file
from ingest.prepare import EMBED_TEMPLATE, ChunkRecord, DocumentRecord, prepare
from ingest.types import LoadError

from .encoder import Encoder, get_encoder
from .layout import default_index_dir
from .settings import VectorSettings
from .writer import IndexWriter, KnownDocument

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
    """Reported after each file (and after each slice of chunks embedded).

    ``chunks_to_embed`` counts the chunk texts this sync has queued for the model so far
    (it grows while files are read); ``chunks_embedded`` of them are done.
    """

    files_done: int
    files_total: int
    chunks_embedded: int
    path: str | None = None
    chunks_to_embed: int = 0


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
    # what the update recovered from or mended (a garbage CURRENT, stray NUL bytes removed)
    notes: tuple[str, ...] = ()
    # files unchanged since they were indexed, read again because an older ingest version
    # prepared them (new sections, junk cut): re-indexed, but no news (saved searches skip them)
    refreshed: tuple[str, ...] = ()


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
    ready: Callable[[Path, os.stat_result], bool] | None = None,
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
        ready: asked about every new or changed file (its path and ``stat``) before it is
            read; a file it refuses is left as the index has it: not read, not removed
            (the watched folder's files still being written, see :mod:`watch`).

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
    tally = _Tally(failed=[])
    files: list[Path] = []

    def on_embedded(n: int) -> None:
        tally.embedded += n
        if progress is not None:
            progress(Progress(tally.done, len(files), tally.embedded, None, writer.to_embed))

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
        # walked once the lock is held: a caller that retries while another writer holds
        # it (the watcher) does not list the folders each time, and the walk sees them as
        # they are when the update starts
        entries, walked = _walk(paths)
        tally.failed.extend(walked.failed)
        files.extend(Path(os.path.abspath(e.path)) for e in entries if e.error is None)
        known = writer.known()
        for path in files:
            _sync_file(writer, encoder, settings, path, known.get(str(path)), tally, ready)
            tally.done += 1
            if progress is not None:
                progress(
                    Progress(tally.done, len(files), tally.embedded, str(path), writer.to_embed)
                )
        if remove_missing:
            tally.removed = _remove_vanished(writer, known, entries, paths)
        return _publish(writer, tally, started)


def _walk(paths: Sequence[Path]) -> tuple[list, _Tally]:
    """The corpus entries under ``paths`` and a tally holding those that cannot be read."""
    entries = list(iter_corpus(paths))
    failed = [FileError(os.path.abspath(e.path), e.error) for e in entries if e.error is not None]
    return entries, _Tally(failed=failed)


def _record(
    writer: IndexWriter,
    key: str,
    doc: DocumentRecord,
    chunks: Sequence[ChunkRecord],
    old: KnownDocument | None,
    tally: _Tally,
) -> None:
    """A parsed file into the update: only its file metadata (and source link) when its text
    is what the index holds, else added or re-indexed (so is a document prepared by an older
    ingest version: its sections or chunks may differ; its unchanged chunks keep their
    vectors)."""
    if old is not None and old.content_hash == doc.content_hash and not old.stale:
        writer.touch(key, doc.size, doc.mtime_ns, url=doc.url)
        tally.unchanged += 1
    else:
        writer.add(doc, list(chunks))
        if old is None:
            tally.added.append(key)
        elif old.stale and (old.size, old.file_mtime_ns) == (doc.size, doc.mtime_ns):
            tally.refreshed.append(key)  # the file as it was, read again by a newer ingest
        else:
            tally.updated.append(key)


def _publish(writer: IndexWriter, tally: _Tally, started: float) -> SyncReport:
    """Commit the update (one new generation, or none when nothing changed); its report."""
    manifest = writer.commit()
    n_docs, n_chunks = (manifest.documents, manifest.chunks) if manifest else writer.counts()
    return SyncReport(
        added=tuple(tally.added),
        updated=tuple(tally.updated),
        removed=tuple(tally.removed),
        refreshed=tuple(tally.refreshed),
        unchanged=tally.unchanged,
        failed=tuple(tally.failed),
        chunks_embedded=tally.embedded,
        chunks_reused=writer.reused,
        documents=n_docs,
        chunks=n_chunks,
        seconds=time.perf_counter() - started,
        published=manifest is not None,
        notes=tuple(writer.notes + tally.notes),
    )


def _remove_vanished(
    writer: IndexWriter, known: dict[str, KnownDocument], entries: list, paths: list[Path]
) -> list[str]:
    """Remove the indexed releases under a given folder whose file is gone; their paths."""
    seen = {os.path.abspath(e.path) for e in entries}
    roots = [os.path.abspath(p) + os.sep for p in paths if p.is_dir()]
    removed = []
    for key in sorted(known):
        if key not in seen and any(key.startswith(r) for r in roots):
            writer.remove(key)
            removed.append(key)
    return removed


@dataclass
class _Tally:
    """What a sync has done so far (mutable: filled in file by file)."""

    failed: list[FileError]
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0
    done: int = 0
    notes: list[str] = field(default_factory=list)


def _sync_file(
    writer: IndexWriter,
    encoder: Encoder,
    settings: ChunkSettings,
    path: Path,
    old: KnownDocument | None,
    tally: _Tally,
    ready: Callable[[Path, os.stat_result], bool] | None = None,
) -> None:
    """Skip, touch, add or re-index one file; a file that cannot be read goes to ``failed``;
    one that ``ready`` refuses is left as it is."""
    key = str(path)
    try:
        st = path.stat()
        if old is not None and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns):
            tally.unchanged += 1
            return
        if ready is not None and not ready(path, st):
            return
        loaded = load_file(path)
        tally.notes.extend(f"{key}: {note}" for note in loaded.notes)
        doc, chunks = prepare(
            loaded,
            count_tokens=encoder.count_tokens,
            max_tokens=encoder.max_tokens,
            settings=settings,
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
        )
        _record(writer, key, doc, chunks, old, tally)
    except LoadError as exc:
        tally.failed.append(FileError(key, exc.reason))
    except OSError as exc:
        tally.failed.append(FileError(key, exc.strerror or str(exc)))

"""Bring an index in line with files and folders of releases (the I/O edge of ingest).

``prepare`` is pure: loaded text in, a document record and its chunks out.
``sync`` walks the files, skips the unchanged ones without reading them, re-indexes
the changed ones, removes the vanished ones, and publishes everything as one atomic
index update. A file that cannot be read is reported and skipped; what was indexed
before stays.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from index import ChunkRecord, DocumentRecord, Encoder, IndexWriter, default_index_dir, get_encoder
from index.writer import headline_prefix

from .chunking import ChunkSettings, chunk_release
from .loaders import iter_corpus, load_file
from .normalize import normalize_text
from .release import parse_release
from .sentences import split_sentences
from .types import LoadedText, LoadError, ReleaseMeta

__all__ = ["EMBED_TEMPLATE", "FileError", "Progress", "SyncReport", "prepare", "sync"]

EMBED_TEMPLATE = "headline\\ntext/v1"  # what the encoder reads: the headline, then the chunk
_SENTENCE_WORDS = re.compile(r"[^\W_]+")


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


def _sentence_hash(text: str) -> int | None:
    words = _SENTENCE_WORDS.findall(text.lower())
    if len(words) < 6:
        return None
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # fits SQLite's signed 64-bit integer


def _field(meta: ReleaseMeta, name: str) -> str | None:
    value = getattr(meta, name)
    return value.value if value is not None else None


def prepare(
    loaded: LoadedText,
    *,
    count_tokens: Callable[[Sequence[str]], list[int]],
    max_tokens: int,
    settings: ChunkSettings,
    size: int = 0,
    mtime_ns: int = 0,
) -> tuple[DocumentRecord, list[ChunkRecord]]:
    """Normalise, parse and chunk one loaded release (pure).

    Args:
        loaded: the text a loader extracted.
        count_tokens: the encoder's word-piece counter.
        max_tokens: the encoder's window; the headline is read with every chunk, so
            chunks get what the headline leaves of it.
        settings: chunk size and overlap.
    """
    text = normalize_text(loaded.text)
    if not text:
        raise LoadError(loaded.path, "no text after normalisation")
    meta = parse_release(text, path=loaded.path)
    title = _field(meta, "headline") or Path(loaded.path).stem.replace("-", " ").replace("_", " ")
    room = max_tokens - 3 - count_tokens([title])[0]
    budget = min(settings.max_tokens, max(room, max_tokens // 2))
    chunks = chunk_release(text, meta.sections, settings, count_tokens, max_tokens=budget)
    section_at = [(s.start, s.end, s.title) for s in meta.sections if s.title]
    records = []
    for c in chunks:
        section = next((t for s, e, t in section_at if s <= c.start < e), None)
        sentences = tuple(
            (s, e, _sentence_hash(text[s:e])) for s, e in split_sentences(text, c.start, c.end)
        )
        prefix = headline_prefix(title, c.text)
        records.append(
            ChunkRecord(
                c.ordinal, c.start, c.end, c.kind, prefix + c.text, section, sentences, len(prefix)
            )
        )
    doc = DocumentRecord(
        path=loaded.path,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        size=size,
        mtime_ns=mtime_ns,
        format=loaded.format,
        text=text,
        title=title,
        date=_field(meta, "date"),
        company=_field(meta, "company"),
        tickers=tuple(t.value for t in meta.tickers),
        wire=_field(meta, "wire"),
        dateline=_field(meta, "dateline"),
        meta=json.dumps(asdict(meta)),
    )
    return doc, records


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

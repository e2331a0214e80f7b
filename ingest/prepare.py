"""One loaded release in, a document record and its chunks out (pure).

:func:`prepare` normalises the text, parses the release's structure, chunks it to the
encoder's window and lists each chunk's sentences; the records it returns are what the
index stores. :data:`EMBED_TEMPLATE` names what the encoder reads for a chunk (its
release's headline, then its text): the index records it and refuses to mix recipes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .analysis import words
from .chunking import ChunkSettings, chunk_release
from .copies import fingerprint
from .junk import strip_code
from .normalize import normalize_text
from .release import parse_release
from .sentences import split_sentences
from .types import Field, LoadedText, LoadError, ReleaseMeta

__all__ = [
    "EMBED_TEMPLATE",
    "PREPARED",
    "ChunkRecord",
    "DocumentRecord",
    "headline_prefix",
    "prepare",
]

EMBED_TEMPLATE = "headline\\ntext/v1"  # what the encoder reads: the headline, then the chunk

# How a file becomes its stored text and chunks. Each document records the version it was
# prepared with (``documents.meta`` ``"prepared"``); a sync reads every file prepared with an
# older one again, even when the file did not change. Bump it when the stored text, the
# sections or the chunks of an unchanged file would come out differently.
# 2: script, style and JSON-LD junk stripped (:mod:`ingest.junk`).
# 3: the issuer, its tickers and aliases read by the learned candidate scorer
#    (:mod:`ingest.identity`, :mod:`ingest.issuer_scorer`); nothing is embedded again.
# 4: the scorer retrained with more features and a tree confidence, the issuer's tickers
#    read at every place the text writes them; nothing is embedded again.
PREPARED = 4


def headline_prefix(title: str | None, text: str) -> str:
    """What the encoder and the keyword index read before a chunk's text.

    The release's headline and a line break, unless the chunk already starts with it
    (the opening chunk): every passage of a release is about what its headline names.
    """
    return "" if not title or text.startswith(title) else f"{title}\n"


@dataclass(frozen=True)
class DocumentRecord:
    """A parsed release, ready to store. ``text`` is the stored (normalised) text."""

    path: str
    content_hash: str
    size: int
    mtime_ns: int
    format: str
    text: str
    title: str | None = None
    date: str | None = None
    company: str | None = None
    tickers: tuple[str, ...] = ()
    wire: str | None = None
    dateline: str | None = None
    meta: str = "{}"  # JSON of the full ReleaseMeta with spans
    url: str | None = None  # the release's own source link, when the file names one
    signature: bytes = b""  # MinHash of the news text (ingest.copies), b"" when too short
    figures: tuple[str, ...] = ()  # the numbers of the news text (ingest.copies)


@dataclass(frozen=True)
class ChunkRecord:
    """A chunk to store: its span in the document, and the text given to the encoder.

    ``embed_text`` is a prefix (:func:`headline_prefix`) followed by the chunk's text,
    which starts at ``embed_text[prefix_len:]``; the keyword index reads both too.
    ``sentences`` are ``(start, end, hash)`` spans in the document's stored text; each
    gets a vector pooled from the chunk's own encoding. ``hash`` identifies the
    normalised sentence across releases (None for sentences too short to say anything
    by repeating).
    """

    ordinal: int
    start: int
    end: int
    kind: str
    embed_text: str
    section: str | None = None
    sentences: tuple[tuple[int, int, int | None], ...] = ()
    prefix_len: int = 0

    def relative_spans(self) -> list[tuple[int, int]]:
        """The sentences' spans inside ``embed_text``."""
        shift = self.prefix_len - self.start
        return [(s + shift, e + shift) for s, e, _ in self.sentences]


def _sentence_hash(text: str) -> int | None:
    tokens = words(text)
    if len(tokens) < 6:
        return None
    digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).digest()
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
    text = normalize_text(strip_code(loaded.text))
    if not text:
        raise LoadError(loaded.path, "no text after normalisation")
    meta = parse_release(text, path=loaded.path)
    if loaded.published and (meta.date is None or meta.date.start == meta.date.end):
        # the text states no date: a web page's own published date beats the file path's
        meta = replace(meta, date=Field(loaded.published, 0, 0))
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
    copy_print = fingerprint(text, meta)
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
        meta=json.dumps({**asdict(meta), "prepared": PREPARED}),
        url=loaded.url,
        signature=copy_print.signature,
        figures=copy_print.figures,
    )
    return doc, records

"""Press releases in, records out: loaders at the edge, then normalise, parse, chunk (pure).

``ingest.loaders`` reads files (the only module here that touches the file system; its
HTML and PDF parsers load on first use). Everything else is pure: text in, frozen
dataclasses out. Writing the records into an index is :func:`index.sync`'s job.
"""

from .chunking import ChunkSettings, chunk_release
from .normalize import normalize_text
from .prepare import ChunkRecord, DocumentRecord, prepare
from .release import parse_release
from .types import Chunk, LoadedText, LoadError, ReleaseMeta

__all__ = [
    "Chunk",
    "ChunkRecord",
    "ChunkSettings",
    "DocumentRecord",
    "LoadError",
    "LoadedText",
    "ReleaseMeta",
    "chunk_release",
    "normalize_text",
    "parse_release",
    "prepare",
]

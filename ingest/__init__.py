"""Press releases in, chunks out: loaders, normalisation, parsing, chunking, index sync."""

from .chunking import ChunkSettings, chunk_release
from .loaders import load_file
from .normalize import normalize_text
from .pipeline import FileError, Progress, SyncReport, prepare, sync
from .release import parse_release
from .types import Chunk, LoadedText, LoadError, ReleaseMeta

__all__ = [
    "Chunk",
    "ChunkSettings",
    "FileError",
    "LoadError",
    "LoadedText",
    "Progress",
    "ReleaseMeta",
    "SyncReport",
    "chunk_release",
    "load_file",
    "normalize_text",
    "parse_release",
    "prepare",
    "sync",
]

"""The on-disk index: document store, keyword index, vectors, manifest, and the encoder.

Readers: :func:`open_reader` (the current generation, reopened when a new one is
published). Writers: :func:`sync` brings an index in line with folders of releases as one
atomic update. The errors a caller may need to catch are exported here.
"""

from .encoder import DEFAULT_MODEL, Encoder, get_encoder
from .layout import DEFAULT_CORPUS, IndexLockedError, default_index_dir
from .manifest import (
    BuildSettingsMismatch,
    IndexFormatError,
    IndexUpgradeNeeded,
    Manifest,
    ModelMismatchError,
)
from .reader import ChunkFilter, ChunkRow, DocumentRow, IndexNotFoundError, IndexReader, open_reader
from .sync import FileError, Progress, SyncReport, sync

__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_MODEL",
    "BuildSettingsMismatch",
    "ChunkFilter",
    "ChunkRow",
    "DocumentRow",
    "Encoder",
    "FileError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReader",
    "IndexUpgradeNeeded",
    "Manifest",
    "ModelMismatchError",
    "Progress",
    "SyncReport",
    "default_index_dir",
    "get_encoder",
    "open_reader",
    "sync",
]

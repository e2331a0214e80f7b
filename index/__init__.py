"""The on-disk index: document/chunk store, keyword index, vectors, manifest, encoder."""

from .encoder import DEFAULT_MODEL, Encoder, SentenceTransformerEncoder, get_encoder
from .layout import IndexLockedError, default_index_dir
from .manifest import IndexFormatError, IndexUpgradeNeeded, Manifest, ModelMismatchError
from .reader import ChunkRow, DocumentRow, IndexNotFoundError, IndexReader, open_reader
from .writer import ChunkRecord, DocumentRecord, IndexWriter

__all__ = [
    "DEFAULT_MODEL",
    "ChunkRecord",
    "ChunkRow",
    "DocumentRecord",
    "DocumentRow",
    "Encoder",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexUpgradeNeeded",
    "IndexReader",
    "IndexWriter",
    "Manifest",
    "ModelMismatchError",
    "SentenceTransformerEncoder",
    "default_index_dir",
    "get_encoder",
    "open_reader",
]

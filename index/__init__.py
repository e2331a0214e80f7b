"""The on-disk index: document store, keyword index, vectors, manifest, and the encoder.

Readers: :func:`open_reader` (the current generation, reopened when a new one is
published) and :func:`reading` (the same for one block of calls). Writers: :func:`sync`
brings an index in line with folders of releases as one atomic update. :func:`check_index`
and :func:`repair_index` find and mend damage. The errors a caller may need to catch are
exported here: :class:`IndexFormatError` and its subclasses (:class:`IndexCorruptError`
for a damaged file, :class:`BadCurrentError` for the ``CURRENT`` pointer), and
:class:`IndexStorageError` (an ``OSError``) with :class:`DiskFullError`,
:class:`ReadOnlyIndexError` and :class:`IndexPermissionError` for a write the disk refused.
"""

from .encoder import DEFAULT_MODEL, Encoder, get_encoder
from .errors import (
    BadCurrentError,
    DiskFullError,
    IndexCorruptError,
    IndexFormatError,
    IndexPermissionError,
    IndexStorageError,
    ReadOnlyIndexError,
)
from .layout import DEFAULT_CORPUS, IndexLockedError, default_index_dir
from .manifest import (
    BuildSettingsMismatch,
    IndexUpgradeNeeded,
    Manifest,
    ModelMismatchError,
)
from .reader import (
    ChunkFilter,
    ChunkRow,
    DocumentRow,
    GroupMember,
    IndexNotFoundError,
    IndexReader,
)
from .serving import open_reader, reading, serving_problem
from .sync import FileError, Progress, SyncReport, sync

__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_MODEL",
    "BadCurrentError",
    "BuildSettingsMismatch",
    "ChunkFilter",
    "ChunkRow",
    "DiskFullError",
    "DocumentRow",
    "Encoder",
    "FileError",
    "GroupMember",
    "IndexCorruptError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexPermissionError",
    "IndexReader",
    "IndexStorageError",
    "IndexUpgradeNeeded",
    "Manifest",
    "ModelMismatchError",
    "Progress",
    "ReadOnlyIndexError",
    "SyncReport",
    "default_index_dir",
    "get_encoder",
    "open_reader",
    "reading",
    "serving_problem",
    "sync",
]

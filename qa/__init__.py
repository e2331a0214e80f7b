"""Cited question answering over the index: ``retrieve(question) -> list[Passage]``.

Example:
    >>> from qa import retrieve
    >>> hits = retrieve("Who manufactures CLR 131?", k=3)  # doctest: +SKIP
    >>> hits[0].answer  # doctest: +SKIP
"""

from index import (
    BadCurrentError,
    BuildSettingsMismatch,
    DiskFullError,
    IndexCorruptError,
    IndexFormatError,
    IndexNotFoundError,
    IndexPermissionError,
    IndexStorageError,
    IndexUpgradeNeeded,
    ModelMismatchError,
    ReadOnlyIndexError,
)

from .lists import ListRow, Period, ReleaseList, list_releases
from .passage import Filters, Passage
from .releases import Release, releases
from .search import phrase_reason, retrieve
from .settings import AnswerSettings, ListSettings, RankSettings, Settings

__all__ = [
    "AnswerSettings",
    "BadCurrentError",
    "BuildSettingsMismatch",
    "DiskFullError",
    "Filters",
    "IndexCorruptError",
    "IndexFormatError",
    "IndexNotFoundError",
    "IndexPermissionError",
    "IndexStorageError",
    "IndexUpgradeNeeded",
    "ListRow",
    "ListSettings",
    "ModelMismatchError",
    "Passage",
    "Period",
    "RankSettings",
    "ReadOnlyIndexError",
    "Release",
    "ReleaseList",
    "Settings",
    "list_releases",
    "phrase_reason",
    "releases",
    "retrieve",
]

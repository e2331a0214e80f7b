"""The index manifest: what built an index, checked every time it is opened."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "BuildSettingsMismatch",
    "IndexFormatError",
    "IndexUpgradeNeeded",
    "Manifest",
    "ModelMismatchError",
]

from ingest.analysis import ANALYZER

# 3: the keyword index reads each chunk with its release's headline, as the encoder does.
# 4: each release keeps its own source link (documents.url).
# Older formats that ``index.migrations`` converts in place are listed there.
FORMAT_VERSION = 4
UPGRADABLE_VERSIONS = (2, 3)  # index.migrations has a step from each to the next


class IndexFormatError(Exception):
    """The folder is not a Pressroom index this version can read."""


class IndexUpgradeNeeded(IndexFormatError):
    """The index has an older format that the next update converts in place.

    ``model`` is the embedding model it was built with (the one to update it with).
    """

    def __init__(self, message: str, model: str | None = None) -> None:
        super().__init__(message)
        self.model = model


class ModelMismatchError(IndexFormatError):
    """The index was built with another embedding model than the one asked for."""


class BuildSettingsMismatch(IndexFormatError):
    """The index was built with other build settings (chunking, embed recipe, analyzer).

    ``setting`` names the one that differs.
    """

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class Manifest:
    """Build settings of one index generation (``manifest.json``)."""

    model: str
    dim: int
    max_tokens: int
    chunking: dict[str, Any]
    embed_template: str
    analyzer: str = ANALYZER  # indexes written before it was recorded used this analyzer
    generation: int = 0
    created: str = ""
    documents: int = 0
    chunks: int = 0
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def read(cls, path: Path, *, upgradable: bool = False) -> Manifest:
        """The manifest at ``path``; ``upgradable`` also accepts the older formats an
        :class:`~index.IndexWriter` converts (their ``format_version`` says which).

        Raises:
            IndexUpgradeNeeded: an upgradable older format, and ``upgradable`` is False.
            IndexFormatError: not a manifest, or a format this version cannot use.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexFormatError(
                f"{path.parent}: no manifest.json, not a Pressroom index"
            ) from None
        except (OSError, ValueError) as exc:
            raise IndexFormatError(f"{path}: unreadable manifest ({exc})") from exc
        version = data.get("format_version")
        if version in UPGRADABLE_VERSIONS and not upgradable:
            raise IndexUpgradeNeeded(
                f"{path.parent}: index format version {version}, this Pressroom reads "
                f"version {FORMAT_VERSION}; the next update (`python -m ingest` with your "
                "releases folder, or starting the app) converts it in place without "
                "embedding anything again",
                model=data.get("model"),
            )
        if version != FORMAT_VERSION and version not in UPGRADABLE_VERSIONS:
            raise IndexFormatError(
                f"{path.parent}: index format version {version}, this Pressroom reads "
                f"version {FORMAT_VERSION}; rebuild it with `python -m ingest --rebuild`"
            )
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        try:
            return cls(**known)
        except TypeError as exc:
            raise IndexFormatError(f"{path}: incomplete manifest ({exc})") from exc

    def check_model(self, name: str, dim: int | None, where: Path) -> None:
        """Raise :class:`ModelMismatchError` unless the index was built by ``name``/``dim``.

        ``dim`` None checks the name only (an encoder whose model is not loaded yet).
        """
        if self.model != name or (dim is not None and self.dim != dim):
            raise ModelMismatchError(
                f"{where}: index built with model {self.model!r} ({self.dim}-d), but the "
                f"encoder is {name!r} ({dim or '?'}-d); use the same model (PRESSROOM_MODEL) or "
                f"rebuild the index with `python -m ingest --rebuild`"
            )

    def check_build(
        self,
        where: Path,
        *,
        chunking: dict[str, Any] | None = None,
        embed_template: str | None = None,
        analyzer: str | None = None,
    ) -> None:
        """Raise :class:`BuildSettingsMismatch` when a given build setting differs.

        A sync with other chunk settings, another embed recipe or another text analyzer
        would mix two kinds of chunks (or of keyword rows) in one index; the error names
        the setting and says to rebuild. ``None`` skips a setting.
        """
        wanted = {"chunking": chunking, "embed_template": embed_template, "analyzer": analyzer}
        for setting, value in wanted.items():
            have = getattr(self, setting)
            if value is not None and have != value:
                raise BuildSettingsMismatch(
                    f"{where}: index built with {setting} {have!r}, but this Pressroom uses "
                    f"{value!r}; rebuild it with `pressroom ingest --rebuild` (or "
                    "`python -m ingest --rebuild`) to use the new setting",
                    setting,
                )

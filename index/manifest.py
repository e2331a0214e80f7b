"""The index manifest: what built an index, checked every time it is opened."""

from __future__ import annotations

import hashlib
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

from .errors import IndexFormatError, corrupt

# 3: the keyword index reads each chunk with its release's headline, as the encoder does.
# 4: the manifest records each published file's size and SHA-256 and its own checksum;
#    the store keeps the build settings (table ``meta``), so a lost manifest can be rebuilt.
# 5: each release keeps its own source link (documents.url).
# 6: each release's fingerprint and release group (wire copies, duplicates: index.groups).
# 7: each release's issuer, its tickers and aliases as ingest.identity reads them (the
#    stored company and tickers re-read from the stored texts, aliases in the meta JSON).
# Older formats that ``index.migrations`` converts in place are listed there.
FORMAT_VERSION = 7
UPGRADABLE_VERSIONS = (2, 3, 4, 5, 6)  # index.migrations has a step from each of these onwards
# Formats readers open as they are (3: no checksums to compare; 3 and 4: no source links;
# 3 to 5: no release groups, each release is its own; 3 to 6: issuers as the older parser
# read them; the next update re-reads them).
OPENABLE_VERSIONS = (3, 4, 5, 6, 7)


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
    # published file name -> {"size": bytes, "sha256": hex digest} (empty before format 4)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        """The manifest as JSON, with ``checksum``: the SHA-256 of everything else."""
        data = asdict(self)
        data["checksum"] = _checksum(data)
        return json.dumps(data, indent=2, sort_keys=True)

    def build_settings(self) -> dict[str, Any]:
        """What the store's ``meta`` table keeps, to rebuild a lost manifest from."""
        keys = ("model", "dim", "max_tokens", "chunking", "embed_template", "analyzer")
        out = {k: getattr(self, k) for k in keys}
        out["extra"] = self.extra
        return out

    @classmethod
    def read(cls, path: Path, *, upgradable: bool = False) -> Manifest:
        """The manifest at ``path``; ``upgradable`` also accepts the older formats an
        :class:`~index.IndexWriter` converts (their ``format_version`` says which).

        Raises:
            IndexUpgradeNeeded: an upgradable older format, and ``upgradable`` is False.
            IndexCorruptError: missing, unreadable, or failing its checksum.
            IndexFormatError: a format this version cannot use.
        """
        index_dir = path.parent.parent
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise corrupt(path, "missing", index_dir) from None
        except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            raise corrupt(path, f"unreadable ({_short(exc)})", index_dir) from exc
        if not isinstance(data, dict):
            raise corrupt(path, "not a manifest", index_dir)
        version = data.get("format_version")
        if isinstance(version, int) and version >= 4:
            stored = data.pop("checksum", None)
            if stored != _checksum(data):
                raise corrupt(path, "damaged (its checksum does not match)", index_dir)
        if version in UPGRADABLE_VERSIONS and version not in OPENABLE_VERSIONS and not upgradable:
            raise IndexUpgradeNeeded(
                f"{path.parent}: index format version {version}, this Pressroom reads "
                f"version {FORMAT_VERSION}; the next update (`python -m ingest` with your "
                "releases folder, or starting the app) converts it in place without "
                "embedding anything again",
                model=data.get("model"),
            )
        if version not in OPENABLE_VERSIONS and version not in UPGRADABLE_VERSIONS:
            raise IndexFormatError(
                f"{path.parent}: index format version {version}, this Pressroom reads "
                f"version {FORMAT_VERSION}; rebuild it with `python -m ingest --rebuild`"
            )
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        try:
            manifest = cls(**known)
        except TypeError as exc:
            raise corrupt(path, f"incomplete ({_short(exc)})", index_dir) from exc
        if not isinstance(manifest.files, dict) or not isinstance(manifest.extra, dict):
            raise corrupt(path, "malformed", index_dir)
        return manifest

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


def _checksum(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."

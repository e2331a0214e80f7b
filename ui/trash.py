"""The releases folder's trash: a removed release's file is moved aside, and can come back.

Removing a release in the UI moves its file into ``.trash/<token>/`` inside the releases
folder (the loaders skip hidden folders, so nothing there is indexed), keeping its path
relative to the folder; :func:`restore` moves it back. Nothing is ever deleted here:
empty the trash by deleting the ``.trash`` folder.

Example:
    >>> item = move_to_trash(corpus / "news.txt", corpus)  # doctest: +SKIP
    >>> restore(item.token, corpus)  # doctest: +SKIP
    PosixPath('.../releases/news.txt')
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TRASH", "TrashError", "TrashItem", "move_to_trash", "restore"]

TRASH = ".trash"
_TOKEN = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")


class TrashError(ValueError):
    """A file that cannot be moved to or back from the trash, with a short reason."""


@dataclass(frozen=True)
class TrashItem:
    """A file in the trash: its token, where it was, and where it is now."""

    token: str
    original: Path
    trashed: Path


def _folder(corpus: Path, token: str) -> Path:
    if not _TOKEN.fullmatch(token):
        raise TrashError(f"{token!r} names nothing in the trash")
    return Path(os.path.abspath(corpus)) / TRASH / token


def move_to_trash(path: Path, corpus: Path) -> TrashItem:
    """Move ``path`` (a file inside ``corpus``) into the trash.

    Raises:
        TrashError: the file is outside ``corpus`` or already in its trash.
        OSError: the move failed (the file is left where it was).
    """
    corpus = Path(os.path.abspath(corpus))
    path = Path(os.path.abspath(path))
    if not path.is_relative_to(corpus):
        raise TrashError(f"{path} is outside the releases folder {corpus}")
    relative = path.relative_to(corpus)
    if relative.parts[0] == TRASH:
        raise TrashError(f"{path} is in the trash already")
    token = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    target = _folder(corpus, token) / relative
    target.parent.mkdir(parents=True)
    os.replace(path, target)  # the same file system: an atomic rename
    return TrashItem(token, path, target)


def restore(token: str, corpus: Path) -> Path:
    """Move the file trashed under ``token`` back where it was; its path.

    Raises:
        TrashError: nothing is in the trash under ``token``, or a file now has its name
            in the releases folder (then the trashed copy stays where it is).
    """
    folder = _folder(corpus, token)
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    if len(files) != 1:
        raise TrashError("that release is no longer in the trash")
    relative = files[0].relative_to(folder)
    target = Path(os.path.abspath(corpus)) / relative
    if target.exists() or target.is_symlink():
        raise TrashError(
            f"the releases folder has a file named {relative} again; the removed copy "
            f"stays in {folder}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(files[0], target)
    for empty in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        empty.rmdir()
    folder.rmdir()
    return target

"""Numbered schema migrations: the steps that convert an older index format in place.

Each step takes the writer's open store connection (inside its transaction) and turns
format ``n - 1`` into format ``n``; :func:`migrate` runs the steps from an index's
format up to :data:`~index.manifest.FORMAT_VERSION`. A step never embeds anything: it
rebuilds what can be derived from the stored texts. The writer publishes the result as
a new generation, so a crash mid-migration leaves the old generation as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .derived import keyword_row, rebuild_keyword_index
from .groups import update_groups
from .issuers import update_issuers
from .manifest import FORMAT_VERSION, UPGRADABLE_VERSIONS
from .store import META_SCHEMA

__all__ = ["MIGRATIONS", "keyword_row", "migrate"]


def m003_headline_column(db: sqlite3.Connection) -> None:
    """Format 2 -> 3: the keyword index gains the headline column, rebuilt from the stored
    texts; the terms table gains its postings column (filled when the writer commits)."""
    rebuild_keyword_index(db)


def m004_checksums(db: sqlite3.Connection) -> None:
    """Format 3 -> 4: the store gains the ``meta`` table (the build settings, filled when
    the writer commits); the manifest gains the files' sizes and SHA-256, written when the
    new generation is published. Nothing else of the store changes."""
    db.execute(META_SCHEMA)


def m005_source_url(db: sqlite3.Connection) -> None:
    """Format 4 -> 5: releases keep their own source link (``documents.url``).

    The link is read from the file as written (Markdown and HTML lose it as text), not
    from the stored text, so every release's recorded modification time is cleared: the
    next sync of its folder reads the file again, finds the text unchanged (nothing is
    embedded again) and records the link.
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    if "url" not in columns:  # (a store that has it, marked older, keeps its links)
        db.execute("ALTER TABLE documents ADD COLUMN url TEXT")
        db.execute("UPDATE documents SET mtime_ns = -1")


def m006_release_groups(db: sqlite3.Connection) -> None:
    """Format 5 -> 6: every release gains its fingerprint (``signature``, ``figures``)
    and its release group (``group_id``), computed from the stored texts. It touches only
    these three columns of ``documents`` (added if missing)."""
    update_groups(db)


def m007_issuer_identity(db: sqlite3.Connection) -> None:
    """Format 6 -> 7: every release's issuer and tickers are read again from its stored
    text (:mod:`ingest.identity`: the company that issues it, only that company's tickers,
    its aliases), into ``documents.company``, ``documents.tickers`` and the meta JSON. No
    other column changes: the headline each chunk was embedded with stays as it is."""
    update_issuers(db)


# format produced -> the step that produces it from the format before
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    3: m003_headline_column,
    4: m004_checksums,
    5: m005_source_url,
    6: m006_release_groups,
    7: m007_issuer_identity,
}
assert all(v + 1 in MIGRATIONS for v in UPGRADABLE_VERSIONS)
assert max(MIGRATIONS) == FORMAT_VERSION


def migrate(db: sqlite3.Connection, version: int) -> list[int]:
    """Run every step above format ``version`` in order; the formats reached."""
    done = []
    for target in sorted(t for t in MIGRATIONS if t > version):
        MIGRATIONS[target](db)
        done.append(target)
    return done

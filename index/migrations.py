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


def m006_release_groups(db: sqlite3.Connection) -> None:
    """Format 5 (or 4) -> 6: every release gains its fingerprint (``signature``, ``figures``)
    and its release group (``group_id``), computed from the stored texts. It touches only
    these three columns of ``documents`` (added if missing), so it applies after any step
    that adds other columns."""
    update_groups(db)


# format produced -> the step that produces it from the format before (a format with no
# step of its own, 5 on this branch, is the next step's starting point)
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    3: m003_headline_column,
    4: m004_checksums,
    6: m006_release_groups,
}
assert all(any(t > v for t in MIGRATIONS) for v in UPGRADABLE_VERSIONS)
assert max(MIGRATIONS) == FORMAT_VERSION


def migrate(db: sqlite3.Connection, version: int) -> list[int]:
    """Run every step above format ``version`` in order; the formats reached."""
    done = []
    for target in sorted(t for t in MIGRATIONS if t > version):
        MIGRATIONS[target](db)
        done.append(target)
    return done

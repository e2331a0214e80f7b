"""The other copies of each shown release: the members of its release group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index import ChunkRow, IndexReader
from ingest.copies import figures_differ

__all__ = ["Copies", "copies_of"]


@dataclass(frozen=True)
class Copies:
    """A release's other copies, oldest first.

    Attributes:
        paths: their files.
        differing: those whose figures differ from the release's own.
        wires: each copy's wire, in the order of ``paths`` (None where its text names none).
    """

    paths: tuple[str, ...] = ()
    differing: tuple[str, ...] = ()
    wires: tuple[str | None, ...] = ()


def copies_of(reader: IndexReader, rows: Sequence[ChunkRow]) -> dict[int, Copies]:
    """Per release of ``rows`` (by doc id): its copies, in one query for all of them."""
    members = reader.group_members(sorted({r.group for r in rows}))
    out = {}
    for r in rows:
        group = members.get(r.group, [])
        own = next((m.figures for m in group if m.doc_id == r.doc_id), ())
        others = [m for m in group if m.doc_id != r.doc_id]
        out[r.doc_id] = Copies(
            tuple(m.path for m in others),
            tuple(m.path for m in others if figures_differ(m.figures, own)),
            tuple(m.wire for m in others),
        )
    return out

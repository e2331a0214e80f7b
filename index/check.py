"""``check_index``: what is damaged in an index folder, generation by generation.

It reads ``CURRENT`` and checks every published generation in full (the manifest's own
checksum, then each file's size and SHA-256; a generation written before checksums is
read instead). The served generation decides :attr:`IndexCheck.ok`; damage in an older
one is reported but only matters if it has to stand in. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BadCurrentError, IndexCorruptError, repair_command
from .integrity import Damage, full_check
from .layout import MANIFEST, current_generation, generation_dirs
from .manifest import Manifest
from .reader import IndexNotFoundError

__all__ = ["GenerationCheck", "IndexCheck", "check_index"]


@dataclass(frozen=True)
class GenerationCheck:
    """One published generation: its manifest (None when unreadable) and its damage."""

    name: str
    path: Path
    manifest: Manifest | None
    damage: tuple[Damage, ...]

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.damage


@dataclass(frozen=True)
class IndexCheck:
    """The state of an index folder (``generations`` newest first)."""

    index_dir: Path
    current: str | None  # what CURRENT names (None when it is unusable)
    current_problem: str | None  # why CURRENT is unusable
    generations: tuple[GenerationCheck, ...]

    def generation(self, name: str | None) -> GenerationCheck | None:
        return next((g for g in self.generations if g.name == name), None)

    @property
    def served(self) -> GenerationCheck | None:
        """The generation readers open (CURRENT's), if CURRENT is usable."""
        return self.generation(self.current)

    @property
    def newest_sound(self) -> GenerationCheck | None:
        return next((g for g in self.generations if g.ok), None)

    @property
    def ok(self) -> bool:
        served = self.served
        return self.current_problem is None and served is not None and served.ok

    def lines(self) -> list[str]:
        """The report, one line per finding, ending with the verdict."""
        out = []
        if self.current_problem:
            out.append(f"damaged: {self.current_problem}")
        for g in self.generations:
            role = " (current)" if g.name == self.current else ""
            if g.ok:
                files = ", ".join(f"{n} {e['size']} bytes" for n, e in g.manifest.files.items())
                how = "checksums match" if g.manifest.files else "no checksums (format 3): read"
                out.append(f"ok: {g.name}{role}: {how}" + (f" ({files})" if files else ""))
            for d in g.damage:
                out.append(f"damaged: {g.name}{role}: {d}")
        if self.ok:
            out.append(f"{self.index_dir}: the index is sound ({self.current})")
        else:
            sound = self.newest_sound
            fallback = f"; {sound.name} is sound" if sound is not None else ""
            out.append(
                f"{self.index_dir}: the index is damaged{fallback}; run "
                f"`{repair_command(self.index_dir)}`"
            )
        return out


def _check_generation(path: Path) -> GenerationCheck:
    try:
        manifest = Manifest.read(path / MANIFEST, upgradable=True)
    except IndexCorruptError as exc:
        return GenerationCheck(path.name, path, None, (Damage(path / MANIFEST, exc.problem),))
    return GenerationCheck(path.name, path, manifest, tuple(full_check(path, manifest)))


def check_index(index_dir: Path | str) -> IndexCheck:
    """Check ``CURRENT`` and every published generation of ``index_dir`` in full.

    Raises:
        IndexNotFoundError: nothing was ever published there.

    Example:
        >>> result = check_index("data/index")  # doctest: +SKIP
        >>> result.ok, result.lines()[-1]  # doctest: +SKIP
    """
    index_dir = Path(index_dir)
    gens = tuple(_check_generation(p) for _, p in reversed(generation_dirs(index_dir)))
    try:
        current = current_generation(index_dir)
        problem = None
    except BadCurrentError as exc:
        current, problem = None, f"{exc.path}: {exc.problem}"
    if current is None and problem is None:
        raise IndexNotFoundError(
            f"{index_dir}: no index yet; build one with `pressroom ingest PATH --index {index_dir}`"
        )
    return IndexCheck(index_dir, current, problem, gens)

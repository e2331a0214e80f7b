"""How much of a real press release the parser finds, and how often its date is right.

Parses the 990 biopharma releases (JSONL) and the whole Newsworthy archive (tar.gz of
markdown, streamed) from the shared evaluation data, and prints one table: the share of
releases where each field was found, and the accuracy of the date read from the text
against the publication date in the data (the JSONL ``date`` / the archive path). The parser
is called without the path, so every date counted here was read from the text.

Markdown is turned into plain text with a few regular expressions that mimic the loader
(headings lose "#", links become their text, images go); ``--raw`` parses the markdown as is.

Usage:
    python benchmarks/release_coverage.py                      # everything, ~1-2 minutes
    python benchmarks/release_coverage.py --archive-limit 2000 --by-wire
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.dates import date_from_path  # noqa: E402
from ingest.normalize import normalize_text  # noqa: E402
from ingest.release import parse_release  # noqa: E402
from ingest.types import ABOUT, CONTACTS, SAFE_HARBOR, ReleaseMeta  # noqa: E402

__all__ = ["Tally", "header", "iter_archive", "iter_jsonl", "main", "markdown_to_plain", "run"]

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "data"
JSONL = Path("press_releases_newsworthy") / "biopharma_press_releases.jsonl"
ARCHIVE = Path("press_releases_newsworthy") / "all-releases-markdown.tar.gz"
FIELDS = ("headline", "subheadline", "date", "dateline", "wire", "company", "tickers")
KINDS = (ABOUT, SAFE_HARBOR, CONTACTS)

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_EMPHASIS = re.compile(r"\*\*|__")
_RULE = re.compile(r"(?m)^[ \t]*(?:-{3,}|\*{3,})[ \t]*$")


def markdown_to_plain(source: str) -> str:
    """A cheap stand-in for the markdown loader: the text a reader sees, markup removed."""
    text = html.unescape(source)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _RULE.sub("", text)


def iter_jsonl(path: Path) -> Iterator[tuple[str, str, str]]:
    """(wire, true date, markdown) per release; the headline is put back on top."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            yield rec["wire"], rec["date"], f"# {rec['title']}\n\n{rec['text']}"


def iter_archive(path: Path, limit: int | None) -> Iterator[tuple[str, str, str]]:
    """(wire, true date, markdown) per ``<wire>/<YYYY>/<MMDD>/<slug>.md`` in the tarball."""
    count = 0
    with tarfile.open(path, "r|gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".md"):
                continue
            parts = member.name.split("/")
            truth = date_from_path(member.name)
            handle = tar.extractfile(member)
            if handle is None or truth is None or len(parts) < 4:
                continue
            yield parts[-4], truth, handle.read().decode("utf-8", errors="replace")
            count += 1
            if limit is not None and count >= limit:
                return


class Tally:
    """Counts for one row of the table."""

    def __init__(self) -> None:
        self.n = 0
        self.found: Counter[str] = Counter()
        self.exact = 0
        self.near = 0
        self.seconds = 0.0

    def add(self, meta: ReleaseMeta, truth: str, seconds: float) -> None:
        """Count one parsed release against its true date."""
        self.n += 1
        self.seconds += seconds
        for name in FIELDS:
            if getattr(meta, name):
                self.found[name] += 1
        kinds = {s.kind for s in meta.sections}
        for kind in KINDS:
            if kind in kinds:
                self.found[kind] += 1
        if meta.date is not None:
            delta = abs(dt.date.fromisoformat(meta.date.value) - dt.date.fromisoformat(truth))
            self.exact += delta.days == 0
            self.near += delta.days <= 1

    def row(self, label: str) -> str:
        """The table line: shares found, date accuracy, milliseconds per release."""
        cells = [f"{100 * self.found[k] / max(1, self.n):.1f}" for k in (*FIELDS, *KINDS)]
        dated = self.found["date"]
        cells += [f"{100 * self.exact / dated:.1f}" if dated else "-"]
        cells += [f"{100 * self.near / dated:.1f}" if dated else "-"]
        cells += [f"{1000 * self.seconds / max(1, self.n):.2f}"]
        return _line(label, str(self.n), cells)


COLUMNS = ("headline", "subhead", "date", "dateline", "wire", "company", "tickers", "about")
COLUMNS += ("safe_h", "contact", "date=", "date±1", "ms")


def _line(label: str, n: str, cells: list[str]) -> str:
    """One table line of right-aligned cells."""
    return f"| {label:<22} | {n:>6} | " + " | ".join(f"{c:>8}" for c in cells) + " |"


def header() -> str:
    """The table's header and its markdown rule."""
    rule = "|" + "-" * 24 + "|" + "-:|".rjust(9, "-") + ("-:|".rjust(11, "-") * len(COLUMNS))
    return _line("source", "n", list(COLUMNS)) + "\n" + rule


def run(
    releases: Iterator[tuple[str, str, str]], raw: bool, by_wire: dict[str, Tally] | None
) -> Tally:
    """Parse every release and count it (also per wire when ``by_wire`` is given)."""
    total = Tally()
    for wire, truth, source in releases:
        text = normalize_text(source if raw else markdown_to_plain(source))
        t0 = time.perf_counter()
        meta = parse_release(text)
        seconds = time.perf_counter() - t0
        total.add(meta, truth, seconds)
        if by_wire is not None:
            by_wire[wire].add(meta, truth, seconds)
    return total


def main(argv: list[str] | None = None) -> int:
    """Print the coverage table; returns the exit status."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python benchmarks/release_coverage.py --archive-limit 2000 --by-wire",
    )
    parser.add_argument("--data", type=Path, default=None, help=f"default: {DEFAULT_DATA}")
    parser.add_argument("--archive-limit", type=int, default=None, help="parse only N files")
    parser.add_argument("--raw", action="store_true", help="parse markdown without converting")
    parser.add_argument("--by-wire", action="store_true", help="one row per wire (archive)")
    args = parser.parse_args(argv)

    data = args.data or DEFAULT_DATA
    jsonl, archive = data / JSONL, data / ARCHIVE
    if not jsonl.is_file() and not archive.is_file():
        print(f"release_coverage: no press-release data under {data}", file=sys.stderr)
        # The shared data is optional: skip quietly unless a --data given by hand is wrong.
        return 2 if args.data else 0
    print(header())
    started = time.perf_counter()
    if jsonl.is_file():
        print(run(iter_jsonl(jsonl), args.raw, None).row("biopharma JSONL"), flush=True)
    if archive.is_file() and args.archive_limit != 0:
        wires: dict[str, Tally] = defaultdict(Tally)
        total = run(iter_archive(archive, args.archive_limit), args.raw, wires)
        print(total.row("archive (all wires)"))
        if args.by_wire:
            for wire in sorted(wires, key=lambda w: -wires[w].n):
                print(wires[wire].row(f"  {wire}"))
    elapsed = time.perf_counter() - started
    print(
        "\nShares in %. date= / date±1: of the releases with a date read from the text, the "
        f"share whose date equals / is within a day of the true one. {elapsed:.0f} s in all."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

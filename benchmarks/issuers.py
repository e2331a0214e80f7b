"""Issuer and ticker precision and recall on the labelled archive sample.

The labels (``benchmarks/data/issuers/labels.jsonl``, 220 archive releases drawn by
``benchmarks/archive_samples.py issuers``, labelled by a separate labeller who saw no code;
see that folder's README; the releases themselves are read from the shared archive
tarball into ``benchmarks/out/issuers_releases``) give each release's issuer, its aliases
and the issuer's own ``exchange:symbol`` listings. Each release is read as ingest reads
it (``load_file``, ``normalize_text``, ``parse_release``: the company and tickers the index
stores) and scored:

* **issuer**: the predicted company matches when its key (:func:`ingest.names.name_key`:
  the name without its legal form by ``cleanco``, lower case, accents, punctuation and a
  leading "the" dropped) equals the key of the labelled issuer or of one of its aliases, or
  is within ``rapidfuzz`` ``fuzz.ratio >= 90`` of one (a strict threshold: one or two
  letters in a name of a dozen). Precision = matches / releases given a company; recall =
  matches / releases whose label names an issuer (kind company, organisation or person).
* **tickers**: ``EXCHANGE:SYMBOL`` pairs per release, exchanges normalised by
  :func:`exchange_key` (spaces, dots and hyphens dropped, one name per exchange: Nasdaq
  tiers are NASDAQ, TSX-V/TSX.V/TSX Venture are TSXV, NYSE MKT/AMEX are NYSEAMERICAN, OTC
  Markets is OTC, Pink sheets OTCPINK, NEO/Cboe Canada CBOECA, FSE/FWB/Frankfurt FRA).
  Precision = correct pairs / predicted pairs; recall = correct / labelled pairs.

Splits: ``dev`` is ``random.Random(16).sample`` of 100 of the sorted labelled paths, the
only releases whose errors may be studied (``--errors``); ``test`` is the other 120.
``--repo`` scores another checkout's parser (e.g. ``main``) in the same run.

    python benchmarks/issuers.py                       # the table: all, dev, test
    python benchmarks/issuers.py --repo /work/main     # and main's parser beside it
    python benchmarks/issuers.py --errors              # the dev half's errors only
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.company_list import parse_all  # noqa: E402
from benchmarks.lists import extract_slice  # noqa: E402
from ingest.names import name_key  # noqa: E402

DATA = REPO / "benchmarks" / "data" / "issuers"
FUZZY = 90.0  # rapidfuzz fuzz.ratio on name keys for a match
ISSUER_KINDS = ("company", "organisation", "person")

_EXCHANGES = {
    "NASDAQGS": "NASDAQ",
    "NASDAQGM": "NASDAQ",
    "NASDAQCM": "NASDAQ",
    "NASDAQGLOBALSELECT": "NASDAQ",
    "NASDAQGLOBALSELECTMARKET": "NASDAQ",
    "NASDAQGLOBALMARKET": "NASDAQ",
    "NASDAQCAPITALMARKET": "NASDAQ",
    "TSXVENTURE": "TSXV",
    "TSXVENTUREEXCHANGE": "TSXV",
    "NYSEMKT": "NYSEAMERICAN",
    "NYSEAMEX": "NYSEAMERICAN",
    "AMEX": "NYSEAMERICAN",
    "OTCMARKETS": "OTC",
    "OTCMKTS": "OTC",
    "PINK": "OTCPINK",
    "PINKSHEETS": "OTCPINK",
    "NEO": "CBOECA",
    "CBOECANADA": "CBOECA",
    "FSE": "FRA",
    "FWB": "FRA",
    "FRANKFURT": "FRA",
    "CNSX": "CSE",
    "LON": "LSE",
}


def exchange_key(exchange: str) -> str:
    """One spelling per exchange: ``exchange_key("TSX.V") == exchange_key("TSXV")``.

    >>> exchange_key("NYSE American"), exchange_key("Nasdaq Global Select Market")
    ('NYSEAMERICAN', 'NASDAQ')
    """
    key = re.sub(r"[\s.\-]", "", exchange.upper())
    return _EXCHANGES.get(key, key)


def pair_key(exchange: str, symbol: str) -> str:
    return f"{exchange_key(exchange)}:{symbol.strip().upper()}"


def issuer_matches(predicted: str, issuer: str, aliases: list[str]) -> bool:
    """Whether a predicted company names the labelled issuer (see the module's doc)."""
    from rapidfuzz import fuzz

    got = name_key(predicted)
    if not got:
        return False
    for name in [issuer, *aliases]:
        want = name_key(name or "")
        if want and (got == want or fuzz.ratio(got, want) >= FUZZY):
            return True
    return False


@dataclass
class Score:
    """Counts of one split."""

    releases: int = 0
    labelled: int = 0  # releases whose label names an issuer
    predicted: int = 0  # releases given a company
    correct: int = 0
    pairs_predicted: int = 0
    pairs_labelled: int = 0
    pairs_correct: int = 0

    def row(self, name: str) -> str:
        p = self.correct / self.predicted if self.predicted else 0.0
        r = self.correct / self.labelled if self.labelled else 0.0
        tp = self.pairs_correct / self.pairs_predicted if self.pairs_predicted else 0.0
        tr = self.pairs_correct / self.pairs_labelled if self.pairs_labelled else 0.0
        return (
            f"| {name} | {self.releases} | {p:.3f} ({self.correct}/{self.predicted}) | "
            f"{r:.3f} ({self.correct}/{self.labelled}) | {tp:.3f} "
            f"({self.pairs_correct}/{self.pairs_predicted}) | {tr:.3f} "
            f"({self.pairs_correct}/{self.pairs_labelled}) |"
        )


def load_labels(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def splits(paths: list[str]) -> dict[str, set[str]]:
    """``dev``: 100 paths by ``random.Random(16)``; ``test``: the other 120."""
    dev = set(random.Random(16).sample(sorted(paths), 100))
    return {"all": set(paths), "dev": dev, "test": set(paths) - dev}


def score(labels: list[dict], predicted: dict[str, tuple], keep: set[str]) -> Score:
    s = Score()
    for lab in labels:
        if lab["path"] not in keep:
            continue
        company, tickers = predicted[lab["path"]]
        s.releases += 1
        named = bool(lab.get("issuer")) and lab.get("kind") in ISSUER_KINDS
        s.labelled += named
        if company:
            s.predicted += 1
            if named and issuer_matches(company, lab["issuer"], lab.get("aliases") or []):
                s.correct += 1
        want = {pair_key(t["exchange"], t["symbol"]) for t in lab.get("tickers") or []}
        got = {pair_key(*t.split(":", 1)) for t in tickers}
        s.pairs_labelled += len(want)
        s.pairs_predicted += len(got)
        s.pairs_correct += len(want & got)
    return s


def errors(labels: list[dict], predicted: dict[str, tuple], keep: set[str]) -> None:
    """Print the dev half's mistakes: issuer missed or wrong, tickers wrong or missed."""
    for lab in labels:
        if lab["path"] not in keep:
            continue
        company, tickers = predicted[lab["path"]]
        named = bool(lab.get("issuer")) and lab.get("kind") in ISSUER_KINDS
        ok = bool(company) and named and issuer_matches(company, lab["issuer"], lab["aliases"])
        want = {pair_key(t["exchange"], t["symbol"]) for t in lab.get("tickers") or []}
        got = {pair_key(*t.split(":", 1)) for t in tickers}
        if ok and want == got or not company and not named:
            continue
        print(f"{lab['path']}\n  label: {lab.get('issuer')!r} ({lab.get('kind')}) {sorted(want)}")
        print(f"  got:   {company!r} {sorted(got)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=DATA / "labels.jsonl")
    parser.add_argument(
        "--releases",
        type=Path,
        default=REPO / "benchmarks" / "out" / "issuers_releases",
        help="the sample's files (extracted from the shared archive tarball when missing)",
    )
    parser.add_argument("--repo", type=Path, help="also score another checkout's parser")
    parser.add_argument("--errors", action="store_true", help="print the dev half's errors")
    args = parser.parse_args(argv)
    labels = load_labels(args.labels)
    paths = [lab["path"] for lab in labels]
    parts = splits(paths)
    try:
        extract_slice(DATA / "sample.txt", args.releases)
    except OSError as exc:
        print(f"error: the sample's releases are not there and {exc}", file=sys.stderr)
        return 2
    files = [str(args.releases / p) for p in paths]
    runs = [(str(args.repo), args.repo.resolve())] if args.repo else []
    runs.append(("this checkout", REPO))
    results = {}
    for name, repo in runs:
        rows = parse_all(repo, files)
        results[name] = {p: (c, t) for p, (c, t, _) in zip(paths, rows, strict=True)}
    if args.errors:
        errors(labels, results["this checkout"], parts["dev"])
        return 0
    print(f"{len(labels)} labelled releases ({args.labels})")
    print(
        "| code, split | releases | issuer precision | issuer recall | ticker precision | "
        "ticker recall |"
    )
    print("|---|---|---|---|---|---|")
    for name, _ in runs:
        for split in ("all", "dev", "test"):
            print(score(labels, results[name], parts[split]).row(f"{name}, {split}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

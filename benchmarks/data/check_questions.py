"""Verify the labelled retrieval question sets in this folder.

    .venv/bin/python benchmarks/data/check_questions.py [--jsonl PATH] [--verbose]

Checks ``pr_questions.jsonl`` (answerable) and ``pr_unanswerable.jsonl``:

* schema: unique ids, required fields, known ``kind`` values, non-empty answers;
* every answer string is an exact substring of its release's text, of the stored
  text (after ``ingest.normalize.normalize_text``) and of the text with markdown
  syntax rendered away (by the markdown loader's ``ingest.html.markdown_to_text`` when
  present, else an approximation with markdown-it-py);
  no answer holds a line break or markdown markup;
* specificity: in how many of the 990 shared releases each answer string occurs
  (a question fails when even its most specific answer is in more than
  ``MAX_DOCS_PER_ANSWER`` releases);
* set-level targets: question counts, distinct releases, share of questions that
  do not name the company;
* unanswerable questions: keyword probes (``UNANSWERABLE_PROBES`` below) that
  must not co-occur in any single release, bundled or shared.

The 990 releases live outside the repository
(``/work/shared/eval/data/press_releases_newsworthy/biopharma_press_releases.jsonl``,
or ``--jsonl`` / ``$PRESSROOM_EVAL_JSONL``). When that file is missing, the
questions over it are skipped with a message and only the bundled releases are
checked. Exit status is 0 when no check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from ingest.normalize import normalize_text  # noqa: E402

__all__ = [
    "UNANSWERABLE_PROBES",
    "Release",
    "check_answers",
    "check_schema",
    "check_targets",
    "check_unanswerable",
    "load_bundled",
    "load_jsonl",
    "load_shared",
    "main",
    "print_summary",
    "strip_markdown",
]

QUESTIONS = HERE / "pr_questions.jsonl"
UNANSWERABLE = HERE / "pr_unanswerable.jsonl"
BUNDLED_DIR = REPO / "data" / "releases"
DEFAULT_JSONL = Path(
    "/work/shared/eval/data/press_releases_newsworthy/biopharma_press_releases.jsonl"
)

KINDS = {"fact", "number", "date", "who", "where", "list", "time"}
MAX_DOCS_PER_ANSWER = 5  # most specific answer of a question may occur in at most this many
MARKUP = re.compile(r"\*\*|__|\]\(|!\[|`|^#|<[a-z/]")

# Targets from the task that defined the set.
MIN_ANSWERABLE = 100
MIN_UNANSWERABLE = 30
MIN_SHARED_RELEASES = 60
MIN_NOT_NAMING_SHARE = 1 / 3

# Unanswerable probes: for each question, groups of case-insensitive regexes. A probe
# group "hits" a release when every regex of the group matches it; any hit means the
# question may be answerable there and fails the check. "near" marks a near miss (a
# real release covers the company or topic but not the asked fact).
UNANSWERABLE_PROBES: dict[str, dict] = {
    "u001": {"near": False, "groups": [[r"pfizer", r"2030", r"revenue"]]},
    "u002": {"near": True, "groups": [[r"cellec?s?tar", r"novartis"]]},
    "u003": {"near": False, "groups": [[r"moderna", r"(third quarter|q3) 2025"]]},
    "u004": {"near": True, "groups": [[r"CLR ?131", r"(overall response rate|ORR) of \d"]]},
    "u005": {"near": True, "groups": [[r"CPDC", r"(\$|usd|cad) ?\d"]]},
    "u006": {"near": True, "groups": [[r"I-124-CLR1404", r"sensitivity of \d"]]},
    "u007": {"near": True, "groups": [[r"kamada", r"2026", r"revenue"]]},
    "u008": {
        "near": True,
        "groups": [[r"CYB003", r"PARADIGM", r"topline (results|data) (showed|demonstrated)"]],
    },
    "u009": {"near": True, "groups": [[r"calidi", r"(chief financial officer|CFO)"]]},
    "u010": {"near": True, "groups": [[r"okogen", r"OKG-0303", r"phase 3"]]},
    "u011": {"near": True, "groups": [[r"sethera", r"series [ab]\b"], [r"sethera", r"raised"]]},
    "u012": {"near": True, "groups": [[r"PP405", r"phase 3"], [r"pelage", r"IPO"]]},
    "u013": {"near": True, "groups": [[r"TNX-102", r"(approved|approval).{0,40}(europe|EMA)"]]},
    "u014": {
        "near": True,
        "groups": [[r"CelluSTAT", r"(FDA|PMA).{0,30}approv(ed|al was granted) (on|in) "]],
    },
    "u015": {
        "near": True,
        "groups": [[r"glucotrack", r"(price|cost)", r"\$\d+ (per|a) (month|sensor|device)"]],
    },
    "u016": {
        "near": True,
        "groups": [[r"lexaria", r"upfront"], [r"lexaria", r"novo nordisk.{0,200}licens"]],
    },
    "u017": {"near": True, "groups": [[r"HTD1801", r"(china|NMPA).{0,40}approv"]]},
    "u018": {"near": False, "groups": [[r"vertex", r"suzetrigine", r"revenue"]]},
    "u019": {"near": False, "groups": [[r"eli lilly", r"orforglipron", r"approv"]]},
    "u020": {"near": False, "groups": [[r"novo nordisk", r"layoff|job cuts|workforce reduction"]]},
    "u021": {"near": False, "groups": [[r"biogen", r"acqui"]]},
    "u022": {"near": False, "groups": [[r"skyrizi"]]},
    "u023": {"near": False, "groups": [[r"merck", r"keytruda", r"subcutaneous", r"approv"]]},
    "u024": {"near": False, "groups": [[r"gilead", r"lenacapavir", r"price"]]},
    "u025": {"near": False, "groups": [[r"regeneron.{0,150}(succeed|successor|succession)"]]},
    "u026": {"near": False, "groups": [[r"amgen", r"maritide", r"phase 3", r"weight loss of"]]},
    "u027": {"near": False, "groups": [[r"bristol", r"cobenfy", r"sales"]]},
    "u028": {"near": False, "groups": [[r"sanofi", r"blueprint medicines"]]},
    "u029": {"near": False, "groups": [[r"johnson & johnson|J&J", r"intra-cellular"]]},
    "u030": {
        "near": True,
        "groups": [[r"theriva", r"VCN-01", r"(median )?overall survival of \d"]],
    },
    "u031": {
        "near": True,
        "groups": [[r"nuvectis", r"NXP800", r"(objective )?response rate of \d"]],
    },
    "u032": {"near": True, "groups": [[r"annovis", r"buntanetap", r"(price|cost) per"]]},
    "u033": {"near": True, "groups": [[r"humacyte", r"symvess", r"(revenue|sales) of \$"]]},
    "u034": {
        "near": True,
        "groups": [[r"geovax", r"GEO-MVA", r"(EMA|european).{0,40}approv(ed|al granted)"]],
    },
    "u035": {"near": True, "groups": [[r"lantern", r"LP-184", r"phase 3"]]},
    "u036": {"near": False, "groups": [[r"roche", r"zealand", r"petrelintide"]]},
}


def load_jsonl(path: Path) -> list[dict]:
    """The records of a JSONL file, blank lines skipped."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def strip_markdown(text: str) -> str | None:
    """Text content of ``text`` rendered as markdown (links, emphasis, headings removed).

    Uses the project's markdown loader when it is there, else an approximation of it.
    """
    try:
        from ingest.html import markdown_to_text
    except ImportError:
        pass
    else:
        return markdown_to_text(text)
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return None
    parts: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "inline" and token.children is not None:
            pieces = []
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    pieces.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    pieces.append("\n")
            parts.append("".join(pieces))
        elif token.type in ("code_block", "fence", "html_block"):
            parts.append(token.content)
    return "\n\n".join(parts)


class Release:
    """One release in the three forms an answer must survive."""

    def __init__(self, key: str, raw: str, stored: str, markdown: str | None) -> None:
        self.key = key
        self.raw = raw
        self.stored = stored
        self.markdown = markdown


def load_bundled() -> dict[str, Release]:
    """The releases bundled in ``data/releases``, by file name."""
    out = {}
    for path in sorted(BUNDLED_DIR.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        out[path.name] = Release(path.name, raw, normalize_text(raw), None)
    return out


def load_shared(path: Path) -> dict[str, Release]:
    """The shared releases of the JSONL file, by path, headline put back on top."""
    out = {}
    for rec in load_jsonl(path):
        raw = rec["title"] + "\n\n" + rec["text"]
        stored = normalize_text("# " + rec["title"] + "\n\n" + rec["text"])
        stripped = strip_markdown("# " + rec["title"] + "\n\n" + rec["text"])
        md = normalize_text(stripped) if stripped is not None else None
        out[rec["path"]] = Release(rec["path"], raw, stored, md)
    return out


def check_schema(questions: list[dict], unanswerable: list[dict], errors: list[str]) -> None:
    """Ids, fields, kinds and answers of every record well formed; no question asked twice."""
    ids = [q.get("id") for q in questions] + [u.get("id") for u in unanswerable]
    for dup, n in Counter(ids).items():
        if n > 1:
            errors.append(f"duplicate id {dup}")
    for q in questions:
        qid = q.get("id", "?")
        for field in ("id", "question", "answers", "doc", "names_company", "kind"):
            if field not in q:
                errors.append(f"{qid}: missing field {field}")
        if not re.fullmatch(r"q\d{3}", str(q.get("id"))):
            errors.append(f"{qid}: id should look like q001")
        if q.get("kind") not in KINDS:
            errors.append(f"{qid}: unknown kind {q.get('kind')!r}")
        if not isinstance(q.get("names_company"), bool):
            errors.append(f"{qid}: names_company must be true or false")
        answers = q.get("answers")
        if (
            not isinstance(answers, list)
            or not answers
            or not all(isinstance(a, str) and a.strip() for a in answers)
        ):
            errors.append(f"{qid}: answers must be a non-empty list of non-empty strings")
    for u in unanswerable:
        uid = u.get("id", "?")
        if set(u) != {"id", "question"}:
            errors.append(f"{uid}: unanswerable records hold exactly id and question")
        if not re.fullmatch(r"u\d{3}", str(u.get("id"))):
            errors.append(f"{uid}: id should look like u001")
    texts = Counter(q.get("question", "").strip().lower() for q in questions + unanswerable)
    for text, n in texts.items():
        if n > 1:
            errors.append(f"question asked {n} times: {text!r}")


def check_answers(
    questions: list[dict],
    releases: dict[str, Release],
    shared: dict[str, Release],
    have_shared: bool,
    errors: list[str],
    verbose: bool,
) -> dict:
    """Every answer verbatim in its release in all three forms, and specific enough; returns
    the counts (checked, skipped, answers, and ``doc_counts`` of the most specific answers)."""
    stats = {"checked": 0, "skipped": 0, "answers": 0, "doc_counts": []}
    shared_stored = [r.stored for r in shared.values()]
    for q in questions:
        qid, doc = q["id"], q["doc"]
        rel = releases.get(doc)
        if rel is None:
            if doc.endswith(".md") and not have_shared:
                stats["skipped"] += 1
                continue
            errors.append(f"{qid}: unknown doc {doc!r}")
            continue
        stats["checked"] += 1
        best = None
        for ans in q["answers"]:
            stats["answers"] += 1
            if "\n" in ans or ans != ans.strip():
                errors.append(f"{qid}: answer {ans!r} has a line break or outer spaces")
            if MARKUP.search(ans):
                errors.append(f"{qid}: answer {ans!r} holds markdown/HTML markup")
            if ans not in rel.raw:
                errors.append(f"{qid}: answer {ans!r} not in the release text of {doc}")
                continue
            if ans not in rel.stored:
                errors.append(f"{qid}: answer {ans!r} lost by normalize_text in {doc}")
            if rel.markdown is not None and ans not in rel.markdown:
                errors.append(f"{qid}: answer {ans!r} lost when markdown is stripped in {doc}")
            if have_shared:
                n = sum(1 for text in shared_stored if ans in text)
                best = n if best is None else min(best, n)
                if verbose:
                    print(f"  {qid} {n:>3} releases  {ans!r}")
        if best is not None:
            stats["doc_counts"].append(best)
            if best > MAX_DOCS_PER_ANSWER:
                errors.append(
                    f"{qid}: most specific answer occurs in {best} shared releases "
                    f"(> {MAX_DOCS_PER_ANSWER}); choose a more specific string"
                )
    return stats


def check_unanswerable(
    unanswerable: list[dict], releases: dict[str, Release], errors: list[str]
) -> int:
    """No unanswerable question's keyword probe matches a release; returns how many probed."""
    probed = 0
    for u in unanswerable:
        probe = UNANSWERABLE_PROBES.get(u["id"])
        if probe is None:
            errors.append(f"{u['id']}: no keyword probe in UNANSWERABLE_PROBES")
            continue
        probed += 1
        for group in probe["groups"]:
            pats = [re.compile(p, re.IGNORECASE) for p in group]
            for rel in releases.values():
                if all(p.search(rel.stored) for p in pats):
                    errors.append(f"{u['id']}: probe {group} matches {rel.key}; may be answerable")
    return probed


def print_summary(
    questions: list[dict],
    unanswerable: list[dict],
    bundled: dict[str, Release],
    releases: dict[str, Release],
    stats: dict,
    probed: int,
) -> list[str]:
    """Print what was checked; returns the releases of the shared set that questions use."""
    docs = Counter(q["doc"] for q in questions)
    shared_docs = [d for d in docs if d not in bundled]
    not_naming = sum(1 for q in questions if q.get("names_company") is False)
    kinds = Counter(q.get("kind") for q in questions)
    near = sum(1 for u in unanswerable if UNANSWERABLE_PROBES.get(u["id"], {}).get("near"))
    print(
        f"answerable questions: {len(questions)} "
        f"({sum(docs[d] for d in bundled)} over bundled releases, "
        f"{sum(docs[d] for d in shared_docs)} over {len(shared_docs)} shared releases)"
    )
    print(
        f"  checked {stats['checked']}, skipped {stats['skipped']}, "
        f"answer strings verified {stats['answers']}"
    )
    print(f"  names_company=false: {not_naming} ({not_naming / max(1, len(questions)):.0%})")
    print(f"  kinds: {dict(sorted(kinds.items()))}")
    if stats["doc_counts"]:
        c = Counter(stats["doc_counts"])
        print(
            f"  shared releases holding the most specific answer: "
            f"{dict(sorted(c.items()))} (count -> questions)"
        )
    print(
        f"unanswerable questions: {len(unanswerable)} ({near} near misses), "
        f"probed {probed} against {len(releases)} releases"
    )
    return shared_docs


def check_targets(
    questions: list[dict], unanswerable: list[dict], shared_docs: list[str], errors: list[str]
) -> None:
    """The set-level targets: question counts, distinct releases, unnamed companies."""
    not_naming = sum(1 for q in questions if q.get("names_company") is False)
    if len(questions) < MIN_ANSWERABLE:
        errors.append(f"only {len(questions)} answerable questions (< {MIN_ANSWERABLE})")
    if len(unanswerable) < MIN_UNANSWERABLE:
        errors.append(f"only {len(unanswerable)} unanswerable questions (< {MIN_UNANSWERABLE})")
    if len(shared_docs) < MIN_SHARED_RELEASES:
        errors.append(f"only {len(shared_docs)} distinct shared releases (< {MIN_SHARED_RELEASES})")
    if not_naming < MIN_NOT_NAMING_SHARE * len(questions):
        errors.append("fewer than a third of the questions leave the company unnamed")


def main() -> int:
    """Run every check and print the findings; 0 when none failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jsonl", type=Path, default=None, help="the 990 shared releases")
    parser.add_argument("--verbose", action="store_true", help="print per-answer counts")
    args = parser.parse_args()
    jsonl = args.jsonl or Path(os.environ.get("PRESSROOM_EVAL_JSONL", DEFAULT_JSONL))

    questions = load_jsonl(QUESTIONS)
    unanswerable = load_jsonl(UNANSWERABLE)
    errors: list[str] = []
    check_schema(questions, unanswerable, errors)

    bundled = load_bundled()
    have_shared = jsonl.is_file()
    shared = load_shared(jsonl) if have_shared else {}
    if not have_shared:
        print(f"note: {jsonl} not found; skipping questions over the shared releases")
    releases = {**bundled, **shared}

    stats = check_answers(questions, releases, shared, have_shared, errors, args.verbose)
    probed = check_unanswerable(unanswerable, releases, errors)
    shared_docs = print_summary(questions, unanswerable, bundled, releases, stats, probed)
    check_targets(questions, unanswerable, shared_docs, errors)

    for e in errors:
        print("FAIL", e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())

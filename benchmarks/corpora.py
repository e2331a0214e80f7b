"""The evaluation sets as folders of files plus labelled questions.

Each loader writes its corpus as real files (so Pressroom ingests exactly what a user
would give it) and returns a :class:`Benchmark`: the paths to index, a map between
files and document keys, and the questions with their labels.

* ``pr``: the bundled releases plus 990 biopharma releases written as markdown;
  hand-written questions with exact answer strings (``benchmarks/data``).
* ``wide``: every industry and wire: the ``pr`` releases plus 3,000 archive releases;
  the blind questions of ``benchmarks/data/blind`` (written without sight of the system).
* ``dev``: the answer model's dev split over its releases plus the ``pr`` releases, for
  choosing settings (not part of ``all``, never reported as a result).
* ``scifact``: BEIR SciFact test (claims -> abstracts, graded by qrels).
* ``squad``: SQuAD 2.0 dev paragraphs; answerable questions have one gold paragraph.

A file is only rewritten when its content changed, so Pressroom's incremental
``sync`` finds nothing to do on a re-run.
"""

from __future__ import annotations

import csv
import json
import random
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ANSWER_SETS",
    "DATASETS",
    "Benchmark",
    "DataMissingError",
    "Question",
    "load_benchmark",
    "sample_questions",
]

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "releases"
QUESTIONS_DIR = REPO / "benchmarks" / "data"
DATASETS = ("pr", "wide", "scifact", "squad")
ANSWER_SETS = ("pr", "wide", "dev")  # judged by answer strings (``dev``: not in "all")
ARCHIVE_TARBALL = Path("press_releases_newsworthy") / "all-releases-markdown.tar.gz"
TRAINING_DIR = REPO / "training" / "data"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DataMissingError(Exception):
    """A file of the shared evaluation data is not where it is expected."""


@dataclass(frozen=True)
class Question:
    """One labelled question.

    Attributes:
        id: the question id.
        text: the question.
        relevant: document key -> relevance grade (empty for unanswerable questions).
        answers: accepted answer strings (``pr`` only: a passage holding one answers it).
        answerable: False for questions nothing in the corpus answers.
        names_company: ``pr`` only: whether the question names the company.
        kind: ``pr`` only: fact, number, date, who, where, list or time.
    """

    id: str
    text: str
    relevant: dict[str, int] = field(default_factory=dict)
    answers: tuple[str, ...] = ()
    answerable: bool = True
    names_company: bool | None = None
    kind: str | None = None


@dataclass
class Benchmark:
    """A corpus on disk and its questions.

    Attributes:
        name: ``pr``, ``scifact`` or ``squad``.
        paths: files/folders to pass to Pressroom's ``sync``.
        files: document key -> file (absolute); the baselines read these files.
        questions: answerable and unanswerable questions, in file order.
        judge: ``"answer"`` (a hit holds an answer string) or ``"doc"`` (qrels).
    """

    name: str
    paths: list[Path]
    files: dict[str, Path]
    questions: list[Question]
    judge: str
    _by_path: dict[str, str] = field(default_factory=dict, repr=False)

    def doc_key(self, source: str | Path) -> str | None:
        """The document key of a file path (as Pressroom's ``Passage.source`` gives it)."""
        if not self._by_path:
            self._by_path = {str(p.resolve()): k for k, p in self.files.items()}
        return self._by_path.get(str(Path(source).resolve()))


def _need(path: Path) -> Path:
    """``path`` itself; raises :class:`DataMissingError` when it does not exist."""
    if not path.exists():
        raise DataMissingError(
            f"{path} not found: the shared evaluation data is missing "
            "(pass its folder with --data, e.g. --data ../shared/eval/data)"
        )
    return path


def _read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSONL file of the shared data, blank lines skipped."""
    with _need(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless the file already holds exactly it."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def safe_name(doc_id: str) -> str:
    """A file-name-safe version of a document id (kept readable, made unique by the caller)."""
    return _UNSAFE.sub("_", doc_id).strip("._") or "doc"


def _load_pr(data: Path, out: Path, questions_dir: Path = QUESTIONS_DIR) -> Benchmark:
    """The bundled and 990 biopharma releases, with the hand-written questions."""
    corpus = out / "corpus_pr"
    files: dict[str, Path] = {p.name: p.resolve() for p in sorted(BUNDLED.iterdir()) if p.is_file()}
    _write_biopharma(data, corpus, files)
    questions = _answer_questions(
        _read_jsonl(questions_dir / "pr_questions.jsonl"), files, questions_dir
    )
    return Benchmark("pr", [BUNDLED, corpus], files, questions, judge="answer")


def _answer_questions(
    records: Iterator[dict], files: dict[str, Path], questions_dir: Path | None = None
) -> list[Question]:
    """Answer-string questions (and, from ``questions_dir``, the unanswerable ones)."""
    questions = []
    for rec in records:
        if not rec.get("answerable", True):
            questions.append(Question(id=rec["id"], text=rec["question"], answerable=False))
            continue
        if rec["doc"] not in files:
            raise DataMissingError(f"question {rec['id']}: release {rec['doc']} not in the corpus")
        questions.append(
            Question(
                id=rec["id"],
                text=rec["question"],
                relevant={rec["doc"]: 1},
                answers=tuple(rec["answers"]),
                names_company=bool(rec.get("names_company")),
                kind=rec.get("kind"),
            )
        )
    unanswerable = questions_dir / "pr_unanswerable.jsonl" if questions_dir else None
    for rec in _read_jsonl(unanswerable) if unanswerable and unanswerable.exists() else ():
        questions.append(Question(id=rec["id"], text=rec["question"], answerable=False))
    return questions


def _write_biopharma(data: Path, corpus: Path, files: dict[str, Path]) -> None:
    jsonl = data / "press_releases_newsworthy" / "biopharma_press_releases.jsonl"
    for rec in _read_jsonl(jsonl):
        path = corpus / rec["path"]
        _write_if_changed(path, f"# {rec['title']}\n\n{rec['text']}")
        files[rec["path"]] = path.resolve()


def _write_archive(data: Path, corpus: Path, wanted: set[str], files: dict[str, Path]) -> None:
    """Archive releases (paths under ``newsworthy-press-releases/``) as files of ``corpus``."""
    missing = {p for p in wanted if not (corpus / p).is_file()}
    if missing:
        with tarfile.open(_need(data / ARCHIVE_TARBALL)) as tar:
            for member in tar:
                rel = member.name.split("/", 1)[-1]
                if rel in missing:
                    _write_if_changed(corpus / rel, tar.extractfile(member).read().decode())
    for rel in wanted:
        files[rel] = (corpus / rel).resolve()


def _load_wide(data: Path, out: Path, questions_dir: Path | None = None) -> Benchmark:
    """Every industry: the bundled and biopharma releases and 3,000 archive releases
    (``benchmarks/data/blind/wide_archive.txt``); the blind questions over them."""
    qdir = questions_dir or QUESTIONS_DIR / "blind"
    corpus = out / "corpus_wide"
    files: dict[str, Path] = {p.name: p.resolve() for p in sorted(BUNDLED.iterdir()) if p.is_file()}
    _write_biopharma(data, corpus, files)
    listed = (QUESTIONS_DIR / "blind" / "wide_archive.txt").read_text().split()
    _write_archive(data, corpus, set(listed), files)
    questions = _answer_questions(_read_jsonl(qdir / "pr_questions.jsonl"), files, qdir)
    return Benchmark("wide", [BUNDLED, corpus], files, questions, judge="answer")


def _load_dev(data: Path, out: Path) -> Benchmark:
    """The answer model's dev split over its releases, with the biopharma releases beside
    them: for choosing the model's settings (never reported as a result)."""
    corpus = out / "corpus_dev"
    files: dict[str, Path] = {p.name: p.resolve() for p in sorted(BUNDLED.iterdir()) if p.is_file()}
    _write_biopharma(data, corpus, files)
    records = list(_read_jsonl(TRAINING_DIR / "dev.jsonl"))
    _write_archive(data, corpus, {r["doc"] for r in records}, files)
    return Benchmark(
        "dev", [BUNDLED, corpus], files, _answer_questions(iter(records), files), judge="answer"
    )


def _load_scifact(data: Path, out: Path) -> Benchmark:
    """BEIR SciFact: abstracts as files, test claims graded by the qrels."""
    root = data / "scifact"
    corpus = out / "corpus_scifact"
    files: dict[str, Path] = {}
    for rec in _read_jsonl(root / "corpus.jsonl"):
        path = corpus / f"{safe_name(rec['_id'])}.txt"
        _write_if_changed(path, f"{rec['title']}\n\n{rec['text']}")
        files[rec["_id"]] = path.resolve()
    qrels: dict[str, dict[str, int]] = {}
    with _need(root / "qrels" / "test.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    questions = [
        Question(id=rec["_id"], text=rec["text"], relevant=qrels[rec["_id"]])
        for rec in _read_jsonl(root / "queries.jsonl")
        if rec["_id"] in qrels
    ]
    return Benchmark("scifact", [corpus], files, questions, judge="doc")


def _load_squad(data: Path, out: Path) -> Benchmark:
    """SQuAD 2.0 dev: paragraphs as files; unanswerable questions have no relevant one."""
    root = data / "squad_v2_dev"
    corpus = out / "corpus_squad"
    files: dict[str, Path] = {}
    used: set[str] = set()
    for rec in _read_jsonl(root / "passages.jsonl"):
        name = safe_name(rec["_id"])
        while name in used:
            name += "_"
        used.add(name)
        path = corpus / f"{name}.txt"
        _write_if_changed(path, rec["text"])
        files[rec["_id"]] = path.resolve()
    questions = []
    for rec in _read_jsonl(root / "queries.jsonl"):
        meta = rec["metadata"]
        impossible = bool(meta["is_impossible"])
        questions.append(
            Question(
                id=rec["_id"],
                text=rec["text"],
                relevant={} if impossible else {meta["passage_id"]: 1},
                answers=tuple(meta.get("answers") or ()),
                answerable=not impossible,
            )
        )
    return Benchmark("squad", [corpus], files, questions, judge="doc")


def load_benchmark(
    name: str, data: Path, out: Path, questions_dir: Path | None = None
) -> Benchmark:
    """Write the corpus of ``name`` under ``out`` and return it with its questions.

    ``questions_dir`` (``pr`` only) holds ``pr_questions.jsonl`` and, optionally,
    ``pr_unanswerable.jsonl``; default ``benchmarks/data``.

    Raises:
        DataMissingError: the shared evaluation data is not under ``data``.
    """
    if not data.is_dir():
        raise DataMissingError(
            f"evaluation data folder {data} not found (pass it with --data, "
            "e.g. --data ../shared/eval/data)"
        )
    if name == "pr":
        return _load_pr(data, out, questions_dir or QUESTIONS_DIR)
    if name == "wide":
        return _load_wide(data, out, questions_dir)
    loaders = {"scifact": _load_scifact, "squad": _load_squad, "dev": _load_dev}
    return loaders[name](data, out)


def sample_questions(questions: list[Question], limit: int | None, seed: int) -> list[Question]:
    """At most ``limit`` answerable and ``limit`` unanswerable questions (seeded, order kept)."""
    if not limit:
        return list(questions)
    keep: set[str] = set()
    for answerable in (True, False):
        group = [q.id for q in questions if q.answerable is answerable]
        if len(group) > limit:
            group = random.Random(seed).sample(group, limit)
        keep.update(group)
    return [q for q in questions if q.id in keep]

"""What the UI does, without Gradio: questions, the library, uploads, removals and undo.

:class:`Desk` holds the index and releases folders and answers every UI action with
plain values or HTML, so each handler runs and is tested alone; ``ui.app`` only lays
out the widgets and wires them to these methods.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from index import (
    DocumentRow,
    IndexCorruptError,
    IndexFormatError,
    IndexLockedError,
    IndexStorageError,
    Progress,
    SyncReport,
    open_reader,
    reading,
    serving_problem,
    sync,
)
from ingest.analysis import query_terms
from qa import list_releases, phrase_reason, releases, retrieve
from qa.alerts import run_saved_searches
from qa.companies import directory_of
from qa.filters import make_filters, no_match_reason
from qa.query import is_list_question
from watch import Watcher

from .api import ask_arguments
from .panels import render_report, render_status
from .render import render_message, render_results
from .tables import render_list, render_timeline
from .trash import TrashError, move_to_trash, restore
from .uploads import UploadRefused, rename_note, save_upload
from .watching import render_watch

__all__ = ["LIBRARY_HEADERS", "MAX_RESULTS", "Answer", "Desk", "ProgressFn", "Removed"]

logger = logging.getLogger(__name__)

MAX_RESULTS = 20
LIBRARY_HEADERS = ["Headline", "Date", "Company", "Tickers", "Chunks", "File"]
ProgressFn = Callable[[float, str], None]  # share done (0..1), what is happening
Lines = list[tuple[str, str]]  # (kind: ok / info / error, text) lines of a report


def _within(path: str, folder: Path) -> bool:
    p = Path(os.path.abspath(path))
    return p.is_relative_to(Path(os.path.abspath(folder))) or p.resolve().is_relative_to(
        folder.resolve()
    )


def _outcome(kind: str, verb: str, names: list[str], most: int = 5) -> Lines:
    """Report lines for files with one outcome: one line each, or one line naming them all."""
    if len(names) <= most:
        return [(kind, f"{verb} {n}") for n in names]
    return [(kind, f"{verb} {len(names)} files: {', '.join(names)}")]


def _holds(report: SyncReport) -> str:
    return f"The index now holds {report.documents} releases, {report.chunks} chunks."


def _generation_size(index_dir: Path, generation: str) -> int:
    folder = Path(index_dir) / generation
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


# reading and parsing the files takes this share of an upload's progress bar, the model
# the rest (it does most of the work)
PARSE_SHARE = 0.2


def progress_line(p: Progress) -> tuple[float, str]:
    """How far a sync is (0..1) and what it is doing, for a progress bar.

    Parsing fills the first :data:`PARSE_SHARE` of the bar, embedding the rest, so the
    bar moves while the model runs instead of waiting at 100% with every file parsed.

    >>> progress_line(Progress(25, 25, 120, None, 240))
    (0.6, '25/25 files parsed · 120/240 chunks embedded')
    >>> progress_line(Progress(1, 4, 0, None, 0))
    (0.25, '1/4 files parsed')
    """
    parsed = p.files_done / max(p.files_total, 1)
    text = f"{p.files_done}/{p.files_total} files parsed"
    if not p.chunks_to_embed:
        return parsed, text
    embedded = p.chunks_embedded / p.chunks_to_embed
    share = round(PARSE_SHARE * parsed + (1 - PARSE_SHARE) * embedded, 4)
    return share, f"{text} · {p.chunks_embedded}/{p.chunks_to_embed} chunks embedded"


def _sync_progress(progress: ProgressFn | None) -> Callable[[Progress], None] | None:
    if progress is None:
        return None
    return lambda p: progress(*progress_line(p))


class SyncFailed(Exception):
    """Syncing the releases folder failed; the message says why in a few words."""


@dataclass(frozen=True)
class Removed:
    """The report of a removal, and the trash token that undoes it (None: nothing removed)."""

    report: str
    token: str | None = None


@dataclass(frozen=True)
class Answer:
    """The Ask tab's results: the page, whether more rows wait ("More" shown) and the
    period chip's text (None: no chip)."""

    html: str
    more: bool = False
    chip: str | None = None


class Desk:
    """The UI's actions over the index at ``index_dir`` and the releases in ``corpus_dir``.

    A damaged index is read as :func:`index.open_reader` with ``last_good`` reads it: the
    newest generation that opens is served, and :meth:`problem` says what is damaged and
    how to repair it (shown on every page).
    """

    def __init__(self, index_dir: Path, corpus_dir: Path, watcher: Watcher | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(os.path.abspath(corpus_dir))
        self.watcher = watcher  # the releases folder's (None: the app does not watch it)

    # -- the watched folder ------------------------------------------------------------------
    def watch_html(self) -> str:
        """The watcher's panel: its state, last sync, latest errors (see ui.watching)."""
        status = self.watcher.status if self.watcher is not None else None
        return render_watch(status, str(self.corpus_dir))

    def generation(self) -> str | None:
        """The index's published generation (it moves with every update, by anyone)."""
        try:
            return open_reader(self.index_dir, last_good=True).generation
        except IndexFormatError:
            return None

    # -- health ----------------------------------------------------------------------------
    def problem(self) -> str | None:
        """What is wrong with the index (damage found on opening it or by the background
        check, and the repair command); None when it is sound or not built yet."""
        try:
            open_reader(self.index_dir, last_good=True)
        except IndexCorruptError as exc:
            return f"{exc}. Nothing older could be served either."
        except IndexFormatError:
            return None  # no index yet, or another format: the pages say so where it matters
        return serving_problem(self.index_dir)

    def health_html(self) -> str:
        problem = self.problem()
        return (
            ""
            if problem is None
            else render_message(problem.replace("index damaged", "The index is damaged", 1))
        )

    # -- reading ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentRow]:
        try:
            return open_reader(self.index_dir, last_good=True).documents()
        except IndexFormatError:
            return []

    def display_path(self, path: str) -> str:
        return os.path.relpath(path, self.corpus_dir) if _within(path, self.corpus_dir) else path

    def ask(
        self,
        question: object,
        k: object = 5,
        date_from: object = "",
        date_to: object = "",
        company: object = "",
        include_boilerplate: object = True,
        keyword: object = False,
    ) -> list[dict]:
        """The ``/ask`` API: cited passages as dictionaries (see :class:`qa.Passage`), best
        first. The arguments are the raw JSON values a client sent (see :mod:`ui.api`);
        ``keyword`` true searches by keyword only.

        Raises:
            ValueError: an argument that cannot be used (the message says which and why),
                or a quoted phrase that no release holds (``no release contains "..."``).
            IndexFormatError: no usable index.
        """
        args = ask_arguments(
            question,
            k,
            date_from,
            date_to,
            company,
            include_boilerplate,
            keyword,
            max_k=MAX_RESULTS,
        )
        filters = make_filters(
            args.date_from,
            args.date_to,
            args.companies,
            args.include_boilerplate,
            labels=("date_from", "date_to"),
        )
        hits = retrieve(
            args.question,
            k=args.k,
            index_dir=self.index_dir,
            filters=filters,
            last_good=True,
            mode="keyword" if args.keyword else "hybrid",
        )
        if not hits:
            phrase = phrase_reason(args.question, self.index_dir, filters=filters, last_good=True)
            if phrase:  # said, not an empty list that looks like "nothing matched"
                raise ValueError(f"{phrase}; a phrase in quotes must occur exactly")
        return [asdict(h) for h in hits]

    def search(
        self,
        question: str,
        k: int,
        date_from: str,
        date_to: str,
        companies: Sequence[str] | None,
        include_boilerplate: bool,
        keyword: bool = False,
    ) -> str:
        """The results page for a question (a message, never a traceback, on failure);
        ``keyword``: keyword search only."""
        question = (question or "").strip()
        if not question:
            return render_results("", [])
        if keyword and not query_terms(question):
            return render_message(
                "Keyword search needs a word to search for: the question has only common "
                "words such as 'what' or 'the'.",
            )
        try:
            filters = make_filters(date_from, date_to, companies or [], include_boilerplate)
            k = max(1, min(int(k or 5), MAX_RESULTS))
            hits = retrieve(
                question,
                k=k,
                index_dir=self.index_dir,
                filters=filters,
                last_good=True,
                mode="keyword" if keyword else "hybrid",
            )
            texts = {}
            no_match = phrase = ""
            if not hits:  # why: the filters, or a quoted phrase no release holds
                phrase = phrase_reason(question, self.index_dir, filters=filters, last_good=True)
            with reading(self.index_dir, last_good=True) as reader:
                if not hits and not filters.is_empty():
                    no_match = no_match_reason(reader.documents(), filters)
                for h in hits:
                    try:
                        texts[h.doc_id] = reader.document_text(h.doc_id)
                    except KeyError:  # removed since the query
                        pass
        except Exception as exc:  # never a traceback in the page
            return _failure_page(exc, "search", "filters")
        return self.health_html() + render_results(
            question, hits, texts, filters=filters, no_match=no_match, phrase=phrase
        )

    def answer(
        self,
        question: str,
        k: int,
        date_from: str,
        date_to: str,
        companies: Sequence[str] | None,
        include_boilerplate: bool,
        keyword: bool = False,
        pages: int = 1,
        use_period: bool = True,
    ) -> Answer:
        """The results of a question: a table of releases for a list question ("Which
        companies announced acquisitions in Q2 2025?"; ``pages`` pages of
        :data:`MAX_RESULTS` rows, the question's period applied unless ``use_period`` is
        off), the cited passages for any other and for keyword search (``keyword``)."""
        question = (question or "").strip()
        if not question or keyword or not is_list_question(question):
            args = (question, k, date_from, date_to, companies, include_boilerplate, keyword)
            return Answer(self.search(*args))
        try:
            filters = make_filters(date_from, date_to, companies or [], include_boilerplate)
            found = list_releases(
                question,
                self.index_dir,
                filters=filters,
                page_size=MAX_RESULTS * max(1, int(pages or 1)),
                use_period=use_period,
                last_good=True,
            )
            texts, no_match = {}, ""
            with reading(self.index_dir, last_good=True) as reader:
                if not found.rows:
                    no_match = no_match_reason(reader.documents(), found.filters)
                for row in found.rows:
                    try:
                        texts[row.doc_id] = reader.document_text(row.doc_id)
                    except KeyError:  # removed since the query
                        pass
        except Exception as exc:  # never a traceback in the page
            return Answer(_failure_page(exc, "search", "filters"))
        chip = f"{found.period.label()}  ✕" if found.period else None
        html = self.health_html() + render_list(found, texts, no_match=no_match)
        return Answer(html, found.has_more, chip)

    def timeline(self, company: str | None, date_from: str = "", date_to: str = "") -> str:
        """The Companies view: ``company``'s releases newest first, each to open in place."""
        company = (company or "").strip()
        if not company:
            return render_timeline("", [], {})
        try:
            found = releases(company, date_from or None, date_to or None, index_dir=self.index_dir)
            texts = {}
            with reading(self.index_dir, last_good=True) as reader:
                for r in found[:200]:
                    try:
                        texts[r.doc_id] = reader.document_text(r.doc_id)
                    except KeyError:
                        pass
        except Exception as exc:  # never a traceback in the page
            return _failure_page(exc, "timeline", "dates")
        return render_timeline(company, found, texts)

    # -- the library -------------------------------------------------------------------------
    def library_rows(self, docs: Sequence[DocumentRow]) -> list[list]:
        return [
            [
                d.title or Path(d.path).stem,
                d.date or "",
                d.company or "",
                ", ".join(d.tickers),
                d.n_chunks,
                self.display_path(d.path),
            ]
            for d in docs
        ]

    @staticmethod
    def company_choices(docs: Sequence[DocumentRow]) -> list[tuple[str, str]]:
        """One choice per company of the corpus (its spellings merged, :mod:`qa.companies`):
        shown as "Name (NASDAQ:CLRB)", filtering by the canonical name."""
        directory = directory_of(docs)
        return [(c.label(), c.name) for c in directory.companies]

    def removable_choices(self, docs: Sequence[DocumentRow]) -> list[tuple[str, str]]:
        return [
            (f"{self.display_path(d.path)} · {(d.title or '')[:70]}", d.path)
            for d in sorted(docs, key=lambda d: self.display_path(d.path).lower())
        ]

    def status_html(self) -> str:
        try:
            reader = open_reader(self.index_dir, last_good=True)
        except IndexCorruptError as exc:
            return render_message(str(exc))
        except IndexFormatError as exc:
            return render_message(str(exc), "info")
        m = reader.manifest
        return self.health_html() + render_status(
            documents=m.documents,
            chunks=m.chunks,
            model=m.model,
            size_bytes=_generation_size(reader.index_dir, reader.generation),
            updated=m.created or None,
            index_dir=str(reader.index_dir),
            corpus_dir=str(self.corpus_dir),
        )

    def row_path(self, row: Sequence) -> str | None:
        """The release file a clicked library row names (None for a partial row)."""
        if len(row) < len(LIBRARY_HEADERS):
            return None
        shown = str(row[-1])
        return os.path.abspath(shown if os.path.isabs(shown) else self.corpus_dir / shown)

    # -- changes ---------------------------------------------------------------------------
    def add_files(self, files: Sequence[Path], progress: ProgressFn | None = None) -> str:
        """Save uploads into the releases folder and index them; the report as HTML."""
        if not files:
            return render_message("Choose one or more files to add.", "info")
        lines: Lines = []
        saved, created, renamed = [], set(), []
        for path in files:
            try:
                target, new = save_upload(path, self.corpus_dir)
                saved.append(target)
                if new:
                    created.add(target)
                note = rename_note(path.name, target.name)
                if note is not None:
                    renamed.append((target, note))
            except UploadRefused as exc:
                lines.append(("error", f"{path.name}: {exc}"))
            except OSError as exc:
                lines.append(("error", f"{path.name}: could not save ({exc.strerror or exc})"))
        if saved:
            if self.watcher is not None:  # indexed here: the folder's watcher leaves them
                self.watcher.claim(saved)
            if progress is not None:
                progress(0, f"0/{len(saved)} files parsed")
            indexed = self._index_uploads(saved, created, progress)
            kept = [("info", note) for target, note in renamed if target.exists()]
            lines += indexed[:-1] + kept + indexed[-1:]  # the index's totals last
        return render_report(lines)

    def _index_uploads(
        self, saved: list[Path], created: set[Path], progress: ProgressFn | None
    ) -> Lines:
        try:
            report = sync(saved, self.index_dir, progress=_sync_progress(progress), lock_timeout=60)
        except IndexLockedError:
            return [("error", "Another update of the index is running; try again.")]
        except (IndexFormatError, IndexStorageError) as exc:  # one clear line, no traceback
            return [("error", f"The index could not be updated: {exc}")]
        except (OSError, RuntimeError) as exc:
            logger.exception("upload sync failed")
            return [("error", f"The index could not be updated: {exc}")]
        added, updated = set(report.added), set(report.updated)
        failed = {f.path: f.reason for f in report.failed}
        done: dict[str, list[str]] = {"Added": [], "Updated": [], "Unchanged": []}
        lines: Lines = []
        for p in saved:
            key, name = os.path.abspath(p), p.name
            if key in failed:
                lines.append(("error", f"{name}: {failed.pop(key)} (not kept)"))
                if p in created:  # an unreadable upload is not left in the folder
                    p.unlink(missing_ok=True)
            else:
                verb = "Added" if key in added else "Updated" if key in updated else None
                done[verb or "Unchanged"].append(name)
        lines += _outcome("ok", "Added", done["Added"])
        lines += _outcome("ok", "Updated", done["Updated"])
        lines += _outcome("info", "Already indexed, unchanged:", done["Unchanged"])
        lines.extend(("error", f"{Path(k).name}: {r}") for k, r in failed.items())
        lines += self.run_alerts(report)
        lines.append(("info", _holds(report)))
        return lines

    def run_alerts(self, report: SyncReport) -> Lines:
        """Run the saved searches over what a sync added or changed; a report line when
        some release answers one (or when the alerts file could not be used)."""
        new, problem = run_saved_searches(self.index_dir, report)
        if problem:
            return [("error", f"Saved searches not run: {problem}")]
        if not new:
            return []
        n = len(new)
        return [("ok", f"{n} new alert{'s' if n != 1 else ''} for saved searches (Alerts tab)")]

    def remove(self, source: str | None, progress: ProgressFn | None = None) -> Removed:
        """Move a release's file to the trash and take it out of the index.

        Returns the report, and the trash token that :meth:`undo_remove` takes to bring
        the release back (None when nothing was removed).
        """
        if not source:
            return Removed(render_report([("info", "Choose a release to remove.")]))
        doc = {d.path: d for d in self.documents()}.get(source)
        if doc is None:
            return Removed(
                render_report([("info", "That release is not in the index (any more).")])
            )
        if not _within(source, self.corpus_dir):
            return Removed(
                render_report(
                    [
                        (
                            "error",
                            f"{source} is outside the releases folder {self.corpus_dir}; "
                            "Pressroom only removes files it manages. Delete the file yourself "
                            "and run `pressroom ingest` on its folder.",
                        )
                    ]
                )
            )
        if progress is not None:
            progress(0, "Removing")
        name = Path(source).name
        try:
            item = move_to_trash(Path(source), self.corpus_dir)
        except (OSError, TrashError) as exc:
            return Removed(render_report([("error", f"Could not remove {name}: {exc}")]))
        try:
            report = self._sync_folder(progress)
        except SyncFailed as exc:
            restore(item.token, self.corpus_dir)  # the index still has it: so does the folder
            return Removed(render_report([("error", f"Could not remove {name}: {exc}")]))
        trashed = os.path.relpath(item.trashed, self.corpus_dir)
        lines = [
            ("ok", f"Removed {self.display_path(source)} ({doc.title or 'untitled'})"),
            ("info", f"Its file is in the trash ({trashed}); Undo brings it back."),
        ]
        lines += self._also_changed(report, os.path.abspath(source))
        return Removed(render_report(lines), item.token)

    def undo_remove(self, token: str | None, progress: ProgressFn | None = None) -> str:
        """Bring a removed release back from the trash into the folder and the index."""
        if not token:
            return render_report([("info", "Nothing to undo.")])
        try:
            path = restore(token, self.corpus_dir)
        except (OSError, TrashError) as exc:
            return render_report([("error", f"Could not undo: {exc}")])
        if progress is not None:
            progress(0, "Restoring")
        try:
            report = self._sync_folder(progress)
        except SyncFailed as exc:
            return render_report([("error", f"{self.display_path(str(path))} is back, but {exc}")])
        lines = [("ok", f"Restored {self.display_path(str(path))}")]
        return render_report(lines + self._also_changed(report, str(path)))

    def _sync_folder(self, progress: ProgressFn | None) -> SyncReport:
        """Sync the releases folder. Raises SyncFailed with a short reason."""
        try:
            return sync(
                [self.corpus_dir],
                self.index_dir,
                progress=_sync_progress(progress),
                lock_timeout=60,  # the folder's watcher may be syncing: its turn is short
            )
        except IndexLockedError:
            raise SyncFailed("another update of the index is running; try again") from None
        except (OSError, IndexFormatError, RuntimeError) as exc:
            logger.exception("sync of the releases folder failed")
            raise SyncFailed(f"the index could not be updated ({exc})") from exc

    def _also_changed(self, report: SyncReport, expected: str) -> Lines:
        """What else syncing the folder found changed meanwhile, new alerts, and the index's
        totals."""
        lines: Lines = []
        lines += [
            ("ok", f"Also added {self.display_path(p)}") for p in report.added if p != expected
        ]
        lines += [("ok", f"Also updated {self.display_path(p)}") for p in report.updated]
        lines += [
            ("ok", f"Also removed {self.display_path(p)} (its file is gone)")
            for p in report.removed
            if p != expected
        ]
        lines += [("error", f"{self.display_path(f.path)}: {f.reason}") for f in report.failed]
        lines += self.run_alerts(report)  # a restored release may answer a saved search
        lines.append(("info", _holds(report)))
        return lines


def _failure_page(exc: Exception, what: str, check: str) -> str:
    """The page's message for a failed ``what`` (called inside its ``except``): bad input
    names what to check, a damaged index says so, anything else is logged with its
    traceback and named by type only."""
    if isinstance(exc, ValueError):
        return render_message(f"Check the {check}: {exc}.")
    if isinstance(exc, IndexFormatError):
        return render_message(str(exc))
    logger.exception("%s failed", what)
    return render_message(f"{what.capitalize()} failed ({type(exc).__name__}). See the server log.")

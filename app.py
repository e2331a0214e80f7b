"""Pressroom in the browser: ``python app.py`` serves a Gradio UI on http://127.0.0.1:7860.

Two tabs. **Ask**: a question, the cited answer first, then the ranked sources, each of
which opens the whole release with the passage highlighted in place; filters by date,
company, boilerplate and number of results. **Library**: index status, upload of new
releases (saved into the releases folder and indexed incrementally), the table of
indexed releases, and removal of a release.

The UI only calls the public functions (``qa.retrieve``, ``ingest.sync``,
``index.open_reader``); the HTML comes from ``qa.render``. ``ask`` is also a named API
(``/ask``) returning structured hits, for ``gradio_client``.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from index import (  # noqa: E402
    IndexFormatError,
    IndexLockedError,
    IndexNotFoundError,
    IndexUpgradeNeeded,
    default_index_dir,
    get_encoder,
    open_reader,
)
from ingest.__main__ import DEFAULT_CORPUS  # noqa: E402
from ingest.uploads import (  # noqa: E402
    ALLOWED_SUFFIXES,
    MAX_UPLOAD_BYTES,
    UploadRefused,
    save_upload,
)
from qa import retrieve  # noqa: E402
from qa.filters import make_filters, split_companies  # noqa: E402
from qa.render import (  # noqa: E402
    CSS,
    example_questions,
    render_message,
    render_report,
    render_results,
    render_status,
)

logger = logging.getLogger("pressroom.app")

# The curated questions apply when the bundled Cellectar releases are indexed.
BUNDLED_RELEASES = frozenset(
    {
        "2014-03-04-cellectar-phase-2-imaging-trial-glioblastoma.txt",
        "2016-11-28-cellectar-cpdc-manufacturing-partnership.txt",
    }
)
EXAMPLE_QUESTIONS = [
    "How many patients will the glioblastoma imaging trial enroll?",
    "Who manufactures CLR 131?",
    "Which radioisotope is the payload of CLR 131?",
    "What doses does the imaging trial test?",
]
MAX_RESULTS = 20
LIBRARY_HEADERS = ["Headline", "Date", "Company", "Tickers", "Chunks", "File"]
# Scrolls an opened release to its highlighted passage (inside the release's own box).
SCROLL_JS = """
element.addEventListener('toggle', (event) => {
  const box = event.target;
  if (!box.matches || !box.matches('details.pr-release') || !box.open) return;
  const text = box.querySelector('.pr-release-text');
  const mark = box.querySelector('.pr-anchor') || box.querySelector('.pr-in-passage');
  if (text && mark) text.scrollTop = Math.max(0, mark.offsetTop - text.clientHeight / 3);
}, true);
"""


# -- input checking (the UI's edge) ----------------------------------------------------------
def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the app on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- the app ---------------------------------------------------------------------------------
def _within(path: str, folder: Path) -> bool:
    p = Path(os.path.abspath(path))
    return p.is_relative_to(Path(os.path.abspath(folder))) or p.resolve().is_relative_to(
        folder.resolve()
    )


def _outcome(kind: str, verb: str, names: list[str], most: int = 5) -> list[tuple[str, str]]:
    """Report lines for files with one outcome: one line each, or one summary line."""
    if len(names) <= most:
        return [(kind, f"{verb} {n}") for n in names]
    shown = ", ".join(names[:3])
    return [(kind, f"{verb} {len(names)} files: {shown} and {len(names) - 3} more")]


def _holds(report) -> str:
    return f"The index now holds {report.documents} releases, {report.chunks} chunks."


def _generation_size(index_dir: Path, generation: str) -> int:
    folder = Path(index_dir) / generation
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def build_app(index_dir: Path | None = None, corpus_dir: Path | None = None) -> gr.Blocks:
    """The Gradio UI over the index at ``index_dir`` and the releases folder ``corpus_dir``.

    Args:
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).
        corpus_dir: where uploads are saved and removals delete from (default
            ``data/releases``).
    """
    index_dir = Path(index_dir or default_index_dir())
    corpus_dir = Path(os.path.abspath(corpus_dir or DEFAULT_CORPUS))

    def documents() -> list:
        try:
            return open_reader(index_dir).documents()
        except IndexFormatError:
            return []

    def display_path(path: str) -> str:
        return os.path.relpath(path, corpus_dir) if _within(path, corpus_dir) else path

    # -- ask -----------------------------------------------------------------------------
    def ask(
        question: str,
        k: int = 5,
        date_from: str = "",
        date_to: str = "",
        company: str = "",
        include_boilerplate: bool = True,
    ) -> list[dict]:
        """Cited passages for a question, best first, as dictionaries (see qa.Passage).

        ``company`` is a comma-separated list of company names or tickers (a legal suffix
        such as ", Inc." stays with its name); dates are ISO (YYYY, YYYY-MM or YYYY-MM-DD).
        """
        try:
            filters = make_filters(
                date_from, date_to, split_companies(company), bool(include_boilerplate)
            )
            k = max(1, min(int(k), MAX_RESULTS))
            hits = retrieve(question or "", k=k, index_dir=index_dir, filters=filters)
        except (ValueError, IndexFormatError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return [asdict(h) for h in hits]

    def search(question, k, date_from, date_to, companies, include_boilerplate) -> str:
        question = (question or "").strip()
        if not question:
            return render_results("", [])
        try:
            filters = make_filters(date_from, date_to, companies or [], include_boilerplate)
            k = max(1, min(int(k or 5), MAX_RESULTS))
            hits = retrieve(question, k=k, index_dir=index_dir, filters=filters)
            reader = open_reader(index_dir)
            texts = {}
            for h in hits:
                try:
                    texts[h.doc_id] = reader.document_text(h.doc_id)
                except KeyError:  # removed since the query
                    pass
        except ValueError as exc:
            return render_message(f"Check the filters: {exc}.")
        except IndexFormatError as exc:
            return render_message(str(exc))
        except Exception as exc:  # never a traceback in the page
            logger.exception("search failed")
            return render_message(f"Search failed ({type(exc).__name__}). See the server log.")
        return render_results(question, hits, texts, filters=filters)

    # -- library -------------------------------------------------------------------------
    def library_rows(docs) -> list[list]:
        return [
            [
                d.title or Path(d.path).stem,
                d.date or "",
                d.company or "",
                ", ".join(d.tickers),
                d.n_chunks,
                display_path(d.path),
            ]
            for d in docs
        ]

    def company_choices(docs) -> list[tuple[str, str]]:
        tickers: dict[str, set[str]] = {}
        for d in docs:
            name = (d.company or "").strip() or (d.tickers[0] if d.tickers else "")
            if name:
                tickers.setdefault(name, set()).update(d.tickers)
        return [
            (f"{name} ({', '.join(sorted(t - {name}))})" if t - {name} else name, name)
            for name, t in sorted(tickers.items(), key=lambda kv: kv[0].lower())
        ]

    def removable_choices(docs) -> list[tuple[str, str]]:
        return [
            (f"{display_path(d.path)} · {(d.title or '')[:70]}", d.path)
            for d in sorted(docs, key=lambda d: display_path(d.path).lower())
        ]

    def status_html() -> str:
        try:
            reader = open_reader(index_dir)
        except IndexFormatError as exc:
            return render_message(str(exc), "info")
        m = reader.manifest
        return render_status(
            documents=m.documents,
            chunks=m.chunks,
            model=m.model,
            size_bytes=_generation_size(reader.index_dir, reader.generation),
            updated=m.created or None,
            index_dir=str(reader.index_dir),
            corpus_dir=str(corpus_dir),
        )

    def refresh():
        docs = documents()
        return (
            library_rows(docs),
            gr.update(choices=removable_choices(docs), value=None),
            gr.update(choices=company_choices(docs)),
            status_html(),
        )

    def progress_callback(progress: gr.Progress):
        def report(p) -> None:
            total = max(p.files_total, 1)
            progress(
                p.files_done / total,
                desc=f"{p.files_done}/{p.files_total} files parsed · "
                f"{p.chunks_embedded} chunks embedded",
            )

        return report

    def upload(files, progress=gr.Progress()):  # noqa: B008 (Gradio's injection idiom)
        from ingest import sync

        if not files:
            return (None, render_message("Choose one or more files to add.", "info"), *refresh())
        lines: list[tuple[str, str]] = []
        saved, created = [], set()
        for f in files:
            path = Path(f if isinstance(f, str) else getattr(f, "name", f))
            try:
                target, new = save_upload(path, corpus_dir)
                saved.append(target)
                if new:
                    created.add(target)
            except UploadRefused as exc:
                lines.append(("error", f"{path.name}: {exc}"))
            except OSError as exc:
                lines.append(("error", f"{path.name}: could not save ({exc.strerror or exc})"))
        if saved:
            progress(0, desc=f"0/{len(saved)} files parsed")
            try:
                report = sync(
                    saved, index_dir, progress=progress_callback(progress), lock_timeout=60
                )
            except IndexLockedError:
                lines.append(("error", "Another update of the index is running; try again."))
            except (IndexFormatError, OSError, RuntimeError) as exc:
                logger.exception("upload sync failed")
                lines.append(("error", f"The index could not be updated: {exc}"))
            else:
                added, updated = set(report.added), set(report.updated)
                failed = {f.path: f.reason for f in report.failed}
                done: dict[str, list[str]] = {"Added": [], "Updated": [], "Unchanged": []}
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
                lines.append(("info", _holds(report)))
        return (None, render_report(lines), *refresh())

    def remove(source: str | None, progress=gr.Progress()):  # noqa: B008
        from ingest import sync

        def done(lines: list[tuple[str, str]]):
            return (render_report(lines), *refresh())

        if not source:
            return done([("info", "Choose a release to remove.")])
        doc = {d.path: d for d in documents()}.get(source)
        if doc is None:
            return done([("info", "That release is not in the index (any more).")])
        if not _within(source, corpus_dir):
            return done(
                [
                    (
                        "error",
                        f"{source} is outside the releases folder {corpus_dir}; Pressroom "
                        "only deletes files it manages. Delete the file yourself and run "
                        "`python -m ingest` on its folder.",
                    )
                ]
            )
        progress(0, desc="Removing")
        try:
            Path(source).unlink(missing_ok=True)
            report = sync([corpus_dir], index_dir, progress=progress_callback(progress))
        except IndexLockedError:
            return done([("error", "Another update of the index is running; try again.")])
        except (OSError, IndexFormatError, RuntimeError) as exc:
            logger.exception("remove failed")
            return done([("error", f"Could not remove {Path(source).name}: {exc}")])
        lines = [("ok", f"Removed {display_path(source)} ({doc.title or 'untitled'})")]
        # syncing the folder also picks up whatever else changed in it meanwhile
        lines += [("ok", f"Also added {display_path(p)}") for p in report.added]
        lines += [("ok", f"Also updated {display_path(p)}") for p in report.updated]
        lines += [
            ("ok", f"Also removed {display_path(p)} (its file is gone)")
            for p in report.removed
            if p != os.path.abspath(source)
        ]
        lines += [("error", f"{display_path(f.path)}: {f.reason}") for f in report.failed]
        lines.append(("info", _holds(report)))
        return done(lines)

    def select_row(evt: gr.SelectData):
        row = evt.row_value or []
        if len(row) < len(LIBRARY_HEADERS):
            return gr.update()
        shown = str(row[-1])
        return os.path.abspath(shown if os.path.isabs(shown) else corpus_dir / shown)

    # -- layout --------------------------------------------------------------------------
    docs = documents()
    names = {Path(d.path).name for d in docs}
    if BUNDLED_RELEASES <= names:
        examples = EXAMPLE_QUESTIONS
    else:
        examples = example_questions([(d.title, d.date, d.company) for d in docs])

    with gr.Blocks(title="Pressroom", fill_width=True) as demo:
        gr.HTML(
            "<div class='pr-header'><h1>Pressroom</h1><p>Search the press releases and get "
            "answers you can cite: every answer names its release, date and company.</p></div>",
            js_on_load=None,
        )
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=4, min_width=480):
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(
                                label="Question",
                                show_label=False,
                                placeholder="Ask the releases, e.g. " + (examples or ["…"])[0],
                                scale=6,
                                autofocus=True,
                                elem_id="question",
                            )
                            ask_button = gr.Button(
                                "Ask", variant="primary", scale=0, min_width=100, elem_id="ask"
                            )
                        example_buttons = []
                        if examples:
                            with gr.Row(elem_classes="pr-examples"):
                                gr.HTML("<span class='pr-try'>Try:</span>", js_on_load=None)
                                for text in examples:
                                    example_buttons.append(
                                        (gr.Button(text, size="sm", variant="secondary"), text)
                                    )
                        results = gr.HTML(
                            render_message(
                                f"Ask about the {len(docs)} indexed releases in plain words and "
                                "press Enter. The answering sentence comes first, cited with its "
                                "release's headline, date and company; the ranked sources follow.",
                                "info",
                            ),
                            elem_id="results",
                            js_on_load=SCROLL_JS,
                        )
                    with gr.Column(scale=1, min_width=250, elem_classes="pr-filters"):
                        gr.HTML("<div class='pr-filters-h'>Filters</div>", js_on_load=None)
                        date_from = gr.Textbox(
                            label="From", placeholder="YYYY-MM-DD", elem_id="date-from"
                        )
                        date_to = gr.Textbox(
                            label="To", placeholder="YYYY-MM-DD", elem_id="date-to"
                        )
                        companies = gr.Dropdown(
                            choices=company_choices(docs),
                            value=[],
                            multiselect=True,
                            allow_custom_value=True,
                            label="Company or ticker",
                            elem_id="company",
                        )
                        boilerplate = gr.Checkbox(
                            value=True,
                            label="Include boilerplate (About, safe harbor, contacts)",
                            elem_id="boilerplate",
                        )
                        k = gr.Slider(1, MAX_RESULTS, value=5, step=1, label="Results", elem_id="k")
                        clear = gr.Button("Clear filters", size="sm", variant="secondary")
            with gr.Tab("Library", id="library"):
                status = gr.HTML(status_html(), elem_id="status", js_on_load=None)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        uploads = gr.File(
                            label="Add releases (.txt, .md, .html, .htm, .pdf; up to 25 MB each)",
                            file_count="multiple",
                            file_types=list(ALLOWED_SUFFIXES),
                            height=140,
                            elem_id="upload",
                        )
                    with gr.Column(scale=2):
                        upload_report = gr.HTML(
                            render_message(
                                f"New files are saved into {corpus_dir} and indexed at once; "
                                "they can be asked about as soon as the update finishes.",
                                "info",
                            ),
                            elem_id="upload-report",
                            js_on_load=None,
                        )
                library = gr.Dataframe(
                    value=library_rows(docs),
                    headers=LIBRARY_HEADERS,
                    datatype=["str", "str", "str", "str", "number", "str"],
                    interactive=False,
                    wrap=True,
                    show_search="search",
                    column_widths=["37%", "10%", "17%", "11%", "7%", "18%"],
                    max_height=520,
                    label="Indexed releases (click a row to select it for removal)",
                    elem_id="library",
                )
                with gr.Row(equal_height=True):
                    to_remove = gr.Dropdown(
                        choices=removable_choices(docs),
                        value=None,
                        label="Remove a release (deletes its file from the releases folder)",
                        scale=5,
                        elem_id="remove-choice",
                    )
                    remove_button = gr.Button(
                        "Remove", variant="stop", scale=0, min_width=140, elem_id="remove"
                    )
                remove_report = gr.HTML(
                    render_message(
                        "Removing deletes the release's file from the releases folder and takes "
                        "it out of the index. Releases outside that folder are never deleted.",
                        "info",
                    ),
                    elem_id="remove-report",
                    js_on_load=None,
                )

        inputs = [question, k, date_from, date_to, companies, boilerplate]
        private = {"api_visibility": "private"}
        gr.on(
            [
                question.submit,
                ask_button.click,
                date_from.submit,
                date_to.submit,
                companies.input,
                boilerplate.input,
                k.release,
            ],
            search,
            inputs,
            results,
            **private,
        )
        for button, text in example_buttons:
            button.click(lambda t=text: t, None, question, **private).then(
                search, inputs, results, **private
            )
        clear.click(
            lambda: ("", "", [], True, 5),
            None,
            [date_from, date_to, companies, boilerplate, k],
            **private,
        ).then(search, inputs, results, **private)
        refreshed = [library, to_remove, companies, status]
        writer = {"concurrency_id": "index-writer", "concurrency_limit": 1}
        uploads.upload(
            upload,
            uploads,
            [uploads, upload_report, *refreshed],
            show_progress_on=upload_report,
            **private,
            **writer,
        )
        remove_button.click(
            remove,
            to_remove,
            [remove_report, *refreshed],
            show_progress_on=remove_report,
            **private,
            **writer,
        )
        library.select(select_row, None, to_remove, **private)
        demo.load(refresh, None, refreshed, **private)
        gr.api(ask, api_name="ask")
    return demo


def ensure_index(index_dir: Path, corpus: Path) -> None:
    """Build the index over ``corpus`` when ``index_dir`` has none yet; upgrade an older
    format in place (nothing is embedded again, no release is added or removed).

    Raises:
        IndexFormatError: an index is there but cannot be used (format, model).
    """
    from ingest import sync

    try:
        open_reader(index_dir)
        return
    except IndexUpgradeNeeded as exc:
        print(f"{exc}: upgrading ...", file=sys.stderr)
        sync([], index_dir, encoder=get_encoder(exc.model))
        return
    except IndexNotFoundError:
        pass
    print(f"building the index over {corpus} into {index_dir} ...", file=sys.stderr)
    report = sync([corpus], index_dir)
    for failure in report.failed:
        print(f"error: {failure}", file=sys.stderr)
    print(f"indexed {report.documents} releases, {report.chunks} chunks", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python app.py",
        description=(
            "Serve the Pressroom browser UI: ask questions with cited answers, add and remove\n"
            "releases. Builds the index over the releases folder first if there is none."
        ),
        epilog=(
            "examples:\n"
            "  python app.py                                  # http://127.0.0.1:7860\n"
            "  python app.py --corpus ~/releases --index ~/pressroom-index --port 8080\n"
            "  PRESSROOM_AUTH=desk:secret python app.py --host 0.0.0.0\n"
            "\nBinding to an address other than loopback requires --auth USER:PASSWORD (or\n"
            "PRESSROOM_AUTH), or an explicit --no-auth. The app is never shared publicly."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument(
        "--index",
        type=Path,
        default=None,
        help="index folder (default PRESSROOM_INDEX or data/index)",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="releases folder: uploads are saved here, removals delete from here "
        "(default data/releases)",
    )
    p.add_argument(
        "--auth",
        default=None,
        metavar="USER:PASSWORD",
        help="require this login (default: PRESSROOM_AUTH); required off loopback",
    )
    p.add_argument(
        "--no-auth",
        action="store_true",
        help="allow binding a non-loopback address without a login (not recommended)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    auth_text = args.auth if args.auth is not None else os.environ.get("PRESSROOM_AUTH")
    auth = None
    if auth_text:
        user, sep, password = auth_text.partition(":")
        if not sep or not user or not password:
            parser.error("--auth (or PRESSROOM_AUTH) must be USER:PASSWORD, both non-empty")
        auth = (user, password)
    if not is_loopback(args.host) and auth is None and not args.no_auth:
        parser.error(
            f"--host {args.host} makes Pressroom reachable from other machines; give a login "
            "with --auth USER:PASSWORD (or PRESSROOM_AUTH), or --no-auth to allow it without"
        )
    index_dir = args.index or default_index_dir()
    try:
        ensure_index(index_dir, args.corpus)
        # load the model now, so that the first question is answered at full speed
        get_encoder(open_reader(index_dir).manifest.model)
    except (IndexFormatError, IndexLockedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    demo = build_app(index_dir, args.corpus)
    demo.queue(default_concurrency_limit=2)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=False,
        auth=auth,
        max_file_size=MAX_UPLOAD_BYTES,
        css=CSS,
        theme=gr.themes.Default(
            primary_hue="amber", neutral_hue="slate", font=["system-ui", "sans-serif"]
        ),
        footer_links=["api"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Gradio layout: four tabs wired to :class:`ui.desk.Desk` and
:class:`ui.alert_desk.AlertDesk`.

**Ask**: a question, the cited answer first, then the ranked sources, each of which opens
the whole release with the passage highlighted in place; filters by date, company,
boilerplate and number of results. A list question ("Which companies announced
acquisitions in Q2 2025?") gets a table of releases instead, with "More results" and the
period read from the question as a chip that removes it. **Companies**: a company's
releases on a timeline, each to open. **Library**: index status, upload of new releases
(saved into the releases folder and indexed incrementally), the table of indexed
releases, and removal of a release. **Alerts** (its label counts the unseen ones,
"Alerts (3)"): the releases added since that answer a search saved with "Save search"
beside the question, per user when the app has a login. ``ask`` is also a named API
(``/ask``) returning structured hits, for ``gradio_client``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from index import DEFAULT_CORPUS, IndexFormatError, default_index_dir  # noqa: E402
from ingest.formats import MAX_UPLOAD_BYTES, SUPPORTED_SUFFIXES, format_size  # noqa: E402

from .alert_desk import AlertDesk, user_of  # noqa: E402
from .desk import LIBRARY_HEADERS, MAX_RESULTS, Desk  # noqa: E402
from .panels import example_questions  # noqa: E402
from .render import render_message  # noqa: E402
from .trash import TRASH  # noqa: E402

if TYPE_CHECKING:
    from watch import Watcher

__all__ = ["BUNDLED_RELEASES", "DEFAULT_CORPUS", "EXAMPLE_QUESTIONS", "build_app"]

logger = logging.getLogger(__name__)

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
# The results' behaviour in the page: an opened release scrolls to its highlighted passage
# (inside the release's own box); "Copy citation" puts the source's citation on the
# clipboard (the Clipboard API where the page is a secure context, else a hidden textarea).
RESULTS_JS = """
element.addEventListener('toggle', (event) => {
  const box = event.target;
  if (!box.matches || !box.matches('details.pr-release') || !box.open) return;
  const text = box.querySelector('.pr-release-text');
  const mark = box.querySelector('.pr-anchor') || box.querySelector('.pr-in-passage');
  if (text && mark) text.scrollTop = Math.max(0, mark.offsetTop - text.clientHeight / 3);
}, true);
element.addEventListener('click', (event) => {
  const button = event.target.closest ? event.target.closest('button.pr-copy') : null;
  if (!button) return;
  const cite = button.dataset.cite;
  const done = (ok) => {
    button.textContent = ok ? 'Copied' : 'Copy failed: select the text';
    button.classList.toggle('pr-copied', ok);
    setTimeout(() => {
      button.textContent = 'Copy citation';
      button.classList.remove('pr-copied');
    }, 2500);
  };
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = cite;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    done(ok);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(cite).then(() => done(true), fallback);
  } else {
    fallback();
  }
});
"""
# sorting the library by a header click, keyboard shortcuts (``ui/page.js``)
PAGE_JS = Path(__file__).with_name("page.js").read_text(encoding="utf-8")
_PRIVATE = {"api_visibility": "private"}
# Questions run up to QUERY_CONCURRENCY at a time: they spend their time in the model,
# FAISS and SQLite, which release the GIL, so both cores work (at 2 at a time, 8 clients
# queued behind each other). Updates of the index run one at a time in a group of their
# own, so an upload never takes the questions' places; other events (a tab's refresh, an
# example's text) share OTHER_CONCURRENCY.
QUERY_CONCURRENCY = 8
OTHER_CONCURRENCY = 4
_QUERIES = {"concurrency_id": "queries", "concurrency_limit": QUERY_CONCURRENCY}
_WRITER = {"concurrency_id": "index-writer", "concurrency_limit": 1}


def _progress(progress: gr.Progress):
    return lambda share, desc: progress(share, desc=desc)


def _ask_tab(desk: Desk, docs: list, examples: list[str]) -> SimpleNamespace:
    ui = SimpleNamespace(examples=[])
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=480):
            with gr.Row(equal_height=True):
                ui.question = gr.Textbox(
                    label="Question",
                    show_label=False,
                    placeholder="Ask the releases, e.g. " + (examples or ["…"])[0],
                    scale=6,
                    autofocus=True,
                    elem_id="question",
                )
                ui.ask = gr.Button("Ask", variant="primary", scale=0, min_width=100, elem_id="ask")
                ui.save = gr.Button(
                    "Save search",
                    scale=0,
                    min_width=120,
                    elem_id="save-search",
                    variant="secondary",
                )
            ui.saved = gr.HTML("", elem_id="save-report", js_on_load=None)
            if examples:
                with gr.Row(elem_classes="pr-examples"):
                    gr.HTML("<span class='pr-try'>Try:</span>", js_on_load=None)
                    for text in examples:
                        button = gr.Button(text, size="sm", variant="secondary")
                        ui.examples.append((button, text))
            ui.chip = gr.Button(
                "", visible=False, size="sm", variant="secondary", elem_id="period-chip"
            )
            ui.results = gr.HTML(
                render_message(
                    f"Ask about the {len(docs)} indexed releases in plain words and "
                    "press Enter. The answering sentence comes first, cited with its "
                    "release's headline, date and company; the ranked sources follow.",
                    "info",
                ),
                elem_id="results",
                js_on_load=RESULTS_JS,
            )
            ui.more = gr.Button("More results", visible=False, size="sm", elem_id="list-more")
            ui.pages = gr.State(1)  # pages of a list question's table shown
            ui.use_period = gr.State(True)  # False once the period chip is removed
        with gr.Column(scale=1, min_width=250, elem_classes="pr-filters"):
            gr.HTML("<div class='pr-filters-h'>Filters</div>", js_on_load=None)
            ui.date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD", elem_id="date-from")
            ui.date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD", elem_id="date-to")
            ui.companies = gr.Dropdown(
                choices=desk.company_choices(docs),
                value=[],
                multiselect=True,
                allow_custom_value=True,
                label="Company or ticker",
                elem_id="company",
            )
            ui.boilerplate = gr.Checkbox(
                value=True,
                label="Boilerplate (About, safe harbor, contacts) when the question asks for it",
                elem_id="boilerplate",
            )
            ui.keyword = gr.Checkbox(
                value=False,
                label='Keyword search only (a "quoted phrase" always matches exactly)',
                elem_id="keyword",
            )
            ui.k = gr.Slider(1, MAX_RESULTS, value=5, step=1, label="Results", elem_id="k")
            ui.clear = gr.Button("Clear filters", size="sm", variant="secondary")
    return ui


def _library_tab(desk: Desk, docs: list) -> SimpleNamespace:
    ui = SimpleNamespace()
    ui.status = gr.HTML(desk.status_html(), elem_id="status", js_on_load=None)
    ui.watch = gr.HTML(desk.watch_html(), elem_id="watch-status", js_on_load=None)
    ui.generation = gr.State(desk.generation())  # the index this page's library shows
    types = ", ".join(SUPPORTED_SUFFIXES)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            ui.uploads = gr.File(
                label=f"Add releases ({types}; up to {format_size(MAX_UPLOAD_BYTES)} each)",
                file_count="multiple",
                file_types=list(SUPPORTED_SUFFIXES),
                height=140,
                elem_id="upload",
            )
        with gr.Column(scale=2):
            ui.upload_report = gr.HTML(
                render_message(
                    f"New files are saved into {desk.corpus_dir} and indexed at once; "
                    "they can be asked about as soon as the update finishes.",
                    "info",
                ),
                elem_id="upload-report",
                js_on_load=None,
            )
    ui.library = gr.Dataframe(
        value=desk.library_rows(docs),
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
        ui.to_remove = gr.Dropdown(
            choices=desk.removable_choices(docs),
            value=None,
            label="Remove a release (moves its file to the trash; Undo brings it back)",
            scale=5,
            elem_id="remove-choice",
        )
        ui.remove = gr.Button("Remove", variant="stop", scale=0, min_width=140, elem_id="remove")
        ui.undo = gr.Button("Undo remove", scale=0, min_width=140, visible=False, elem_id="undo")
    ui.remove_report = gr.HTML(
        render_message(
            "Removing moves the release's file into the trash of the releases folder "
            f"({TRASH}) and takes it out of the index; Undo brings it back. Releases outside "
            "that folder are never removed.",
            "info",
        ),
        elem_id="remove-report",
        js_on_load=None,
    )
    ui.removed = gr.State([])  # this session's trash tokens, the last removal last
    return ui


# the badge follows syncs made elsewhere (pressroom ingest, the watched folder) this often
ALERTS_POLL_SECONDS = 20


def _alerts_tab() -> SimpleNamespace:
    ui = SimpleNamespace()
    with gr.Row(equal_height=False):
        ui.mark_seen = gr.Button(
            "Mark all seen", size="sm", scale=0, min_width=140, elem_id="mark-seen"
        )
        ui.report = gr.HTML("", elem_id="alerts-report", js_on_load=None)
    ui.page = gr.HTML("", elem_id="alerts", js_on_load=RESULTS_JS)
    with gr.Row(equal_height=True):
        ui.to_delete = gr.Dropdown(
            choices=[], value=None, label="Your saved searches", scale=5, elem_id="saved-searches"
        )
        ui.delete = gr.Button(
            "Delete saved search",
            variant="stop",
            scale=0,
            min_width=160,
            elem_id="delete-search",
        )
    ui.timer = gr.Timer(ALERTS_POLL_SECONDS)
    return ui


def _wire_alerts(
    alert_desk: AlertDesk, tab: gr.Tab, al: SimpleNamespace, ask: SimpleNamespace
) -> list:
    def label(request: gr.Request):
        return gr.Tab(label=alert_desk.label(user_of(request.username)))

    def show(request: gr.Request):
        user = user_of(request.username)
        return (
            gr.Tab(label=alert_desk.label(user)),
            alert_desk.page(user),
            gr.update(choices=alert_desk.choices(user), value=None),
        )

    def save(question, date_from, date_to, companies, boilerplate, keyword, request: gr.Request):
        user = user_of(request.username)
        args = (question, date_from, date_to, companies, boilerplate, user)
        return alert_desk.save(*args, keyword=keyword)

    def mark(request: gr.Request):
        return alert_desk.mark_all_seen(user_of(request.username))

    def delete(search_id, request: gr.Request):
        return alert_desk.delete(search_id, user_of(request.username))

    shown = [tab, al.page, al.to_delete]
    filters = [ask.question, ask.date_from, ask.date_to, ask.companies, ask.boilerplate]
    filters += [ask.keyword]
    ask.save.click(save, filters, ask.saved, **_PRIVATE).then(show, None, shown, **_PRIVATE)
    al.mark_seen.click(mark, None, al.report, **_PRIVATE).then(show, None, shown, **_PRIVATE)
    al.delete.click(delete, al.to_delete, al.report, **_PRIVATE).then(show, None, shown, **_PRIVATE)
    tab.select(show, None, shown, **_PRIVATE)
    al.timer.tick(label, None, tab, show_progress="hidden", **_PRIVATE)
    return [show, shown]


def _companies_tab(desk: Desk, docs: list) -> SimpleNamespace:
    ui = SimpleNamespace()
    with gr.Row(equal_height=True):
        ui.company = gr.Dropdown(
            choices=desk.company_choices(docs),
            value=None,
            allow_custom_value=True,
            label="Company or ticker",
            scale=5,
            elem_id="timeline-company",
        )
        ui.show = gr.Button("Show releases", variant="primary", scale=0, elem_id="timeline-show")
    ui.timeline = gr.HTML(desk.timeline(None), elem_id="timeline", js_on_load=RESULTS_JS)
    return ui


def _wire_companies(desk: Desk, comp: SimpleNamespace) -> None:
    gr.on(
        [comp.company.input, comp.company.select, comp.show.click],
        desk.timeline,
        comp.company,
        comp.timeline,
        **_PRIVATE,
        **_QUERIES,
    )


def _wire_ask(desk: Desk, ask: SimpleNamespace) -> None:
    inputs = [ask.question, ask.k, ask.date_from, ask.date_to, ask.companies, ask.boilerplate]
    inputs += [ask.keyword]
    outputs = [ask.results, ask.more, ask.chip, ask.pages, ask.use_period]

    def run(*args, pages: int = 1, use_period: bool = True):
        found = desk.answer(*args, pages=pages, use_period=use_period)
        chip = gr.update(visible=found.chip is not None, value=found.chip or "")
        return found.html, gr.update(visible=found.more), chip, pages, use_period

    def more(*args):
        *question, pages, use_period = args
        return run(*question, pages=pages + 1, use_period=use_period)

    def drop_period(*args):
        return run(*args, pages=1, use_period=False)

    triggers = [ask.question.submit, ask.ask.click, ask.date_from.submit, ask.date_to.submit]
    triggers += [ask.companies.input, ask.boilerplate.input, ask.k.release, ask.keyword.input]
    gr.on(triggers, run, inputs, outputs, **_PRIVATE, **_QUERIES)
    ask.more.click(more, [*inputs, ask.pages, ask.use_period], outputs, **_PRIVATE, **_QUERIES)
    ask.chip.click(drop_period, inputs, outputs, **_PRIVATE, **_QUERIES)
    for button, text in ask.examples:
        button.click(lambda t=text: t, None, ask.question, **_PRIVATE).then(
            run, inputs, outputs, **_PRIVATE, **_QUERIES
        )
    filters = [ask.date_from, ask.date_to, ask.companies, ask.boilerplate, ask.k, ask.keyword]
    ask.clear.click(lambda: ("", "", [], True, 5, False), None, filters, **_PRIVATE).then(
        run, inputs, outputs, **_PRIVATE, **_QUERIES
    )


def _working() -> str:
    """An empty report box, as tall as the progress bar drawn over it while the index updates."""
    return "<div class='pr-working' aria-busy='true'></div>"


def _wire_library(desk: Desk, lib: SimpleNamespace, companies: gr.Dropdown) -> list:
    def refresh():
        docs = desk.documents()
        return (
            desk.library_rows(docs),
            gr.update(choices=desk.removable_choices(docs), value=None),
            gr.update(choices=desk.company_choices(docs)),
            desk.status_html(),
        )

    def upload(files, progress=gr.Progress()):  # noqa: B008 (Gradio's injection idiom)
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in files or []]
        return (None, desk.add_files(paths, _progress(progress)), *refresh())

    def remove(source, removed, progress=gr.Progress()):  # noqa: B008
        outcome = desk.remove(source, _progress(progress))
        removed = removed + [outcome.token] if outcome.token else removed
        return (outcome.report, removed, gr.update(visible=bool(removed)), *refresh())

    def undo(removed, progress=gr.Progress()):  # noqa: B008
        report = desk.undo_remove(removed[-1] if removed else None, _progress(progress))
        removed = removed[:-1]
        return (report, removed, gr.update(visible=bool(removed)), *refresh())

    def select_row(evt: gr.SelectData):
        path = desk.row_path(evt.row_value or [])
        return gr.update() if path is None else path

    refreshed = [lib.library, lib.to_remove, companies, lib.status]
    # the report box is emptied first, so the progress bar drawn over it covers no text
    uploaded = lib.uploads.upload(_working, None, lib.upload_report, queue=False, **_PRIVATE).then(
        upload,
        lib.uploads,
        [lib.uploads, lib.upload_report, *refreshed],
        show_progress_on=lib.upload_report,
        **_PRIVATE,
        **_WRITER,
    )
    undone = [lib.remove_report, lib.removed, lib.undo, *refreshed]
    removed = lib.remove.click(_working, None, lib.remove_report, queue=False, **_PRIVATE).then(
        remove,
        [lib.to_remove, lib.removed],
        undone,
        show_progress_on=lib.remove_report,
        **_PRIVATE,
        **_WRITER,
    )
    undone_event = lib.undo.click(_working, None, lib.remove_report, queue=False, **_PRIVATE).then(
        undo, lib.removed, undone, show_progress_on=lib.remove_report, **_PRIVATE, **_WRITER
    )
    lib.changed = [uploaded, removed, undone_event]
    lib.library.select(select_row, None, lib.to_remove, **_PRIVATE)
    _wire_watch(desk, lib, refreshed)
    return [refresh, refreshed]


# seconds between two looks at the watcher's status (and at the index's generation)
WATCH_REFRESH = 2.0


def _wire_watch(desk: Desk, lib: SimpleNamespace, refreshed: list) -> None:
    """Every WATCH_REFRESH s the watcher's panel is redrawn, and the library too when the
    index has a new generation (the watcher's, an upload's, or another process's)."""

    def tick(shown: str | None):
        generation = desk.generation()
        if generation == shown:
            return (desk.watch_html(), shown, *[gr.update()] * len(refreshed))
        docs = desk.documents()
        return (  # as refresh(), but what the reader has chosen stays chosen
            desk.watch_html(),
            generation,
            desk.library_rows(docs),
            gr.update(choices=desk.removable_choices(docs)),
            gr.update(choices=desk.company_choices(docs)),
            desk.status_html(),
        )

    timer = gr.Timer(WATCH_REFRESH)
    timer.tick(
        tick,
        lib.generation,
        [lib.watch, lib.generation, *refreshed],
        show_progress="hidden",
        **_PRIVATE,
    )


def build_app(
    index_dir: Path | None = None, corpus_dir: Path | None = None, watcher: Watcher | None = None
) -> gr.Blocks:
    """The Gradio UI over the index at ``index_dir`` and the releases folder ``corpus_dir``.

    Args:
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).
        corpus_dir: where uploads are saved and removals delete from (default
            ``data/releases``).
        watcher: the releases folder's watcher, whose state the Library tab shows (None:
            the folder is not watched).
    """
    desk = Desk(Path(index_dir or default_index_dir()), Path(corpus_dir or DEFAULT_CORPUS), watcher)
    alert_desk = AlertDesk(desk.index_dir)
    docs = desk.documents()
    if BUNDLED_RELEASES <= {Path(d.path).name for d in docs}:
        examples = EXAMPLE_QUESTIONS
    else:
        examples = example_questions([(d.title, d.date, d.company) for d in docs])

    def ask(
        question: str,
        k: int = 5,
        date_from: str = "",
        date_to: str = "",
        company: str = "",
        include_boilerplate: bool = True,
        keyword: bool = False,
    ) -> list[dict]:
        """Cited passages for a question, best first, as dictionaries (see qa.Passage).

        ``company`` is a comma-separated list of company names or tickers (a legal suffix
        such as ", Inc." stays with its name), or a list of them; dates are ISO (YYYY,
        YYYY-MM or YYYY-MM-DD); ``k`` is 1 to 20; ``keyword`` true searches by keyword
        only. A phrase in quotes must occur exactly; when no release holds it, the call
        is an error saying so. An omitted or null optional argument takes its default. A
        mistake is an error naming the argument, never an empty list.
        """
        try:
            return desk.ask(question, k, date_from, date_to, company, include_boilerplate, keyword)
        except (ValueError, IndexFormatError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception as exc:  # a fault of ours: logged once, named to the caller
            logger.exception("ask failed")
            message = f"ask failed ({type(exc).__name__}); see the server log"
            raise gr.Error(message, print_exception=False) from None

    with gr.Blocks(title="Pressroom", fill_width=True) as demo:
        gr.HTML(
            "<div class='pr-header'><h1>Pressroom</h1><p>Search the press releases and get "
            "answers you can cite: every answer names its release, date and company.</p></div>",
            js_on_load=PAGE_JS,
        )
        health = gr.HTML(desk.health_html(), elem_id="health", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                ask_ui = _ask_tab(desk, docs, examples)
            with gr.Tab("Companies", id="companies"):
                comp_ui = _companies_tab(desk, docs)
            with gr.Tab("Library", id="library"):
                lib_ui = _library_tab(desk, docs)
            with gr.Tab("Alerts", id="alerts", elem_id="alerts-tab") as alerts_tab:
                alerts_ui = _alerts_tab()
        _wire_ask(desk, ask_ui)
        _wire_companies(desk, comp_ui)
        refresh, refreshed = _wire_library(desk, lib_ui, ask_ui.companies)
        show_alerts, alerts_shown = _wire_alerts(alert_desk, alerts_tab, alerts_ui, ask_ui)
        for changed in lib_ui.changed:  # an upload, removal or undo may have found alerts
            changed.then(show_alerts, None, alerts_shown, **_PRIVATE)
        demo.load(refresh, None, refreshed, **_PRIVATE)
        demo.load(show_alerts, None, alerts_shown, **_PRIVATE)
        demo.load(
            lambda: gr.update(choices=desk.company_choices(desk.documents())),
            None,
            comp_ui.company,
            **_PRIVATE,
        )
        demo.load(desk.health_html, None, health, **_PRIVATE)  # the damage, on every load
        gr.api(ask, api_name="ask", **_QUERIES)
    demo.queue(default_concurrency_limit=OTHER_CONCURRENCY)
    return demo

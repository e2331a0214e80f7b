"""Starting the app: build or upgrade the index first, then serve on loopback by default."""

from __future__ import annotations

import ipaddress
import os
import signal
import sys
import threading
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from index import (  # noqa: E402
    Encoder,
    IndexCorruptError,
    IndexFormatError,
    IndexNotFoundError,
    IndexUpgradeNeeded,
    SyncReport,
    get_encoder,
    open_reader,
    serving_problem,
    sync,
)
from ingest.formats import MAX_UPLOAD_BYTES  # noqa: E402
from qa.alerts import run_saved_searches  # noqa: E402
from watch import DEFAULT_SETTLE, Watcher, sync_line  # noqa: E402

from .api import ASK, OmittedArguments  # noqa: E402
from .app import build_app  # noqa: E402
from .login import AUTH_MESSAGE, LoginGuard, LoginPage  # noqa: E402
from .render import CSS  # noqa: E402

__all__ = ["ensure_index", "is_loopback", "serve", "start_watcher"]

# plain-HTTP calls of /ask may leave out its optional arguments (see ui.api)
_OMITTED_ARGUMENTS = Middleware(OmittedArguments, endpoints=[ASK])
# the login page, branded (see ui.login)
_LOGIN_PAGE = Middleware(LoginPage)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the app on this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def ensure_index(index_dir: Path, corpus: Path) -> None:
    """Build the index over ``corpus`` when ``index_dir`` has none yet; upgrade an older
    format in place (nothing is embedded again, no release is added or removed).

    A damaged index is not rebuilt: the app starts on the newest generation that opens,
    and the problem is printed here and shown on every page.

    Raises:
        IndexFormatError: an index is there but cannot be used (format, model).
    """
    try:
        open_reader(index_dir, last_good=True)
        problem = serving_problem(index_dir)
        if problem:
            print(f"warning: {problem}", file=sys.stderr)
        return
    except IndexCorruptError as exc:
        print(f"warning: {exc}; nothing older opens either", file=sys.stderr)
        return
    except IndexUpgradeNeeded as exc:
        print(f"{exc}: upgrading ...", file=sys.stderr)
        sync([], index_dir, encoder=get_encoder(exc.model))  # adds and changes no release
        return
    except IndexNotFoundError:
        pass
    print(f"building the index over {corpus} into {index_dir} ...", file=sys.stderr)
    report = sync([corpus], index_dir)
    for failure in report.failed:
        print(f"error: {failure}", file=sys.stderr)
    print(f"indexed {report.documents} releases, {report.chunks} chunks", file=sys.stderr)
    alerts_after(index_dir, report)


def alerts_after(index_dir: Path, report: SyncReport) -> None:
    """Run the saved searches over what a start-up sync added or changed (the index may
    have been built anew beside an alerts file that outlived it); a problem is one line."""
    new, problem = run_saved_searches(index_dir, report)
    if problem:  # the index is built: the app starts all the same
        print(f"warning: saved searches not run: {problem}", file=sys.stderr)
        return
    if new:
        print(f"{len(new)} new alert(s) for saved searches", file=sys.stderr)


def start_watcher(index_dir: Path, corpus: Path, encoder: Encoder, settle: float) -> Watcher | None:
    """Watch the releases folder in a background thread, its syncs and errors printed
    (None when the folder is not there to watch)."""
    if not corpus.is_dir():
        print(f"warning: not watching {corpus}: it is not a folder", file=sys.stderr)
        return None

    def on_sync(report: SyncReport, settling: tuple[str, ...]) -> None:
        for failure in report.failed:
            print(f"error: {failure}", file=sys.stderr, flush=True)
        print(f"watch: {sync_line(report, len(settling))}", file=sys.stderr, flush=True)

    watcher = Watcher(
        corpus,
        index_dir,
        encoder=encoder,
        settle=settle,
        on_sync=on_sync,
        on_message=lambda text: print(f"watch: {text}", file=sys.stderr, flush=True),
    )
    watcher.start()
    return watcher


def serve(
    index_dir: Path,
    corpus: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    watch: bool = True,
    settle: float = DEFAULT_SETTLE,
) -> None:
    """Build the index if needed, load the model, watch the releases folder (unless
    ``watch`` is False), and serve the UI (blocks until stopped)."""
    ensure_index(index_dir, corpus)
    # load the model now, so that the first question is answered at full speed
    try:
        encoder = get_encoder(open_reader(index_dir, last_good=True).manifest.model)
    except IndexFormatError:  # a damaged index: the page says so; the default model loads
        encoder = get_encoder()
    watcher = start_watcher(index_dir, corpus, encoder, settle) if watch else None
    demo = build_app(index_dir, corpus, watcher)
    # Gradio's start-up lines are silenced (among them its hint about public links, which
    # Pressroom never makes); this one says where the app is
    print(f"Pressroom: serving http://{host}:{port}/ (Ctrl+C stops it)", file=sys.stderr)
    _stop_on_sigterm()
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            share=False,
            quiet=True,
            auth=LoginGuard(*auth) if auth else None,
            auth_message=AUTH_MESSAGE if auth else None,
            max_file_size=MAX_UPLOAD_BYTES,
            css=CSS,
            theme=gr.themes.Default(
                primary_hue="amber", neutral_hue="slate", font=["system-ui", "sans-serif"]
            ),
            footer_links=["api"],
            app_kwargs={"middleware": [_OMITTED_ARGUMENTS, *([_LOGIN_PAGE] if auth else [])]},
        )
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM while launch was still starting up
        demo.close()
    if watcher is not None:  # launch returns on Ctrl+C; a sync under way is abandoned
        watcher.stop()


def _stop_on_sigterm() -> None:
    """SIGTERM (``kill``, systemd, docker stop) stops the app as Ctrl+C does: Gradio's
    launch returns, the watcher is stopped, the process exits 0 (by default SIGTERM would end
    it at once, the watcher thread with it)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)

"""The app answers questions side by side, and an index update never takes their places.

Desk's actions are replaced by stand-ins that meet at a barrier or wait for a signal: this
test is about Gradio's queue and concurrency settings, not about retrieval (no model, no
index).
"""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

from ui.app import QUERY_CONCURRENCY, build_app
from ui.desk import Desk, Removed

from .conftest import free_port


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The app in this process, with Desk.ask meeting the other questions at a barrier and
    Desk.remove holding the index writer until it is let go."""
    meeting = threading.Barrier(QUERY_CONCURRENCY, timeout=20)
    entered, release = threading.Event(), threading.Event()

    def ask(self, question, *args):
        meeting.wait()  # returns only once QUERY_CONCURRENCY questions run at once
        return [{"question": question}]

    def remove(self, source, progress=None):
        entered.set()
        assert release.wait(timeout=60)
        return Removed("<div>removed</div>")

    monkeypatch.setattr(Desk, "ask", ask)
    monkeypatch.setattr(Desk, "remove", remove)
    demo = build_app(tmp_path / "idx", tmp_path / "releases")
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield demo, f"http://127.0.0.1:{port}/", entered, release
    finally:
        release.set()
        demo.close()


def _start_remove(demo, url: str) -> None:
    """Trigger the Library tab's removal as the page does (by its function's index)."""
    fn_index = next(i for i, fn in demo.fns.items() if fn.name == "remove")
    body = {"data": [None, []], "fn_index": fn_index, "session_hash": "t1"}
    request = urllib.request.Request(
        f"{url}gradio_api/queue/join",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        assert "event_id" in json.loads(r.read())


def test_questions_run_side_by_side_while_the_index_is_being_updated(app):
    from gradio_client import Client

    demo, url, entered, release = app
    _start_remove(demo, url)
    assert entered.wait(timeout=30)  # the index writer is busy, and stays so
    client = Client(url, verbose=False)
    jobs = [client.submit(f"q{n}", api_name="/ask") for n in range(QUERY_CONCURRENCY)]
    answers = [job.result(timeout=60) for job in jobs]
    assert sorted(a[0]["question"] for a in answers) == sorted(
        f"q{n}" for n in range(QUERY_CONCURRENCY)
    )
    assert not release.is_set()  # all answered while the update was still running

"""The Gradio app, started for real on a free port and asked through gradio_client."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(real_index):
    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), "--index", str(real_index)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app exited early:\n{proc.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("app did not start within 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_ask_api_returns_structured_cited_hits(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    hits = client.predict(
        "How many patients will the glioblastoma imaging trial enroll?", 3, api_name="/ask"
    )
    assert isinstance(hits, list) and hits
    first = hits[0]
    assert "36" in first["text"] and first["date"] == "2014-03-04"
    assert {"title", "source", "start", "end", "answer", "score"} <= set(first)


def test_ask_api_filters(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    hits = client.predict("clinical trial", 5, "2015-01-01", "", "", True, api_name="/ask")
    assert hits and all(h["date"] >= "2015-01-01" for h in hits)


def test_page_serves_and_binds_loopback(app_url):
    assert app_url.startswith("http://127.0.0.1:")
    page = urllib.request.urlopen(app_url, timeout=10).read().decode()
    assert "Pressroom" in page

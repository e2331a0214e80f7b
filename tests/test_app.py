"""The Gradio app, started for real on a free port and asked through gradio_client."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import gradio as gr
import pytest

from ingest import dates
from ingest.formats import MAX_UPLOAD_BYTES
from pressroom import cli
from qa import filters as qa_filters
from ui import serve, uploads
from ui.login import LoginGuard

from .conftest import RELEASES, ROOT, free_port, serve_app, start_app


@pytest.fixture(scope="module")
def app_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("app") / "app.log"


@pytest.fixture(scope="module")
def app_url(real_index, app_log):
    with serve_app(["--index", str(real_index)], app_log) as url:
        yield url


def _http_ask(url: str, body: dict, route: str = "call/ask") -> tuple[int, str, object]:
    """A plain-HTTP call of /ask (no gradio_client): (status, event, data) of its result."""
    request = urllib.request.Request(
        f"{url}gradio_api/{route}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            event_id = json.loads(r.read())["event_id"]
    except urllib.error.HTTPError as exc:
        return exc.code, "refused", json.loads(exc.read())
    name = route.rsplit("/", 1)[-1]
    with urllib.request.urlopen(f"{url}gradio_api/call/{name}/{event_id}", timeout=60) as r:
        lines = r.read().decode().splitlines()
    event = next(x.split(": ", 1)[1] for x in lines if x.startswith("event: "))
    data = json.loads(next(x.split(": ", 1)[1] for x in lines if x.startswith("data: ")))
    return 200, event, data


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


def test_ask_api_company_filter(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    hits = client.predict(
        "manufacturing partner", 5, "", "", "Zeta Pharma, Inc.", True, api_name="/ask"
    )
    assert hits == []
    hits = client.predict(
        "manufacturing partner", 5, "", "", "Acme, NASDAQ:CLRB", True, api_name="/ask"
    )
    # the ticker names the company (qa.companies), so both of its releases are searched: the
    # 2016 one (NASDAQ:CLRB) and the 2014 one, listed then as OTCQX:CLRB and spelt "Cellecstar"
    assert hits and {h["date"] for h in hits} <= {"2016-11-28", "2014-03-04"}
    assert all("Cellec" in h["company"] for h in hits)


def test_ask_api_bad_date_is_a_short_error(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="not a date") as info:
        client.predict("trial", 3, "March 2015", "", "", True, api_name="/ask")
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([""], "question is empty: ask something about the releases"),
        (["trial", "abc"], "k must be a whole number from 1 to 20, not 'abc'"),
        ([42, 3], "question must be text, not a number (42)"),
        (["trial", 3, "", "", {"a": 1}, True], "company must be text"),
        (["trial", 3, "March 2015"], "date_from 'March' is not a date"),
        (["trial", 3, "2016", "2015"], "the date_from date (2016-01-01) is after"),
        (["trial", 3, None, None, None, None, "yes"], "keyword must be true or false, not 'yes'"),
        (["what is it", 3, None, None, None, None, True], "keyword search needs a word"),
        (['"orbital zinc harvesting"'], 'no release contains "orbital zinc harvesting"'),
    ],
)
def test_plain_http_mistakes_get_a_clear_message(app_url, data, message):
    status, event, body = _http_ask(app_url, {"data": data})
    assert (status, event) == (200, "error")
    assert message in body["error"]


def test_plain_http_omitted_and_null_arguments_take_defaults(app_url):
    status, event, body = _http_ask(app_url, {"data": ["Who manufactures CLR 131?"]})
    assert (status, event) == (200, "complete")
    hits = body[0]
    assert 1 <= len(hits) <= 5 and "CPDC" in " ".join(h["text"] for h in hits)
    _, event, nulls = _http_ask(app_url, {"data": ["Who manufactures CLR 131?", None]})
    assert event == "complete" and [h["chunk_id"] for h in nulls[0]] == [
        h["chunk_id"] for h in hits
    ]
    _, event, named = _http_ask(app_url, {"question": "Who manufactures CLR 131?"}, "call/v2/ask")
    assert event == "complete" and len(named[0]) == len(hits)


def test_plain_http_keyword_search_and_exact_phrases(app_url):
    data = ["imaging trial", 3, None, None, None, None, True]
    _, event, body = _http_ask(app_url, {"data": data})
    assert event == "complete" and body[0]
    assert all("imaging" in h["text"].lower() or "trial" in h["text"].lower() for h in body[0])
    _, event, body = _http_ask(app_url, {"data": ['"CLR 131" manufacturing']})
    assert event == "complete" and body[0]
    assert all("CLR 131" in h["text"] for h in body[0])


def test_plain_http_calls_that_cannot_run_are_refused_with_a_message(app_url):
    status, _, body = _http_ask(app_url, {"data": ["q", 3, "", "", "", True, False, 1]})
    assert status == 422 and "ask takes at most 7 arguments" in body["error"]
    status, _, body = _http_ask(app_url, {"k": 3}, "call/v2/ask")
    assert (status, body) == (422, {"error": "question is required"})


def test_api_mistakes_leave_no_traceback_in_the_server_log(app_url, app_log):
    for data in ([""], ["q", None, None, None, {"x": 1}], [7]):
        assert _http_ask(app_url, {"data": data})[1] == "error"
    assert "Traceback" not in app_log.read_text()


def test_ask_api_lists_its_parameters_in_the_order_the_middleware_pads(app_url):
    from ui.api import ASK

    info = json.loads(urllib.request.urlopen(f"{app_url}gradio_api/info").read())
    names = [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]]
    assert tuple(names) == ASK.parameters


def test_start_up_says_where_and_gives_no_public_link_hint(app_url, app_log):
    log = app_log.read_text()
    assert f"Pressroom: serving http://127.0.0.1:{app_url.rsplit(':', 1)[1]}" in log
    assert "share=True" not in log and "public link" not in log


@pytest.fixture(scope="module")
def auth_url(real_index, tmp_path_factory):
    log = tmp_path_factory.mktemp("auth") / "app.log"
    with serve_app(["--index", str(real_index), "--auth", "desk:s3cret"], log) as url:
        yield url


def _login(url: str, user: str, password: str) -> tuple[int, dict]:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(f"{url}login", data=body, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_fifteen_wrong_passwords_over_http_are_throttled(auth_url):
    answers = [_login(auth_url, "desk", f"guess{n}") for n in range(15)]
    assert [status for status, _ in answers[:6]] == [400] * 6
    refused = [body["detail"] for status, body in answers[6:] if status == 429]
    assert refused and refused[0].startswith("Too many failed logins: try again in")
    status, body = _login(auth_url, "desk", "s3cret")  # even the right one, for now
    assert status == 429 and "Too many failed logins" in body["detail"]


# -- binding and credentials -----------------------------------------------------------------
def test_non_loopback_without_auth_exits_2_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k != "PRESSROOM_AUTH"}
    proc = subprocess.run(
        [sys.executable, "app.py", "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "--auth USER:PASSWORD" in proc.stderr and "Traceback" not in proc.stderr


def test_help_documents_host_port_index_corpus_and_auth():
    proc = subprocess.run(
        [sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0
    for flag in ("--host", "--port", "--index", "--corpus", "--auth", "--no-auth", "127.0.0.1"):
        assert flag in proc.stdout


@pytest.fixture
def launched(monkeypatch, real_index):
    """Run ``app.main`` up to Gradio's launch and capture launch's arguments."""
    calls: list[dict] = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: calls.append(kw))
    monkeypatch.delenv("PRESSROOM_AUTH", raising=False)

    def run(*argv: str) -> dict:
        assert cli.main(["serve", *argv, "--index", str(real_index)]) == 0
        return calls[-1]

    return run


def test_auth_is_passed_to_gradio_and_nothing_is_shared(launched):
    kw = launched("--host", "0.0.0.0", "--auth", "desk:s3cret:x")
    assert isinstance(kw["auth"], LoginGuard) and kw["share"] is False
    assert kw["auth"]("desk", "s3cret:x") and not kw["auth"]("desk", "s3cret")
    assert kw["server_name"] == "0.0.0.0" and kw["max_file_size"] == MAX_UPLOAD_BYTES
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_auth_from_environment_and_explicit_no_auth(launched, monkeypatch):
    assert launched("--host", "0.0.0.0", "--no-auth")["auth"] is None
    assert launched()["auth"] is None and launched()["server_name"] == "127.0.0.1"
    monkeypatch.setenv("PRESSROOM_AUTH", "desk:pw")
    assert launched("--host", "10.1.2.3")["auth"]("desk", "pw")


@pytest.mark.parametrize("bad", ["nocolon", ":pw", "user:"])
def test_malformed_auth_exits_2(bad, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["serve", "--auth", bad])
    assert info.value.code == 2 and "USER:PASSWORD" in capsys.readouterr().err


def test_is_loopback():
    assert all(map(serve.is_loopback, ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"]))
    assert not any(map(serve.is_loopback, ["0.0.0.0", "192.168.1.5", "::", "example.org"]))


# -- upload safety ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("release.txt", "release.txt"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\Q3 results (final).PDF", "Q3-results-final.pdf"),
        (".hidden.md", "hidden.md"),
        ("..txt", "release.txt"),
        ("a..b...c.html", "a.b.c.html"),
        ("Société Générale – résultats.htm", "Societe-Generale-resultats.htm"),
        ("$(rm -rf ~);.txt", "rm-rf.txt"),
    ],
)
def test_safe_filename(name, safe):
    assert uploads.safe_filename(name) == safe


@pytest.mark.parametrize("name", ["run.sh", "x.py", "release", "page.html.exe", "doc.docx"])
def test_safe_filename_refuses_other_types(name):
    with pytest.raises(uploads.UploadRefused, match="not a supported file type"):
        uploads.safe_filename(name)


def test_save_upload_never_overwrites_a_different_file(tmp_path):
    corpus = tmp_path / "releases"
    first, second = tmp_path / "a" / "news.txt", tmp_path / "b" / "news.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text("first release")
    second.write_text("second release")
    assert uploads.save_upload(first, corpus) == (corpus / "news.txt", True)
    assert uploads.save_upload(first, corpus) == (corpus / "news.txt", False)  # identical: reused
    assert uploads.save_upload(second, corpus) == (corpus / "news-1.txt", True)
    assert (corpus / "news.txt").read_text() == "first release"
    assert (corpus / "news-1.txt").read_text() == "second release"
    assert sorted(p.name for p in corpus.iterdir()) == ["news-1.txt", "news.txt"]


def test_save_upload_size_limits(tmp_path, monkeypatch):
    empty, big = tmp_path / "empty.txt", tmp_path / "big.txt"
    empty.write_bytes(b"")
    big.write_bytes(b"x" * 2048)
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(uploads.UploadRefused, match="empty"):
        uploads.save_upload(empty, tmp_path / "c")
    with pytest.raises(uploads.UploadRefused, match="limit"):
        uploads.save_upload(big, tmp_path / "c")
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())


# -- filter parsing --------------------------------------------------------------------------
def test_split_companies_keeps_legal_suffixes():
    assert qa_filters.split_companies("Cellectar Biosciences, Inc., Acme Ltd, NASDAQ:X") == (
        "Cellectar Biosciences, Inc.",
        "Acme Ltd",
        "NASDAQ:X",
    )
    assert qa_filters.split_companies("Acme, LLC, Beta") == ("Acme, LLC", "Beta")
    assert qa_filters.split_companies(" , ") == ()


def test_parse_date_and_filters():
    assert dates.parse_date_limit("2016") == "2016-01-01"
    assert dates.parse_date_limit("2016", end=True) == "2016-12-31"
    assert dates.parse_date_limit("2015-02", end=True) == "2015-02-28"
    assert dates.parse_date_limit("2016-11-28 00:00:00") == "2016-11-28"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        dates.parse_date_limit("28/11/2016", label="From")
    with pytest.raises(ValueError, match="after"):
        qa_filters.make_filters("2017", "2016", [], True)
    f = qa_filters.make_filters("", "2016", ["Acme"], False)
    assert (f.date_from, f.date_to, f.companies, f.exclude_boilerplate) == (
        None,
        "2016-12-31",
        ("Acme",),
        True,
    )


def test_starting_on_a_format_2_index_upgrades_it_in_place(real_index, tmp_path, capsys):
    import shutil

    from index import open_reader
    from index.layout import current_generation
    from index.manifest import FORMAT_VERSION
    from qa import retrieve

    from .conftest import RELEASES, as_format_2

    index_dir = tmp_path / "idx"
    shutil.copytree(real_index, index_dir)
    as_format_2(index_dir)  # before the copy is first opened: readers are cached
    generation = current_generation(index_dir)
    before = open_reader(real_index)
    docs = [(d.path, d.title, d.date) for d in before.documents()]
    ids = list(range(1, before.n_chunks() + 1))
    vectors = before.chunk_vectors(ids)

    serve.ensure_index(index_dir, RELEASES)
    assert "upgrading" in capsys.readouterr().err
    after = open_reader(index_dir)
    assert current_generation(index_dir) != generation
    assert after.manifest.format_version == FORMAT_VERSION
    assert [(d.path, d.title, d.date) for d in after.documents()] == docs
    assert (after.chunk_vectors(ids) == vectors).all()
    hits = retrieve("Who manufactures CLR 131?", k=3, index_dir=index_dir)
    assert "Cellectar" in hits[0].text or "CPDC" in hits[0].text


def test_sigterm_stops_the_app_and_its_watcher_cleanly(tmp_path, real_index):
    corpus = tmp_path / "releases"
    shutil.copytree(RELEASES, corpus)
    index_dir = tmp_path / "idx"
    shutil.copytree(real_index, index_dir)
    log_path = tmp_path / "app.log"
    with open(log_path, "w") as log:
        proc, _ = start_app(["--index", str(index_dir), "--corpus", str(corpus)], log)
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("the app did not stop within 60 s of SIGTERM")
    text = log_path.read_text()
    assert code == 0, text
    assert "Traceback" not in text


def test_sigterm_while_the_app_is_still_starting_is_a_clean_stop(tmp_path, real_index):
    # the signal lands inside Gradio's launch (its start-up check of the page), before it
    # waits for requests: still one clean stop, exit 0, no traceback
    index_dir = tmp_path / "idx"
    shutil.copytree(real_index, index_dir)
    log_path = tmp_path / "app.log"
    args = ["--port", str(free_port()), "--index", str(index_dir), "--no-watch"]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py", *args], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 120
        while "Pressroom: serving" not in log_path.read_text():  # printed just before launch
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the app did not start within 120 s"
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("the app did not stop within 60 s of SIGTERM")
    text = log_path.read_text()
    assert code == 0, text
    assert "Traceback" not in text

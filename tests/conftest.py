"""Shared fixtures.

``fake_encoder`` is a small deterministic stand-in for the embedding model, for tests
about the index's bookkeeping (sync, atomicity, caching), not about retrieval quality.
Tests about retrieval use ``real_index``: the real MiniLM over the bundled releases.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "data" / "releases"
SHARED = ROOT.parent / "shared"
GLIOBLASTOMA = RELEASES / "2014-03-04-cellectar-phase-2-imaging-trial-glioblastoma.txt"
CPDC = RELEASES / "2016-11-28-cellectar-cpdc-manufacturing-partnership.txt"
# excerpts of real archive releases with boilerplate and script junk (tests/fixtures/search)
SEARCH_FIXTURES = ROOT / "tests" / "fixtures" / "search"


class FakeEncoder:
    """Hashed bag of words in 64 dimensions; counts calls so tests can see the cache work."""

    name = "test/fake-bow-64"
    dim = 64
    max_tokens = 256

    def __init__(self) -> None:
        self.encoded: list[str] = []
        self.fail_after: int | None = None  # raise after this many encoded texts

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if self.fail_after is not None and len(self.encoded) + len(texts) > self.fail_after:
            raise RuntimeError("fake encoder failure (injected)")
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.md5(word.encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
            if not norm:
                out[i, 0] = 1.0
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]

    def encode_with_sentences(self, texts, spans):
        vectors = self.encode(texts)
        parts = [
            np.asarray(self._encode_quietly([t[s:e] for s, e in sp]))
            for t, sp in zip(texts, spans, strict=True)
        ]
        return vectors, parts

    def _encode_quietly(self, texts):
        """Sentence vectors without counting them as embedding calls."""
        seen = list(self.encoded)
        fail, self.fail_after = self.fail_after, None
        out = self.encode(texts) if texts else np.zeros((0, self.dim), np.float32)
        self.encoded, self.fail_after = seen, fail
        return out


def store_rows(reader, sql: str, params: Sequence = ()) -> list[tuple]:
    """Rows of an SQL query on the store file of ``reader``'s generation, opened read-only
    on its own (tests inspect the files as they are on disk, not the reader's internals)."""
    import sqlite3

    path = reader.index_dir / reader.generation / "store.sqlite"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that load the real embedding model form the ``model`` tier."""
    for item in items:
        if {"real_encoder", "real_index", "search_index"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(args: Sequence[str], log: IO[str]) -> tuple[subprocess.Popen, str]:
    """Start ``python app.py ARGS --port P``, wait until it answers; the process and its URL.

    The app's output goes to ``log`` (a pipe nobody reads could fill and stall it).
    """
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("PRESSROOM_AUTH", None)
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"app exited early:\n{Path(log.name).read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            if time.time() > deadline:
                proc.kill()
                pytest.fail("app did not start within 120 s")
            time.sleep(0.3)


@contextlib.contextmanager
def serve_app(args: Sequence[str], log_path: Path) -> Iterator[str]:
    """Run the app (:func:`start_app`) until it answers; yield its URL; stop it after."""
    with open(log_path, "w") as log:
        proc, url = start_app(args, log)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def as_format_3(index_dir: Path) -> None:
    """Turn the current generation of an index into what Pressroom wrote in format 3:
    no ``documents.url`` column, no ``meta`` table, a manifest of version 3 without the
    files' checksums."""
    import json
    import sqlite3

    from index.layout import MANIFEST, STORE, current_generation

    generation = index_dir / current_generation(index_dir)
    with sqlite3.connect(generation / STORE) as conn:
        conn.execute("ALTER TABLE documents DROP COLUMN url")
        conn.execute("DROP TABLE IF EXISTS meta")
    manifest = json.loads((generation / MANIFEST).read_text())
    manifest["format_version"] = 3
    for key in ("files", "checksum"):  # format 4's
        manifest.pop(key, None)
    (generation / MANIFEST).write_text(json.dumps(manifest))


def as_format_2(index_dir: Path) -> None:
    """Turn the current generation of an index into what Pressroom wrote in format 2:
    format 3 with a one-column keyword index of the chunk texts alone, manifest version 2."""
    import json
    import sqlite3

    from index.layout import MANIFEST, STORE, current_generation

    as_format_3(index_dir)
    generation = index_dir / current_generation(index_dir)
    with sqlite3.connect(generation / STORE) as conn:
        rows = conn.execute(
            'SELECT c.chunk_id, substr(d.text, c.start + 1, c."end" - c.start) '
            "FROM chunks c JOIN documents d USING (doc_id)"
        ).fetchall()
        conn.execute("DROP TABLE chunks_fts")
        conn.execute(
            "CREATE VIRTUAL TABLE chunks_fts USING fts5(text, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        conn.executemany("INSERT INTO chunks_fts(rowid, text) VALUES (?, ?)", rows)
    manifest = json.loads((generation / MANIFEST).read_text())
    manifest["format_version"] = 2
    for key in ("files", "checksum"):  # format 4's, unknown to format 2
        manifest.pop(key, None)
    (generation / MANIFEST).write_text(json.dumps(manifest))


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled releases."""
    folder = tmp_path / "releases"
    shutil.copytree(RELEASES, folder)
    return folder


@pytest.fixture(scope="session")
def real_encoder():
    from index import get_encoder

    return get_encoder()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, real_encoder) -> Path:
    """The real model's index over the bundled releases (built once per test session)."""
    from index import sync

    index_dir = tmp_path_factory.mktemp("index") / "idx"
    report = sync([RELEASES], index_dir, encoder=real_encoder)
    assert not report.failed, report.failed
    return index_dir


@pytest.fixture(scope="session")
def search_index(tmp_path_factory: pytest.TempPathFactory, real_encoder) -> Path:
    """The real model's index over the bundled releases and the Markdown excerpts of
    ``tests/fixtures/search`` (contacts, safe harbors, About sections, "The post ...
    appeared first on", an identifier and figures; built once per test session)."""
    from index import sync

    folder = tmp_path_factory.mktemp("search_corpus")
    excerpts = [p for p in SEARCH_FIXTURES.glob("*.md") if p.name != "SOURCES.md"]
    for path in [*RELEASES.iterdir(), *excerpts]:
        shutil.copy(path, folder / path.name)
    index_dir = tmp_path_factory.mktemp("search_index") / "idx"
    report = sync([folder], index_dir, encoder=real_encoder)
    assert not report.failed, report.failed
    return index_dir

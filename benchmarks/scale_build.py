"""The indexes of the scale benchmark: real release text, synthetic vectors.

The text is the Newsworthy archive, parsed and chunked by Pressroom itself
(:func:`prepared_archive`); releases are stored again under other paths until a size is
reached (:func:`build`). The vectors come from :class:`JitterEncoder`: real MiniLM vectors
of the quality benchmark's indexes (:func:`real_vector_pool`), chosen by the hash of each
chunk's text and jittered. :func:`flat_twin` makes the exact-search baseline of an index.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tarfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index import Encoder
    from ingest.prepare import ChunkRecord, DocumentRecord

__all__ = [
    "ARCHIVE",
    "JITTER",
    "OUT",
    "JitterEncoder",
    "Prepared",
    "build",
    "disk_size",
    "extract_archive",
    "flat_twin",
    "prepared_archive",
    "real_vector_pool",
]

OUT = Path(__file__).resolve().parent / "out"
ARCHIVE = Path("press_releases_newsworthy") / "all-releases-markdown.tar.gz"
JITTER = 0.48  # noise norm relative to the unit vector: cosine to the original ~0.9

Prepared = tuple["DocumentRecord", list["ChunkRecord"]]  # a release as stored: record and chunks


# -- the text: the archive, parsed by Pressroom ----------------------------------------------
def extract_archive(data: Path) -> Path:
    """The archive's markdown releases, extracted once under ``benchmarks/out/archive``."""
    target = OUT / "archive"
    done = target / ".complete"
    if done.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(data / ARCHIVE, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".md")]
        tar.extractall(target, members=members, filter="data")
    done.write_text(str(len(members)))
    return target


def prepared_archive(data: Path, encoder: Encoder) -> list[Prepared]:
    """(DocumentRecord, chunks) of every archive release (cached as a pickle)."""
    from ingest.chunking import ChunkSettings
    from ingest.loaders import load_file
    from ingest.prepare import prepare
    from ingest.types import LoadError

    cache = OUT / "archive_prepared.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    root = extract_archive(data)
    files = sorted(root.rglob("*.md"))
    out, failed = [], 0
    started = time.perf_counter()
    for i, path in enumerate(files):
        try:
            doc, chunks = prepare(
                load_file(path),
                count_tokens=encoder.count_tokens,
                max_tokens=encoder.max_tokens,
                settings=ChunkSettings(),
            )
        except LoadError:
            failed += 1
            continue
        out.append((doc, chunks))
        if i % 2000 == 0:
            print(f"  parsed {i}/{len(files)} ({time.perf_counter() - started:.0f} s)", flush=True)
    print(
        f"  parsed {len(out)} releases ({failed} unusable) into "
        f"{sum(len(c) for _, c in out)} chunks in {time.perf_counter() - started:.0f} s"
    )
    with cache.open("wb") as fh:
        pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return out


# -- the vectors: real MiniLM geometry, jittered ---------------------------------------------
def real_vector_pool(limit: int = 200_000) -> tuple[np.ndarray, str]:
    """Chunk and sentence vectors of the quality benchmark's ONNX indexes."""
    import sqlite3

    import faiss

    from index.store import dequantize

    parts = []
    for name in ("pr", "scifact", "squad"):
        root = OUT / f"index_{name}-onnx"
        gen = root / "CURRENT"
        if not gen.exists():
            continue
        path = root / gen.read_text().strip()
        index = faiss.read_index(str(path / "vectors.faiss"))
        inner = index.index if isinstance(index, faiss.IndexIDMap2) else index
        parts.append(inner.reconstruct_n(0, index.ntotal) if index.ntotal else None)
        db = sqlite3.connect(path / "store.sqlite")
        rows = db.execute("SELECT vec, scale FROM sentences").fetchall()
        db.close()
        if rows:
            s = dequantize([r[0] for r in rows], [r[1] for r in rows], index.d)
            norms = np.linalg.norm(s, axis=1, keepdims=True)
            keep = norms[:, 0] > 0  # a sentence of padding only has no vector
            parts.append(s[keep] / norms[keep])
    parts = [p for p in parts if p is not None]
    if parts:
        pool = np.concatenate(parts).astype(np.float32)[:limit]
        return pool, f"{len(pool)} real MiniLM vectors (quality benchmark indexes), jittered"
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2000, 384))
    pool = centres[rng.integers(0, 2000, 50_000)] + 0.5 * rng.normal(size=(50_000, 384))
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    return pool.astype(np.float32), "random clustered vectors (no quality indexes found)"


class JitterEncoder:
    """Stands in for the model at build time only (synthetic vectors, real tokenizer).

    It carries the real model's name so the index opens with the real encoder, which
    embeds the questions.
    """

    def __init__(self, real: Encoder, pool: np.ndarray) -> None:
        self._real = real
        self.name = real.name
        self.dim = real.dim
        self.max_tokens = real.max_tokens
        self._pool = pool

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces of each text (the real tokenizer)."""
        return self._real.count_tokens(texts)

    def _vector(self, text: str) -> tuple[np.ndarray, np.random.Generator]:
        """A pool vector chosen and jittered by the text's hash, and the seeded generator."""
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        rng = np.random.default_rng(seed)
        v = self._pool[seed % len(self._pool)] + rng.normal(size=self.dim) * (
            JITTER / np.sqrt(self.dim)
        )
        return (v / np.linalg.norm(v)).astype(np.float32), rng

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One jittered pool vector per text."""
        return (
            np.stack([self._vector(t)[0] for t in texts])
            if len(texts)
            else np.zeros((0, self.dim), np.float32)
        )

    def encode_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Text vectors, and per span the text's vector jittered again."""
        vectors, parts = [], []
        for text, sp in zip(texts, spans, strict=True):
            v, rng = self._vector(text)
            s = v + rng.normal(size=(len(sp), self.dim)) * (JITTER / np.sqrt(self.dim))
            s /= np.linalg.norm(s, axis=1, keepdims=True)
            vectors.append(v)
            parts.append(s.astype(np.float32))
        return np.stack(vectors), parts


# -- building ----------------------------------------------------------------------------------
def _copy(doc: DocumentRecord, chunks: list[ChunkRecord], n: int) -> Prepared:
    """The ``n``-th stored copy of a release: another path, distinct embedded text."""
    if n == 0:
        return doc, chunks
    tag = f"[{n}] "
    return replace(doc, path=f"{doc.path}#copy{n}"), [
        replace(c, embed_text=tag + c.embed_text, prefix_len=c.prefix_len + len(tag))
        for c in chunks
    ]


def build(size: int, prepared: list[Prepared], encoder: Encoder, index_dir: Path) -> dict:
    """Store releases (copies beyond the archive) until ``size`` chunks; returns timings."""
    from index.manifest import FORMAT_VERSION
    from index.writer import IndexWriter
    from ingest.chunking import ChunkSettings
    from ingest.prepare import EMBED_TEMPLATE

    stamp = index_dir.with_suffix(".build.json")
    if stamp.exists() and (index_dir / "CURRENT").exists():
        info = json.loads(stamp.read_text())
        if info.get("size") == size and info.get("format_version") == FORMAT_VERSION:
            return info
    started = time.perf_counter()
    n = docs = 0
    with IndexWriter(
        index_dir,
        encoder,
        chunking={**ChunkSettings().__dict__},
        embed_template=EMBED_TEMPLATE,
        rebuild=True,
    ) as writer:
        copy = 0
        while n < size:
            for doc, chunks in prepared:
                doc, chunks = _copy(doc, chunks[: size - n], copy)
                writer.add(doc, chunks)
                n += len(chunks)
                docs += 1
                if n >= size:
                    break
            copy += 1
        stored = time.perf_counter() - started
        manifest = writer.commit()
    info = {
        "size": size,
        "format_version": manifest.format_version,
        "chunks": manifest.chunks,
        "documents": docs,
        "store_s": round(stored, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "vectors": manifest.extra.get("vectors"),
    }
    stamp.write_text(json.dumps(info))
    return info


def flat_twin(index_dir: Path) -> Path:
    """The same index with exact vector search (store hard-linked), the baseline."""
    import faiss

    from index.integrity import digest_files
    from index.manifest import Manifest
    from index.vectors import VectorIndex

    twin = index_dir.with_name(index_dir.name + "-flat")
    gen = (index_dir / "CURRENT").read_text().strip()
    if (twin / "CURRENT").exists() and (twin / "CURRENT").read_text().strip() == gen:
        return twin
    shutil.rmtree(twin, ignore_errors=True)
    (twin / gen).mkdir(parents=True)
    os.link(index_dir / gen / "store.sqlite", twin / gen / "store.sqlite")
    ids, vectors = VectorIndex.read(index_dir / gen / "vectors.faiss", writable=True).all()
    flat = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    flat.add_with_ids(vectors, ids)
    faiss.write_index(flat, str(twin / gen / "vectors.faiss"))
    # the manifest records the new file (its size is checked on opening)
    manifest = Manifest.read(index_dir / gen / "manifest.json")
    extra = {**manifest.extra, "vectors": VectorIndex(flat).describe()}
    manifest = replace(manifest, extra=extra, files=digest_files(twin / gen))
    (twin / gen / "manifest.json").write_text(manifest.to_json())
    (twin / "CURRENT").write_text(gen)
    return twin


def disk_size(index_dir: Path) -> int:
    """Bytes of the published generation's files."""
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    return sum(p.stat().st_size for p in gen.iterdir())

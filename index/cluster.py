"""Ingest on a Ray cluster: the same update as :func:`index.sync`, with the work spread out.

The driver (this process) walks the files, opens the one :class:`~index.writer.IndexWriter`
and plans on its own (:mod:`index.cluster_plan`): unchanged files never leave it. Changed and
new files go out in parse tasks (read, parse, chunk: :func:`ingest.prepare.prepare`), whose
results come back in submission order, so the writer adds them in the single-process order
and every document and chunk gets the same id. The writer's embedding cache (identical texts,
embedded once) is checked on the driver too; what it still needs embedded goes to a pool of
actors, each loading the encoder once, in calls cut by length as the encoder batches
(:class:`ClusterEncoder`). The writer publishes one generation atomically, as always: a
driver killed mid-run leaves the old index. A worker killed mid-run is restarted by Ray and
its call retried.

Ray is an optional extra (``pip install -e '.[cluster]'``), imported only here and only when
used: :func:`import_ray` raises :class:`ClusterUnavailableError` naming the extra.

Example:
    >>> with ray_session("local"):  # doctest: +SKIP
    ...     report = cluster_sync(["data/releases"], "data/index")
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ingest.chunking import ChunkSettings
from ingest.prepare import EMBED_TEMPLATE, ChunkRecord, DocumentRecord
from ingest.types import LoadError

from .cluster_plan import FileState, length_batches, plan_files, task_batches
from .encoder import DEFAULT_MODEL
from .errors import BadCurrentError
from .layout import current_generation, default_index_dir
from .settings import VectorSettings
from .sync import (
    FileError,
    Progress,
    SyncReport,
    _publish,
    _record,
    _remove_vanished,
    _Tally,
    _walk,
)
from .writer import IndexWriter

__all__ = [
    "CLUSTER_EXTRA",
    "ClusterEncoder",
    "ClusterUnavailableError",
    "ClusterUnreachableError",
    "ClusterWorkersLostError",
    "Prepared",
    "check_address",
    "cluster_sync",
    "import_ray",
    "ray_session",
]

CLUSTER_EXTRA = "pip install -e '.[cluster]'"
ENCODE_BATCH = 32  # texts per model batch inside a worker (the encoders' default)
PER_CALL = 128  # texts per call to an embedding worker: 4 model batches
FILES_PER_TASK = 8  # files per parse task
TASKS_IN_FLIGHT = 2  # parse tasks submitted ahead of the writer (parsing is ~7% of the work)


CONNECT_TIMEOUT = 5.0  # seconds to reach a cluster's address before giving up


class ClusterUnavailableError(ImportError):
    """Ray is not installed (the ``cluster`` extra), or no cluster answers at the address."""


class ClusterUnreachableError(ClusterUnavailableError):
    """``--ray ADDRESS``: nothing answers there (Ray itself would wait minutes)."""


class ClusterWorkersLostError(RuntimeError):
    """The cluster's workers died more often than Ray retries them; nothing was published."""


def check_address(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Reach ``HOST:PORT`` (or ``ray://HOST:PORT``) over TCP within ``timeout`` seconds.

    ``ray.init`` retries an unreachable address for minutes; this fails in seconds with
    :class:`ClusterUnreachableError` naming the address and the reason.
    """
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterUnreachableError(
            f"--ray {address}: expected 'local', 'auto' or HOST:PORT (the head node's GCS port, "
            "6379 by default)"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ClusterUnreachableError(
            f"no Ray cluster answers at {address} ({reason} after at most {timeout:g} s); "
            "start one there with `ray start --head`, or use --ray local"
        ) from exc


def import_ray() -> ModuleType:
    """The ``ray`` module, or :class:`ClusterUnavailableError` naming the extra."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterUnavailableError(
            f"--ray needs Ray, which is not installed: {CLUSTER_EXTRA}"
        ) from exc
    return ray


@contextlib.contextmanager
def ray_session(address: str, *, num_cpus: int | None = None) -> Iterator[ModuleType]:
    """Start a local Ray cluster (``"local"``) or join one (``"auto"``, ``"HOST:PORT"``).

    A cluster this started is shut down on leaving the block; one joined is left running.
    Inside an already initialised Ray (a test, a notebook) the block uses that one.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address == "local":
        ray.init(
            num_cpus=num_cpus or len(os.sched_getaffinity(0)),
            include_dashboard=False,
            log_to_driver=False,
            object_store_memory=512 * 1024 * 1024,
        )
    else:
        if address != "auto":
            check_address(address)
        try:
            with _join_env(), _quiet_stderr():
                ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        except ConnectionError as exc:  # not a Ray cluster there, or "auto" and none here
            where = "on this machine" if address == "auto" else f"at {address}"
            raise ClusterUnreachableError(
                f"no Ray cluster answers {where}; start one with `ray start --head`, "
                "or use --ray local"
            ) from exc
    try:
        yield ray
    finally:
        ray.shutdown()


@contextlib.contextmanager
def _join_env() -> Iterator[None]:
    """While joining: Ray tries the address 3 times (~1 s apart, not 20) and keeps its
    core's retry warnings off stderr (a variable already set is left as it is)."""
    wanted = {"RAY_gcs_server_port_wait_time_s": "3", "RAY_BACKEND_LOG_LEVEL": "error"}
    added = [k for k in wanted if k not in os.environ]
    os.environ.update({k: wanted[k] for k in added})
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """File descriptor 2 to /dev/null: Ray's core prints a warning line per retry of an
    address that is not a cluster, which the one error line replaces."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_LOST = ("RayActorError", "WorkerCrashedError", "NodeDiedError", "ObjectLostError")
PARSE_RETRIES = 3  # Ray's default retries of a task whose worker died


def ray_get(refs: Any, what: str, retries: int) -> Any:
    """``ray.get``, with a worker lost beyond Ray's retries as
    :class:`ClusterWorkersLostError` (one line: what died, how often it was retried)."""
    ray = import_ray()
    lost = tuple(getattr(ray.exceptions, name) for name in _LOST)
    try:
        return ray.get(refs)
    except lost as exc:
        raise ClusterWorkersLostError(
            f"the Ray cluster lost {what} more than the {retries} times it retries them "
            f"({type(exc).__name__}); nothing was published, the index is as it was"
        ) from exc


# -- worker side --------------------------------------------------------------------------------
def _worker_encoder(model: str, backend: str, threads: int) -> Any:
    """The encoder a worker loads once: ``threads`` model threads (one per core it holds)."""
    from .encoder import SentenceTransformerEncoder, _set_offline, default_model_path

    if backend == "onnx":
        from .onnx_encoder import OnnxEncoder

        if model == DEFAULT_MODEL:
            _set_offline()
            return OnnxEncoder(default_model_path(), name=model, threads=threads)
        return OnnxEncoder(model, name=model, threads=threads)
    import torch

    torch.set_num_threads(threads)
    return SentenceTransformerEncoder(model)


@dataclass(frozen=True)
class Prepared:
    """One file's parse result, as a parse task returns it (``error`` set: not indexed)."""

    path: str
    size: int
    mtime_ns: int
    document: DocumentRecord | None = None
    chunks: tuple[ChunkRecord, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None


def prepare_files(
    files: Sequence[FileState], model: str, backend: str, chunking: dict
) -> list[Prepared]:
    """Read, parse and chunk files (the body of a parse task; the tokenizer loads once per
    worker process through :func:`index.encoder.get_encoder`'s cache)."""
    from ingest.loaders import load_file
    from ingest.prepare import prepare

    from .encoder import get_encoder

    encoder = get_encoder(model, backend)
    settings = ChunkSettings(**chunking)
    out = []
    for f in files:
        try:
            loaded = load_file(f.path)
            doc, chunks = prepare(
                loaded,
                count_tokens=encoder.count_tokens,
                max_tokens=encoder.max_tokens,
                settings=settings,
                size=f.size,
                mtime_ns=f.mtime_ns,
            )
            out.append(Prepared(f.path, f.size, f.mtime_ns, doc, tuple(chunks), loaded.notes))
        except LoadError as exc:
            out.append(Prepared(f.path, f.size, f.mtime_ns, error=exc.reason))
        except OSError as exc:
            out.append(Prepared(f.path, f.size, f.mtime_ns, error=exc.strerror or str(exc)))
    return out


class _Embedder:
    """An embedding worker: loads the encoder once, then embeds the calls it is sent."""

    def __init__(self, model: str, backend: str, threads: int) -> None:
        self.encoder = _worker_encoder(model, backend, threads)

    def info(self) -> tuple[str, int, int, int]:
        """(model name, dim, max_tokens, process id)."""
        e = self.encoder
        return e.name, int(e.dim), int(e.max_tokens), os.getpid()

    def embed(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return self.encoder.encode_with_sentences(texts, spans)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.encoder.count_tokens(texts)


# -- driver side --------------------------------------------------------------------------------
class ClusterEncoder:
    """The :class:`~index.encoder.Encoder` the writer sees: a pool of embedding actors.

    The actors start on first use (an unchanged corpus starts none). Each holds ``cpus``
    CPUs and runs the model on as many threads; a killed actor is restarted (loading the
    model again) and the call it had is retried, up to ``retries`` times.

    Args:
        model: model name or folder, as for :func:`index.get_encoder`.
        backend: ``"onnx"`` or ``"torch"``.
        workers: actors in the pool (default: the cluster's CPUs divided by ``cpus``).
        cpus: CPUs per actor.
        retries: restarts of an actor and retries of a call it had when it died.
        per_call: most texts per call to an actor (fewer when the queue is short, so every
            actor gets two calls); rounded to whole model batches of 32.
    """

    def __init__(
        self,
        model: str | None = None,
        backend: str | None = None,
        *,
        workers: int | None = None,
        cpus: int = 1,
        retries: int = 3,
        per_call: int = PER_CALL,
    ) -> None:
        self.name = model or os.environ.get("PRESSROOM_MODEL") or DEFAULT_MODEL
        self.backend = backend or os.environ.get("PRESSROOM_ENCODER") or "onnx"
        if self.backend not in ("torch", "onnx"):
            raise ValueError(f"unknown encoder backend {self.backend!r}: use 'torch' or 'onnx'")
        self._workers = workers
        self._cpus = cpus
        self._retries = retries
        self._per_call = per_call
        self._actors: list[Any] = []
        self._infos: list[Any] = []
        self.pids: list[int] = []
        self._dim = 0
        self._max_tokens = 0

    @property
    def loaded(self) -> bool:
        """Whether the actors were started (the writer then asks for ``dim`` at once)."""
        return bool(self._actors)

    def start(self) -> None:
        """Create the actors without waiting for them (they load the model meanwhile)."""
        if self._actors:
            return
        ray = import_ray()
        n = self._workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // self._cpus)
        cls = ray.remote(
            num_cpus=self._cpus, max_restarts=self._retries, max_task_retries=self._retries
        )(_Embedder)
        self._actors = [cls.remote(self.name, self.backend, self._cpus) for _ in range(n)]
        self._infos = [a.info.remote() for a in self._actors]

    def _start(self) -> None:
        """Start the actors if need be and wait until every one has loaded the model."""
        self.start()
        if not self.pids:
            infos = ray_get(self._infos, "embedding workers", self._retries)
            _, self._dim, self._max_tokens, _ = infos[0]
            self.pids = [info[3] for info in infos]

    @property
    def dim(self) -> int:
        self._start()
        return self._dim

    @property
    def max_tokens(self) -> int:
        self._start()
        return self._max_tokens

    @property
    def workers(self) -> int:
        self._start()
        return len(self._actors)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        self._start()
        ref = self._actors[0].count_tokens.remote(list(texts))
        return ray_get(ref, "an embedding worker", self._retries)

    def encode(self, texts: Sequence[str], batch_size: int = ENCODE_BATCH) -> np.ndarray:
        return self.encode_with_sentences(texts, [[] for _ in texts])[0]

    def _call(self, actor: Any, texts: list[str], spans: list[list[tuple[int, int]]]) -> Any:
        """Submit one call to one actor; its object reference."""
        return actor.embed.remote(texts, spans)

    def encode_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Embed on the pool: longest texts first, each idle actor given the next call."""
        vectors = np.zeros((len(texts), 0), dtype=np.float32)
        if len(texts) == 0:
            return vectors, []
        self._start()
        ray = import_ray()
        share = -(-len(texts) // (2 * len(self._actors)))  # two calls per actor at least
        per_call = min(self._per_call, -(-share // ENCODE_BATCH) * ENCODE_BATCH)
        calls = length_batches([len(t) for t in texts], batch_size=ENCODE_BATCH, per_call=per_call)
        vectors = np.zeros((len(texts), self._dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self._dim), np.float32)] * len(texts)
        pending: dict[Any, tuple[Any, list[int]]] = {}
        queue = list(reversed(calls))

        def submit(actor: Any) -> None:
            rows = queue.pop()
            ref = self._call(actor, [texts[i] for i in rows], [list(spans[i]) for i in rows])
            pending[ref] = (actor, rows)

        for actor in self._actors * 2:  # two calls per actor: it never waits for the driver
            if queue:
                submit(actor)
        while pending:
            [ref], _ = ray.wait(list(pending), num_returns=1)
            actor, rows = pending.pop(ref)
            got, parts = ray_get(ref, "an embedding worker", self._retries)
            vectors[rows] = got
            for i, part in zip(rows, parts, strict=True):
                pooled[i] = part
            if queue:
                submit(actor)
        return vectors, pooled


def cluster_sync(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str] | None = None,
    *,
    encoder: ClusterEncoder | None = None,
    remove_missing: bool = True,
    rebuild: bool = False,
    settings: ChunkSettings | None = None,
    progress: Callable[[Progress], None] | None = None,
    lock_timeout: float = 0,
    vector_settings: VectorSettings | None = None,
    on_submit: Callable[[Sequence[FileState]], None] | None = None,
) -> SyncReport:
    """:func:`index.sync` with parsing and embedding on the Ray cluster this process joined.

    Same arguments and report as :func:`index.sync`, plus ``encoder`` (the actor pool) and
    ``on_submit``, called with each parse task's files as it is submitted. Call inside
    :func:`ray_session` (or an initialised Ray).
    """
    started = time.perf_counter()
    ray = import_ray()
    encoder = encoder or ClusterEncoder()
    settings = settings or ChunkSettings()
    chunking = asdict(settings)
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
    paths = [Path(p) for p in paths]
    entries, tally = _walk(paths)
    states = []
    for e in entries:
        if e.error is None:
            path = os.path.abspath(e.path)
            try:
                st = os.stat(path)
            except OSError as exc:
                tally.failed.append(FileError(path, exc.strerror or str(exc)))
                continue
            states.append(FileState(path, st.st_size, st.st_mtime_ns))

    def on_embedded(n: int) -> None:
        tally.embedded += n
        if progress is not None:
            progress(Progress(tally.done, len(states), tally.embedded, None, writer.to_embed))

    task = ray.remote(num_cpus=0, scheduling_strategy="SPREAD")(prepare_files)
    if states and (rebuild or not _has_current(index_dir)):
        encoder.start()  # everything goes out: the model loads while the driver checks and plans
    with IndexWriter(
        index_dir,
        encoder,
        chunking=chunking,
        embed_template=EMBED_TEMPLATE,
        rebuild=rebuild,
        lock_timeout=lock_timeout,
        on_embedded=on_embedded,
        vector_settings=vector_settings,
    ) as writer:
        known = writer.known()
        plan = plan_files(states, known)
        tally.unchanged += len(plan.unchanged)
        tally.done += len(plan.unchanged)
        batches = task_batches(plan.send, FILES_PER_TASK)
        if batches:
            encoder.start()
        in_flight: deque[Any] = deque()
        submitted = 0
        while submitted < len(batches) or in_flight:
            while len(in_flight) < TASKS_IN_FLIGHT and submitted < len(batches):
                files = batches[submitted]
                submitted += 1
                if on_submit is not None:
                    on_submit(files)
                in_flight.append(task.remote(files, encoder.name, encoder.backend, chunking))
            for item in ray_get(in_flight.popleft(), "a parsing task", PARSE_RETRIES):
                _apply(writer, item, known, tally)
                tally.done += 1
                if progress is not None:
                    progress(
                        Progress(
                            tally.done, len(states), tally.embedded, item.path, writer.to_embed
                        )
                    )
        if remove_missing:
            tally.removed = _remove_vanished(writer, known, entries, paths)
        return _publish(writer, tally, started)


def _has_current(index_dir: Path) -> bool:
    try:
        return current_generation(index_dir) is not None
    except BadCurrentError:
        return True  # the writer recovers (or refuses) as in a single-process sync


def _apply(writer: IndexWriter, item: Prepared, known: dict, tally: _Tally) -> None:
    """Add, touch or report one parsed file, as :func:`index.sync` does."""
    if item.error is not None:
        tally.failed.append(FileError(item.path, item.error))
        return
    assert item.document is not None
    tally.notes.extend(f"{item.path}: {note}" for note in item.notes)
    _record(writer, item.path, item.document, item.chunks, known.get(item.path), tally)

"""Checksums, old manifests, readers letting go of old generations, the command line and the
app on a damaged index, and (``-m slow``) a thousand random corruptions.

The encoder is the fake one from conftest (these tests are about files, not ranking).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import IndexCorruptError, IndexFormatError, open_reader, reading, sync
from index.check import check_index
from index.integrity import digest_file
from index.layout import current_generation
from index.repair import repair_index
from index.serving import forget
from qa import retrieve

from .conftest import RELEASES, ROOT, FakeEncoder

QUESTION = "glioblastoma imaging trial patients"


@pytest.fixture
def built(tmp_path) -> Path:
    corpus = tmp_path / "releases"
    shutil.copytree(RELEASES, corpus)
    sync([corpus], tmp_path / "idx", encoder=FakeEncoder())
    return tmp_path


def _gen(index_dir: Path) -> Path:
    return index_dir / current_generation(index_dir)


def test_manifest_records_size_and_sha256_of_every_published_file(built):
    gen = _gen(built / "idx")
    manifest = json.loads((gen / "manifest.json").read_text())
    for name in ("store.sqlite", "vectors.faiss"):
        digest = digest_file(gen / name)
        assert manifest["files"][name] == {"size": digest.size, "sha256": digest.sha256}
    assert len(manifest["checksum"]) == 64


def test_format_3_index_opens_and_gets_checksums_on_the_next_sync(built):
    gen = _gen(built / "idx")
    manifest = json.loads((gen / "manifest.json").read_text())
    for key in ("files", "checksum"):
        del manifest[key]
    manifest["format_version"] = 3
    (gen / "manifest.json").write_text(json.dumps(manifest))
    assert open_reader(built / "idx").manifest.files == {}  # opens as it is
    assert check_index(built / "idx").ok  # checked by reading the files instead
    encoder = FakeEncoder()
    report = sync([built / "releases"], built / "idx", encoder=encoder)
    assert report.published and encoder.encoded == []  # republished, nothing embedded
    assert set(open_reader(built / "idx").manifest.files) == {"store.sqlite", "vectors.faiss"}


def test_format_3_index_gets_checksums_from_repair(built):
    gen = _gen(built / "idx")
    manifest = json.loads((gen / "manifest.json").read_text())
    del manifest["files"], manifest["checksum"]
    manifest["format_version"] = 3
    (gen / "manifest.json").write_text(json.dumps(manifest))
    report = repair_index(built / "idx", use_model=False)
    assert report.complete and report.generation != gen.name
    assert open_reader(built / "idx").manifest.files


def _open_paths(folder: Path) -> list[str]:
    """Files of ``folder`` this process has open or mapped (/proc/self)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        found.append(target)
    found += [line.split()[-1] for line in open("/proc/self/maps") if "/" in line]
    return [p for p in found if p.startswith(str(folder))]


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_readers_close_superseded_generations_and_old_ones_are_removed(built):
    index_dir = (built / "idx").resolve()
    corpus = built / "releases"
    first = open_reader(index_dir)
    first_gen = index_dir / first.generation
    retrieve(QUESTION, k=2, index_dir=index_dir, encoder=FakeEncoder())
    assert _open_paths(first_gen)  # open while it is the current one
    with reading(index_dir) as held:  # a query in progress keeps its generation open
        for n in range(3):
            (corpus / f"new-{n}.txt").write_text(f"Acme Update {n}\n\nAcme said {n} things.")
            sync([corpus], index_dir, encoder=FakeEncoder())
            open_reader(index_dir)  # a query on the new generation retires the old reader
        assert held.generation == first_gen.name and first_gen.is_dir()
        assert held.documents()  # still usable: it was leased
    assert first.closed and _open_paths(first_gen) == []  # closed explicitly, not by GC
    gens = sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-"))
    assert first_gen.name not in gens and len(gens) == 2  # the last two are kept


def test_app_desk_serves_the_last_good_generation_and_names_the_damage(built):
    from ui.desk import Desk

    corpus = built / "releases"
    (corpus / "new.txt").write_text("Acme Update\n\nAcme said things.")
    sync([corpus], built / "idx", encoder=FakeEncoder())
    store = _gen(built / "idx") / "store.sqlite"
    store.write_bytes(store.read_bytes()[:5000])  # truncated: refused on opening
    desk = Desk(built / "idx", corpus)
    problem = desk.problem()
    assert problem and str(store) in problem and "pressroom repair --index" in problem
    assert "serving gen-000001" in problem
    assert len(desk.documents()) == 2  # the older generation's releases
    page = desk.status_html()
    assert "The index is damaged" in page and "pressroom repair" in page
    hits = retrieve(QUESTION, k=2, index_dir=built / "idx", encoder=FakeEncoder(), last_good=True)
    assert hits
    with pytest.raises(IndexCorruptError, match="store.sqlite"):  # strict readers refuse
        retrieve(QUESTION, k=2, index_dir=built / "idx", encoder=FakeEncoder())


def test_background_check_finds_what_the_size_check_cannot(built):
    store = _gen(built / "idx") / "store.sqlite"
    data = bytearray(store.read_bytes())
    data[len(data) // 2] ^= 0x10  # same size: only the hash sees it
    store.write_bytes(bytes(data))
    reader = open_reader(built / "idx", last_good=True)  # verified in the background
    reader.verify_in_background().join(timeout=60)
    assert reader.known_damage and "SHA-256" in reader.known_damage[0].problem
    with pytest.raises(IndexCorruptError, match="background check"):
        open_reader(built / "idx")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pressroom", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_names_the_damage_in_one_line_with_exit_code_3(built):
    idx = str(built / "idx")
    (built / "idx" / "CURRENT").write_bytes(b"\x00\xffjunk")
    ask = _cli("ask", "imaging trial", "--index", idx)
    assert ask.returncode == 3 and "Traceback" not in ask.stderr
    lines = ask.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and "CURRENT" in lines[0] and f"pressroom repair --index {idx}" in lines[0]
    )
    check = _cli("check", "--index", idx)
    assert check.returncode == 3 and "CURRENT: garbage" in check.stderr
    repaired = _cli("repair", "--index", idx, "--no-model")
    assert repaired.returncode == 0, repaired.stderr
    assert _cli("check", "--index", idx).returncode == 0


def test_damaged_store_gives_typed_errors_not_sqlite_ones(built):
    store = _gen(built / "idx") / "store.sqlite"
    data = bytearray(store.read_bytes())
    data[100:400] = bytes(b ^ 0xFF for b in data[100:400])  # the 300 bytes
    store.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="store.sqlite"):
        retrieve(QUESTION, k=2, index_dir=built / "idx", encoder=FakeEncoder())
    with pytest.raises(IndexCorruptError, match="SHA-256.*pressroom repair"):
        sync([built / "releases"], built / "idx", encoder=FakeEncoder())


def _corrupt(path: Path, rng: random.Random) -> str:
    data = bytearray(path.read_bytes())
    kind = rng.choice(["flip", "bytes", "page", "truncate", "zero"])
    if kind == "flip":
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
    elif kind == "bytes":
        at = rng.randrange(len(data))
        n = rng.randint(1, 300)
        data[at : at + n] = rng.randbytes(len(data[at : at + n]))
    elif kind == "page":
        at = rng.randrange(max(1, len(data) // 4096)) * 4096
        data[at : at + 4096] = rng.randbytes(len(data[at : at + 4096]))
    elif kind == "truncate":
        data = data[: rng.randrange(len(data))]
    else:
        at = rng.randrange(len(data))
        data[at : at + 512] = bytes(len(data[at : at + 512]))
    path.write_bytes(bytes(data))
    return kind


@pytest.mark.slow
def test_a_thousand_random_corruptions_are_each_detected_or_harmless(built, tmp_path):
    """No raw exception from opening, querying or checking a randomly corrupted index; each
    corruption is found by opening, the query, or the full check (or changed nothing)."""
    rng = random.Random(15)
    pristine = built / "idx"
    gen_name = current_generation(pristine)
    originals = {p.name: p.read_bytes() for p in (pristine / gen_name).iterdir()}
    outcomes: dict[str, int] = {}
    case: Path | None = None
    for i in range(1000):
        if case is not None:
            forget(case)  # its readers' files are closed before the folder goes
            shutil.rmtree(case)
        case = tmp_path / f"c{i}"
        shutil.copytree(pristine, case)
        name = rng.choice(sorted(originals))
        _corrupt(case / gen_name / name, rng)
        changed = (case / gen_name / name).read_bytes() != originals[name]
        try:
            retrieve(QUESTION, k=3, index_dir=case, encoder=FakeEncoder())
            on_query = None
        except IndexFormatError as exc:  # typed: a corrupt file, named
            on_query = str(exc)
            assert "\n" not in on_query and name in on_query, on_query
        found = check_index(case)
        if found.ok:
            assert not changed or name == "manifest.json", (i, name)  # only JSON whitespace
            outcome = "harmless"
        else:
            assert any(name in line for line in found.lines()), found.lines()
            outcome = "on query" if on_query else "by check"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert sum(outcomes.values()) == 1000
    print(outcomes)

"""Tests for ingest.loaders: real files in, text or a LoadError out."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

import ingest.pdf
from ingest.loaders import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    CorpusEntry,
    iter_corpus,
    load_file,
)
from ingest.types import LoadedText, LoadError

FIXTURES = Path(__file__).parent / "fixtures" / "loaders"
REGRESSIONS = Path(__file__).parent / "fixtures" / "fuzz_regressions"

RELEASE = (
    "Acme Announces Record Revenue\n\n"
    "BOSTON, Oct. 24, 2024 -- Acme, Inc. (NASDAQ: ACME) today reported results.\n"
)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def make_pdf(pages: list[str], *, compress: bool = True) -> bytes:
    """A small real PDF, one page per string, made with fpdf2."""
    pdf = FPDF()
    pdf.set_compression(compress)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def load_error(path: Path, **kwargs: int) -> LoadError:
    """Load a file that must fail; check the message names the file and the reason."""
    with pytest.raises(LoadError) as info:
        load_file(path, **kwargs)
    err = info.value
    assert err.path == str(path)
    assert str(err) == f"{path}: {err.reason}"
    assert err.reason
    return err


# ------------------------------------------------------------------ plain text


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "Café — “quoted” €5 日本"),
        ("utf-8-sig", "Café with a byte order mark"),
        ("cp1252", "The company’s “best” quarter: €5 million, café."),
        ("latin-1", "München, 4. März 2014 - über Straße"),
        ("cp1250", "Spółka ogłosiła dziś, że zwiększyła przychody."),
        ("cp1251", "Москва — Компания объявила о росте."),
        ("utf-16", "UTF-16 with BOM: café — 日本"),
        ("utf-16-be", "UTF-16 BE without BOM: plain words here"),
        ("utf-32", "UTF-32 with BOM: café"),
    ],
)
def test_txt_encodings(tmp_path: Path, encoding: str, text: str) -> None:
    path = write(tmp_path / "release.txt", (RELEASE + text).encode(encoding))
    loaded = load_file(path)
    assert loaded == LoadedText(path=str(path), text=RELEASE + text, format="txt")


def test_txt_mixed_utf8_and_cp1252_decodes_each_part(tmp_path: Path) -> None:
    data = (
        "Caf\u00e9 \u2014 a UTF-8 line\n".encode()
        + "The company\u2019s \u201cquote\u201d in cp1252\n".encode("cp1252")
        + "Back to UTF-8: \u00fcber \u20ac\n".encode()
    )
    text = load_file(write(tmp_path / "mixed.txt", data)).text
    assert text == (
        "Caf\u00e9 \u2014 a UTF-8 line\n"
        "The company\u2019s \u201cquote\u201d in cp1252\n"
        "Back to UTF-8: \u00fcber \u20ac\n"
    )


def test_txt_utf8_bom_with_a_cp1252_byte(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "Café — ".encode() + "the CEO’s view".encode("cp1252")
    assert load_file(write(tmp_path / "bom.txt", data)).text == "Café — the CEO’s view"


def test_txt_with_one_stray_byte_is_kept(tmp_path: Path) -> None:
    data = RELEASE.encode() * 20 + b"stray \x81 byte\n"
    text = load_file(write(tmp_path / "stray.txt", data)).text
    assert text.startswith(RELEASE) and "stray" in text


def test_bundled_release_loads() -> None:
    path = next((Path(__file__).parents[1] / "data" / "releases").glob("*.txt"), None)
    if path is None:
        pytest.skip("no bundled releases")
    assert "GLOBE NEWSWIRE" in load_file(path).text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\t\r\n  \n", "no text (whitespace only)"),
        ("blank.md", b"\n\n   \n", "no text in the Markdown"),
        ("image.txt", bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(64), "binary"),
        ("image.md", bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(64), "binary"),
        ("controls.txt", bytes(range(1, 32)) * 10, "binary content (control bytes)"),
        ("bad16.txt", b"\xff\xfe" + b"\x00\xd8\x41\x00", "undecodable text (invalid UTF-16-LE)"),
        ("junk.txt", bytes(range(0x80, 0x100)) * 4, "undecodable text"),
    ],
)
def test_txt_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    assert reason in load_error(write(tmp_path / name, data)).reason


# ------------------------------------------------------------------ file checks


def test_missing_file(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nope.txt").reason == "no such file"


def test_directory_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "x.txt").mkdir()
    assert load_error(tmp_path / "x.txt").reason == "is a folder, not a file"


@pytest.mark.parametrize("name", ["report.docx", "README", "archive.tar.gz", "x.TXT.bak"])
def test_unsupported_suffix(tmp_path: Path, name: str) -> None:
    reason = load_error(write(tmp_path / name, "some text")).reason
    assert reason.startswith("unsupported file type") and ".pdf" in reason


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert load_file(write(tmp_path / "LOUD.TXT", RELEASE)).format == "txt"
    assert load_file(write(tmp_path / "Page.HTM", "<p>Hello</p>")).format == "html"


def test_fifo_is_not_read(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.txt")
    assert load_error(tmp_path / "pipe.txt").reason == "not a regular file"


def test_too_large_sparse_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written or read
    assert load_error(path).reason == "file too large (50.0 MB; the limit is 50.0 MB)"


def test_too_large_with_small_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "big.md", "x" * 2048)
    reason = load_error(path, max_bytes=100).reason
    assert reason == "file too large (2.0 KB; the limit is 100 bytes)"
    assert load_file(path, max_bytes=2048).text == "x" * 2048


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", RELEASE)
    path.chmod(0)
    try:
        assert load_error(path).reason == "permission denied"
    finally:
        path.chmod(0o644)


def test_permission_error_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same reason when opening fails, checked even when the tests run as root."""
    path = write(tmp_path / "secret.txt", RELEASE)

    def denied(self: Path, *args: object, **kwargs: object) -> io.BufferedReader:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    assert load_error(path).reason == "permission denied"


@pytest.mark.parametrize(
    "name",
    [
        "Q3 results \u2014 \u00dcn\u00efc\u00f8d\u00e9 (final) #1 [draft] 'x' & y.txt",
        "-leading dash.md",
        "new\nline.html",
        "\u65e5\u672c\u8a9e\u306e\u30d7\u30ec\u30b9.txt",
        "percent %s and {braces}.txt",
    ],
)
def test_odd_file_names(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "<p>Hello</p>" if name.endswith(".html") else RELEASE)
    loaded = load_file(path)
    assert loaded.path == str(path)
    assert loaded.text.startswith(("Hello", "Acme"))
    assert [e.path for e in iter_corpus([tmp_path])] == [path]
    missing = tmp_path / ("gone " + name)
    assert str(missing) in str(load_error(missing))


def test_accepts_str_and_pathlike(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", RELEASE)
    assert load_file(str(path)).path == str(path)
    assert load_file(path).text == RELEASE


# ------------------------------------------------------------------------ HTML


def test_newswire_page_keeps_the_release_and_drops_the_chrome() -> None:
    loaded = load_file(FIXTURES / "newswire_article.html")
    assert loaded.format == "html"
    paragraphs = loaded.text.split("\n\n")
    assert paragraphs[0] == "Acme Robotics Announces Record Third-Quarter Revenue"
    assert "Revenue up 23% year over year; full-year guidance raised" in paragraphs
    assert paragraphs[3].startswith("BOSTON, Oct. 24, 2024 (GLOBE NEWSWIRE) -- Acme Robotics")
    assert (
        "Revenue of $48.2 million, up 23% from $39.2 million a year ago\n"
        "Gross margin of 41.5%\n"
        "Backlog of $212 million at quarter end"
    ) in paragraphs
    assert "Revenue | $48.2 | $39.2\nNet income | $5.1 | $2.4" in loaded.text
    assert "Media Contact:\nJohn Smith\npress@acme.example\n+1 617 555 0100" in paragraphs
    for chrome in [
        "cookies", "Industries", "Search", "Home", "Share on", "Related releases",
        "All rights reserved", "Privacy", "dataLayer", "font-family", "JSON-LD",
        "Get releases by email", "main body starts",
    ]:  # fmt: skip
        assert chrome not in loaded.text


def test_legacy_page_with_meta_charset_and_layout_table() -> None:
    text = load_file(FIXTURES / "wire_legacy.htm").text
    paragraphs = text.split("\n\n")
    # No <h1>: the <title> is the headline, and the bold copy of it is not repeated.
    assert paragraphs[0] == "Globex Signs Agreement With M\u00fcller AG to Build Plant in Dresden"
    assert text.count("Globex Signs") == 1
    assert "Globex Corporation\u00ae (NYSE: GBX)" in text and "\u20ac120 million" in text
    assert "\u201cThis is a milestone for our European business,\u201d" in text
    assert "Construction starts in 2015." in paragraphs  # <br><br> ends a paragraph
    assert "Contact:\nInvestor Relations\nir@globex.example" in paragraphs
    assert "Investors" not in text  # the menu cell of the layout table


def test_html_malformed_but_with_text(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.html", "<html><body><p>First para<p>Second <b>bold <i>italic")
    assert load_file(path).text == "First para\n\nSecond bold italic"


@pytest.mark.parametrize(
    "markup",
    [
        "<<<>>></div></span></p>",
        "<html><head><script>var x = 1;</script><style>p {}</style></head><body> </body></html>",
        "<!-- only a comment --><nav><a href='/'>Home</a></nav>",
        "<img src='a.png'><br><hr>",
    ],
)
def test_html_without_text(tmp_path: Path, markup: str) -> None:
    err = load_error(write(tmp_path / "empty.html", markup))
    assert err.reason == "no text found in the HTML"


def test_html_title_is_the_headline_without_h1(tmp_path: Path) -> None:
    page = "<title>Real Headline</title><header><h1>SiteName</h1></header><p>Body text.</p>"
    assert load_file(write(tmp_path / "t.html", page)).text == "Real Headline\n\nBody text."


def test_html_short_headline_is_not_mistaken_for_a_prefix(tmp_path: Path) -> None:
    page = "<h1>Go</h1><p>Google announces results.</p>"
    assert load_file(write(tmp_path / "g.html", page)).text == "Go\n\nGoogle announces results."


def test_html_h1_moves_to_the_front(tmp_path: Path) -> None:
    page = "<body><p class=date>May 1, 2024</p><h1>The <b>Headline</b></h1><p>Body.</p></body>"
    assert load_file(write(tmp_path / "h.html", page)).text == (
        "The Headline\n\nMay 1, 2024\n\nBody."
    )


def test_html_inline_markup_and_breaks(tmp_path: Path) -> None:
    page = (
        "<p>Acme<b>Corp</b> and <i>friends</i> &amp; <a href='#'>link</a>.</p>"
        "<div>Line one<br>line two<br><br>new paragraph</div>"
        "<pre>code  keeps\n    spacing</pre><dl><dt>Term</dt><dd>Meaning</dd></dl>"
    )
    assert load_file(write(tmp_path / "i.html", page)).text == (
        "AcmeCorp and friends & link.\n\nLine one\nline two\n\nnew paragraph\n\n"
        "code  keeps\n    spacing\n\nTerm\nMeaning"
    )


def test_html_declared_charset_and_wrong_declaration(tmp_path: Path) -> None:
    body = "<p>Caf\u00e9 \u2014 \u201cquoted\u201d</p>"
    declared = f'<meta charset="windows-1252">{body}'.encode("cp1252")
    assert load_file(write(tmp_path / "a.html", declared)).text == body[3:-4]
    lying = f'<meta charset="utf-8">{body}'.encode("cp1252")
    assert load_file(write(tmp_path / "b.html", lying)).text == body[3:-4]
    utf16 = ("<html><body>" + body + "</body></html>").encode("utf-16")
    assert load_file(write(tmp_path / "c.htm", utf16)).text == body[3:-4]


@pytest.mark.parametrize("charset", ["idna", "base64", "x-no-such-charset", "utf-16"])
def test_html_odd_declared_charset(tmp_path: Path, charset: str) -> None:
    page = f'<meta charset="{charset}"><p>Caf\u00e9 news</p>'.encode()
    assert load_file(write(tmp_path / "odd.html", page)).text == "Caf\u00e9 news"


def test_html_only_a_title(tmp_path: Path) -> None:
    assert load_file(write(tmp_path / "t.html", "<title>Just a title</title>")).text == (
        "Just a title"
    )


def test_html_role_main_keeps_its_header(tmp_path: Path) -> None:
    page = (
        "<header><a href='/'>Logo</a> Site tagline here</header>"
        "<div role='main'><header><p>March 4, 2014</p></header><h1>Headline</h1>"
        "<p>" + "Body text. " * 10 + "</p></div><footer>Site footer</footer>"
    )
    text = load_file(write(tmp_path / "m.html", page)).text
    assert text.startswith("Headline\n\nMarch 4, 2014\n\nBody text.")
    assert "tagline" not in text and "footer" not in text


def test_html_hidden_and_form_elements_dropped(tmp_path: Path) -> None:
    page = (
        "<article><h1>Title</h1><p>Visible.</p><p hidden>Hidden.</p>"
        "<div style='display: none'>Invisible.</div><span class='sr-only'>Opens new tab</span>"
        "<form><label>Email</label><input></form><noscript>Enable JS</noscript></article>"
    )
    assert load_file(write(tmp_path / "f.html", page)).text == "Title\n\nVisible."


def test_html_page_wrapped_in_a_form_is_kept(tmp_path: Path) -> None:
    page = "<body><form id='aspnetForm'><h1>Title</h1><p>" + "Body text. " * 20 + "</p></form>"
    assert load_file(write(tmp_path / "aspx.html", page)).text.startswith("Title\n\nBody text.")


def test_html_deep_nesting(tmp_path: Path) -> None:
    page = "<div>" * 5000 + "Deep text" + "</div>" * 5000
    loaded_or_error(write(tmp_path / "deep.html", page))


# -------------------------------------------------------------------- Markdown


def test_markdown_release() -> None:
    loaded = load_file(FIXTURES / "release.md")
    assert loaded.format == "md"
    paragraphs = loaded.text.split("\n\n")
    assert paragraphs[:2] == [
        "Initech Launches TPS Report Automation Suite",
        "Cuts report preparation time by 80%",
    ]
    assert paragraphs[2] == (
        "AUSTIN, Texas, Feb. 19, 2025 -- Initech, Inc. (NYSE: INTK) today launched TPS "
        "Automator, a suite that files paper TPS reports automatically."
    )
    assert (
        "Automatic cover sheets\nOne-click filing with audit trail\n"
        "Integration with Lumbergh approval flows"
    ) in paragraphs
    assert "Plan | Price\nBasic | $10\nPro | $25" in paragraphs
    assert "curl https://initech.example/install | sh" in paragraphs
    assert "Use tps --file to start." in paragraphs
    assert "About Initech" in paragraphs
    for markup in ["#", "**", "](", "![", "screenshot", "~~", "`", "alert", "<"]:
        assert markup not in loaded.text


def test_markdown_suffix_and_encoding(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.markdown", "# Caf\u00e9 *news*\n\nThe CEO\u2019s view.".encode("cp1252")
    )
    assert load_file(path).text == "Caf\u00e9 news\n\nThe CEO\u2019s view."


def test_markdown_only_an_image(tmp_path: Path) -> None:
    err = load_error(write(tmp_path / "img.md", "![logo](logo.png)\n"))
    assert err.reason == "no text in the Markdown"


# ------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def two_page_pdf() -> bytes:
    return make_pdf(
        [
            "Acme Announces Results\nThe company reported strong treat-\nment outcomes.\n"
            "Non-\nStandard words keep their hyphen.",
            "About Acme\nAcme makes things.",
        ]
    )


def test_pdf_two_pages(tmp_path: Path, two_page_pdf: bytes) -> None:
    loaded = load_file(write(tmp_path / "r.pdf", two_page_pdf))
    assert loaded.format == "pdf"
    assert loaded.text == (
        "Acme Announces Results\nThe company reported strong treatment outcomes.\n"
        "Non-\nStandard words keep their hyphen.\n\nAbout Acme\nAcme makes things."
    )


def test_pdf_encrypted(tmp_path: Path, two_page_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(two_page_pdf))
    writer.encrypt("secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert load_error(path).reason == "encrypted PDF (a password is required)"


def test_pdf_encrypted_with_empty_password_opens(tmp_path: Path, two_page_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(two_page_pdf))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert load_file(path).text.startswith("Acme Announces Results")


def test_pdf_truncated(tmp_path: Path, two_page_pdf: bytes) -> None:
    path = write(tmp_path / "cut.pdf", two_page_pdf[: len(two_page_pdf) // 2])
    assert load_error(path).reason.startswith(("not a valid PDF (", "broken PDF ("))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"This is a text file renamed to .pdf\n", "not a PDF (no %PDF header)"),
        (bytes.fromhex("504b0304") + bytes(100), "not a PDF (no %PDF header)"),
        (b"%PDF-1.4\n", "not a valid PDF ("),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "not a valid PDF ("),
    ],
)
def test_pdf_invalid(tmp_path: Path, data: bytes, reason: str) -> None:
    assert load_error(write(tmp_path / "x.pdf", data)).reason.startswith(reason)


def test_pdf_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", make_pdf(["", ""]))
    assert load_error(path).reason == "no extractable text in the PDF (scanned or image-only?)"


def test_pdf_page_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_page_pdf: bytes
) -> None:
    monkeypatch.setattr(ingest.pdf, "MAX_PDF_PAGES", 1)
    path = write(tmp_path / "long.pdf", two_page_pdf)
    assert load_error(path).reason == "PDF has too many pages (2; the limit is 1)"


def raw_pdf(objects: list[bytes]) -> bytes:
    """A hand-made PDF with a correct xref table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_CONTENT = b"BT /F1 12 Tf 72 720 Td (Hello from a raw PDF) Tj ET"
_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>"
)
_PAGE_OBJECTS = [
    _PAGE,
    b"<< /Length %d >>\nstream\n%s\nendstream" % (len(_CONTENT), _CONTENT),
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def test_raw_pdf_with_a_wrong_page_count(tmp_path: Path) -> None:
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>"
    path = write(tmp_path / "count.pdf", raw_pdf([_CATALOG, pages, *_PAGE_OBJECTS]))
    assert load_file(path).text == "Hello from a raw PDF"


@pytest.mark.parametrize(
    ("objects", "reason"),
    [
        (
            [_CATALOG, b"<< /Type /Pages /Kids [" + b"3 0 R " * 600 + b"] /Count 600 >>"]
            + _PAGE_OBJECTS,
            "PDF has too many pages (600; the limit is 500)",
        ),
        (
            [
                _CATALOG,
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
            ],
            "not a valid PDF (Detected cyclic page references.)",
        ),
        (
            [
                b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * 50_000 + b"]" * 50_000 + b" >>",
                b"<< /Type /Pages /Kids [] /Count 0 >>",
            ],
            "not a valid PDF (",
        ),
        (
            [
                _CATALOG,
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /Contents [3 0 R 3 0 R] >>",
            ],
            "no extractable text in the PDF",
        ),
    ],
    ids=["600 pages", "cyclic page tree", "deep nesting", "page as its own content"],
)
def test_raw_pdf_pathological(tmp_path: Path, objects: list[bytes], reason: str) -> None:
    assert load_error(write(tmp_path / "odd.pdf", raw_pdf(objects))).reason.startswith(reason)


# ---------------------------------------------------------------------- corpus


def test_iter_corpus_order_hidden_and_unsupported(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for name in [
        "b.txt", "a.md", "sub/z.pdf", "sub/deeper/c.htm", "A.HTML", "notes.docx",
        ".hidden.txt", ".git/config.txt", "sub/.cache/x.txt", "image.png",
    ]:  # fmt: skip
        write(corpus / name, "x")
    entries = list(iter_corpus([corpus]))
    assert all(isinstance(e, CorpusEntry) and e.error is None for e in entries)
    assert [e.path.relative_to(corpus).as_posix() for e in entries] == [
        "A.HTML", "a.md", "b.txt", "sub/deeper/c.htm", "sub/z.pdf",
    ]  # fmt: skip
    assert list(iter_corpus([corpus])) == entries  # deterministic


def test_iter_corpus_named_paths(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "x")
    write(tmp_path / ".hidden.md", "x")
    write(tmp_path / "x.doc", "x")
    entries = list(
        iter_corpus([a, tmp_path / ".hidden.md", tmp_path / "no.txt", tmp_path / "x.doc", a])
    )
    assert entries == [
        CorpusEntry(a),
        CorpusEntry(tmp_path / ".hidden.md"),  # named explicitly: not skipped
        CorpusEntry(tmp_path / "no.txt", "no such file or folder"),
        CorpusEntry(tmp_path / "x.doc", "unsupported file type (.doc)"),
    ]  # the second "a" is a duplicate


def test_iter_corpus_symlinks(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    inner = write(corpus / "real.txt", "x")
    secret = write(outside / "secret.txt", "x")
    write(outside / "folder" / "other.txt", "x")
    (corpus / "escape.txt").symlink_to(secret)
    (corpus / "alias.txt").symlink_to(inner)
    (corpus / "linked_dir").symlink_to(outside / "folder", target_is_directory=True)
    (corpus / "dangling.txt").symlink_to(corpus / "gone.txt")
    entries = list(iter_corpus([corpus]))
    boundary = corpus.resolve()
    assert entries == [
        CorpusEntry(corpus / "alias.txt"),  # inside the folder: followed, then deduplicated
        CorpusEntry(corpus / "dangling.txt", "broken symlink"),
        CorpusEntry(corpus / "escape.txt", f"symlink points outside {boundary}"),
        CorpusEntry(corpus / "linked_dir", f"symlink points outside {boundary}"),
    ]
    # real.txt was reached as alias.txt first; a named file is taken as given ...
    assert list(iter_corpus([corpus / "escape.txt"])) == [CorpusEntry(corpus / "escape.txt")]
    # ... unless a root is set.
    fenced = list(iter_corpus([corpus / "escape.txt", secret], root=corpus))
    assert [e.error for e in fenced] == [
        f"symlink points outside {boundary}",
        f"file is outside {boundary}",
    ]


def test_iter_corpus_root_contains_folders(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    inner = write(corpus / "sub" / "a.txt", "x")
    write(corpus / "other" / "b.md", "x")
    (corpus / "sub" / "link.md").symlink_to(corpus / "other" / "b.md")
    # Expanding only "sub" would reject the link; with the corpus as root it is fine.
    assert [e.error is None for e in iter_corpus([corpus / "sub"])] == [True, False]
    entries = list(iter_corpus([corpus / "sub"], root=corpus))
    assert entries == [CorpusEntry(inner), CorpusEntry(corpus / "sub" / "link.md")]


def test_iter_corpus_unlistable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "locked" / "a.txt", "x")
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str]) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(iter_corpus([tmp_path])) == [
        CorpusEntry(tmp_path / "locked", "cannot list folder (permission denied)")
    ]


def test_supported_suffixes_all_load(tmp_path: Path) -> None:
    for suffix in SUPPORTED_SUFFIXES:
        data = make_pdf(["Hello"]) if suffix == ".pdf" else b"Hello"
        assert load_file(write(tmp_path / f"f{suffix}", data)).text == "Hello"


# ------------------------------------------------------------------------ fuzz

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def loaded_or_error(path: Path) -> None:
    """The loader's contract on any input: non-empty text, or a LoadError for this path."""
    try:
        loaded = load_file(path)
    except LoadError as err:
        assert err.path == str(path) and err.reason
        assert "\n" not in err.reason
    else:
        assert isinstance(loaded, LoadedText) and loaded.text.strip()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


_MARKUP = st.sampled_from(
    [
        "<p>", "</p>", "<div>", "</div>", "<br>", "<h1>", "</h1>", "<title>", "<table><tr><td>",
        "</td><td>", "<ul><li>", "<pre>", "<script>", "<!--", "-->", "<nav>", "<article>",
        "<form>", "&amp;", "&#0;", "&#xD800;", "<meta charset='utf-16'>", "<meta charset=x>",
        "# ", "**", "[a](b)", "![i](j)", "\n", "| a | b |\n|--|--|\n", "```", "> ", "- ",
        "text", " ", "\u00e9", "\u2019", "\x00", "\ufeff",
    ]
)  # fmt: skip


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf"])
@FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_random_bytes(fuzz_dir: Path, suffix: str, data: bytes) -> None:
    if suffix == ".pdf" and data[:1] == b"%":
        data = b"%PDF-1.4\n" + data  # reach the parser, not only the header check
    loaded_or_error(write(fuzz_dir / f"random{suffix}", data))


@pytest.mark.parametrize("suffix", [".md", ".html"])
@FUZZ
@given(
    tokens=st.lists(_MARKUP | st.text(max_size=5), max_size=60),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
)
def test_fuzz_markup(fuzz_dir: Path, suffix: str, tokens: list[str], encoding: str) -> None:
    data = "".join(tokens).encode(encoding, errors="replace")
    loaded_or_error(write(fuzz_dir / f"markup{suffix}", data))


@pytest.fixture(scope="module")
def seed_pdfs() -> list[bytes]:
    text = ["Acme Announces Results\ntreat-\nment", "About Acme"]
    return [make_pdf(text), make_pdf(text, compress=False)]


_EDIT = st.tuples(
    st.sampled_from(["flip", "delete", "insert", "duplicate", "digit"]),
    st.floats(0, 1),
    st.integers(1, 64),
    st.binary(min_size=1, max_size=16),
)


@FUZZ
@given(seed=st.integers(0, 1), edits=st.lists(_EDIT, min_size=1, max_size=8), cut=st.floats(0, 1))
def test_fuzz_mutated_pdf(
    fuzz_dir: Path,
    seed_pdfs: list[bytes],
    seed: int,
    edits: list[tuple[str, float, int, bytes]],
    cut: float,
) -> None:
    data = bytearray(seed_pdfs[seed])
    for op, where, size, chunk in edits:
        at = int(where * (len(data) - 1))
        if op == "flip":
            data[at : at + len(chunk)] = chunk
        elif op == "delete":
            del data[at : at + size]
        elif op == "insert":
            data[at:at] = chunk
        elif op == "duplicate":
            data[at:at] = data[at : at + size * 8]
        else:  # change a number: object ids, lengths, offsets
            digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
            if digits:
                data[digits[int(where * (len(digits) - 1))]] = 48 + size % 10
    if cut < 0.2:
        data = data[: int(len(data) * cut * 5)]
    loaded_or_error(write(fuzz_dir / "mutated.pdf", bytes(data)))


def _regression_files() -> list[Path]:
    return sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("path", _regression_files(), ids=lambda p: p.name)
def test_fuzz_regressions(tmp_path: Path, path: Path) -> None:
    """Every input that once crashed the loader now loads or fails with a LoadError."""
    loaded_or_error(Path(shutil.copy(path, tmp_path / path.name)))


def test_a_stray_nul_byte_is_removed_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "release.txt"
    path.write_bytes(b"Acme Announces Results\n\nRevenue grew 12% in the\x00 third quarter.\n")
    loaded = load_file(path)
    assert "\x00" not in loaded.text and "third quarter" in loaded.text
    assert loaded.notes == ("removed 1 stray NUL byte",)
    many = tmp_path / "binary.txt"
    many.write_bytes(b"Acme\x00\x00\x00 results\x00\x00")  # many NULs: still binary
    with pytest.raises(LoadError, match="binary"):
        load_file(many)


def test_a_symlink_loop_is_reported_as_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "a.txt").symlink_to(corpus / "b.txt")
    (corpus / "b.txt").symlink_to(corpus / "a.txt")
    entries = {e.path.name: e.error for e in iter_corpus([corpus])}
    assert entries == {
        n: "symlink loop (the link leads back to itself)" for n in ("a.txt", "b.txt", "loop.txt")
    }

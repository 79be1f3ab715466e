"""index.documents: loading files into Documents (text, title, hash) and the errors for bad files."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from index import Document, LoadError, load_document

from ..pdfs import text_pdf

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "lithuania-critical-minerals.txt"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# -- plain text -------------------------------------------------------------------------------------


def test_txt_title_from_short_first_line(tmp_path):
    path = write(tmp_path, "notes.txt", "Budrys on minerals\nVilnius wants a deal. It may go bilateral.\n")
    doc = load_document(path)
    assert isinstance(doc, Document)
    assert doc.title == "Budrys on minerals"
    assert doc.text == "Budrys on minerals\nVilnius wants a deal. It may go bilateral.\n"
    assert doc.path == str(path.resolve())


def test_txt_title_from_filename_when_first_line_is_a_sentence(tmp_path):
    path = write(tmp_path, "eu-minerals_deal.txt", "The European Union talks continue with no end in sight.\nMore.\n")
    assert load_document(path).title == "Eu minerals deal"


@pytest.mark.skipif(not SEED.is_file(), reason="seed document absent")
def test_seed_title_comes_from_filename():
    doc = load_document(SEED)
    assert doc.title == "Lithuania critical minerals"
    assert "Budrys" in doc.text
    assert doc.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_sha256_is_of_the_file_bytes_and_crlf_is_normalised(tmp_path):
    data = b"Title line\r\nFirst sentence here.\r\nSecond line.\rOld mac line.\r\n"
    doc = load_document(write(tmp_path, "crlf.txt", data))
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert "\r" not in doc.text
    assert doc.text == "Title line\nFirst sentence here.\nSecond line.\nOld mac line.\n"
    assert doc.title == "Title line"


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    data = "\ufeffBOM title\nCafé society.".encode("utf-8")
    doc = load_document(write(tmp_path, "bom.txt", data))
    assert doc.text == "BOM title\nCafé society."
    assert doc.title == "BOM title"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_data_argument_is_used_instead_of_reading(tmp_path):
    path = tmp_path / "never-written.txt"
    doc = load_document(path, data=b"Given bytes\nBody.")
    assert doc.text == "Given bytes\nBody."
    assert doc.sha256 == hashlib.sha256(b"Given bytes\nBody.").hexdigest()


# -- markdown / html / pdf --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".md", ".markdown"])
def test_markdown_title_from_heading(tmp_path, suffix):
    text = "Some front matter line that is long enough to be a sentence.\n\n# The Real Heading #\n\nBody text.\n"
    doc = load_document(write(tmp_path, "doc" + suffix, text))
    assert doc.title == "The Real Heading"
    assert doc.text == text


def test_markdown_without_heading_falls_back_to_first_line(tmp_path):
    doc = load_document(write(tmp_path, "plain.md", "Short title\n\nA paragraph.\n\n## Sub only\n"))
    assert doc.title == "Short title"


HTML = """<!doctype html>
<html><head><title>  Vilnius &amp; the EU </title>
<style>body { color: red; } .secret-style {}</style>
<script>var secretScript = 1;</script></head>
<body>
<h1>Heading One</h1>
<p>Visible paragraph text.</p>
<script>alert(1)</script>
<noscript>Enable JavaScript please</noscript>
<p>Second&nbsp;paragraph &lt;escaped&gt;.</p>
</body></html>
"""


def test_html_title_and_visible_text(tmp_path):
    doc = load_document(write(tmp_path, "page.html", HTML))
    assert doc.title == "Vilnius & the EU"
    assert "Heading One" in doc.text
    assert "Visible paragraph text." in doc.text
    assert "Second paragraph <escaped>." in doc.text
    for hidden in ("alert(1)", "secretScript", "color: red", "secret-style", "Enable JavaScript"):
        assert hidden not in doc.text
    assert "<" not in doc.text.replace("<escaped>", "")  # no markup left
    assert doc.text == doc.text.strip()  # blank lines dropped


def test_htm_title_falls_back_to_h1(tmp_path):
    doc = load_document(write(tmp_path, "page.htm", "<html><body><h1>Only a heading</h1><p>Text.</p></body></html>"))
    assert doc.title == "Only a heading"
    assert "Text." in doc.text


def test_html_inline_markup_does_not_break_sentences(tmp_path):
    html = "<html><body><p>The <b>U.S.</b> and <a href='x'>Lithuania</a> signed a <em>deal</em>.</p></body></html>"
    doc = load_document(write(tmp_path, "inline.html", html))
    assert "The U.S. and Lithuania signed a deal." in doc.text


def test_pdf_with_text(tmp_path):
    data = text_pdf([["Vilnius signed the minerals pact.", "Budrys spoke in Brussels."]], title="Minerals Pact")
    doc = load_document(write(tmp_path, "pact.pdf", data))
    assert "Vilnius signed the minerals pact." in doc.text
    assert "Budrys spoke in Brussels." in doc.text
    assert doc.title == "Minerals Pact"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_without_metadata_title_uses_first_line(tmp_path):
    doc = load_document(write(tmp_path, "untitled.pdf", text_pdf([["Short PDF title", "Body sentence."]])))
    assert doc.title == "Short PDF title"


# -- errors -----------------------------------------------------------------------------------------


BAD_FILES = [
    pytest.param("corrupt.pdf", b"%PDF-1.4 garbage", "PDF", id="corrupt-pdf"),
    pytest.param("blank.pdf", None, "empty", id="pdf-without-text"),
    pytest.param("binary.txt", b"GIF89a\x00\x01\x02\x00\xff text", "binary", id="nul-bytes"),
    pytest.param("empty.txt", b"", "empty", id="empty"),
    pytest.param("blank.md", b"  \n\t\r\n  ", "empty", id="whitespace"),
    pytest.param("latin1.txt", b"caf\xe9 au lait", "UTF-8", id="latin-1"),
    pytest.param("picture.png", b"\x89PNG\r\n\x1a\n", "unsupported", id="unsupported-suffix"),
    pytest.param("README", b"no suffix at all", "unsupported", id="no-suffix"),
]


@pytest.mark.parametrize("name, data, reason_word", BAD_FILES)
def test_bad_files_raise_load_error_with_path_and_reason(tmp_path, name, data, reason_word):
    if data is None:  # a valid PDF page with no text on it
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(612, 792)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    path = write(tmp_path, name, data)
    with pytest.raises(LoadError) as info:
        load_document(path)
    err = info.value
    assert str(path) in str(err)
    assert reason_word.lower() in err.reason.lower()
    assert err.reason in str(err)
    assert Path(err.path) == path


def test_latin1_error_names_the_offset(tmp_path):
    with pytest.raises(LoadError, match=r"offset 3"):
        load_document(write(tmp_path, "latin1.txt", b"caf\xe9"))


def test_missing_file_is_a_load_error(tmp_path):
    path = tmp_path / "missing.txt"
    with pytest.raises(LoadError) as info:
        load_document(path)
    assert str(path) in str(info.value)
    assert "read" in info.value.reason

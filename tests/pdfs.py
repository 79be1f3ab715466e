"""PDFs with real text for tests, built with pypdf's low-level objects (no other PDF library):
one page per list of lines, each line drawn in Helvetica, so pypdf reads the same lines back.

    >>> from pypdf import PdfReader
    >>> import io
    >>> reader = PdfReader(io.BytesIO(text_pdf([["First page."], ["Second page."]], title="Two")))
    >>> len(reader.pages), reader.pages[1].extract_text().strip(), reader.metadata["/Title"]
    (2, 'Second page.', 'Two')
"""

from __future__ import annotations

import io


def text_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A valid PDF of `pages` (each a list of lines of Latin-1 text), with `title` in its metadata."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    }))
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

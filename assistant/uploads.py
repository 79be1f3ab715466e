"""Files sent from a browser or over REST: what they may be named, what they really are, and where
they are kept (each collection's managed `uploads/` folder, never where a client chooses).

    >>> safe_upload_name("../../etc/passwd.txt"), safe_upload_name("C:\\\\Users\\\\me\\\\Q3 report (final).PDF")
    ('passwd.txt', 'Q3 report (final).pdf')
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

from index.documents import SUPPORTED_SUFFIXES, LoadError, load_document

from .errors import UploadError

UPLOADS_FOLDER = "uploads"
_MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w .,()&+@=-]")
# What a file that says it is text must not start with: the signatures of formats we do not read.
_BINARY_SIGNATURES = {
    b"%PDF-": "a PDF", b"PK\x03\x04": "a ZIP archive (an Office document?)", b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x7fELF": "a program", b"MZ": "a program",
    b"\xd0\xcf\x11\xe0": "an old Office document",
}


def safe_upload_name(name: str) -> str:
    """The name an upload is kept under: the last part of what the client sent (no folders, so no
    path traversal), its characters letters, digits and a few marks, its suffix in lower case, not
    hidden; UploadError (415) when nothing usable is left or the type is not one we read."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE.sub("_", "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")).strip()
    stem, dot, extension = base.rpartition(".")
    suffix = f".{extension.lower()}" if dot else ""
    stem = stem.strip(" .")
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(
            f"{name!r} is not a type we read ({suffix or 'no suffix'}); upload one of "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}", status=415,
        )
    stem = stem[: _MAX_NAME_CHARS - len(suffix)] or "upload"
    return stem + suffix


def validated_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """The safe name a file sent as `filename` is kept under, once its bytes were checked to be what
    that name says (415), few enough (413) and readable as a document (422): UploadError otherwise.
    Needs no index, so a file is refused before anything (a new collection, say) is made for it."""
    name = safe_upload_name(filename)
    check_upload(name, data, max_bytes)
    try:
        load_document(Path(name), data, name)  # (only its suffix is read: nothing is opened)
    except LoadError as exc:
        raise UploadError(f"{name} {exc.reason}", status=422) from None
    return name


def check_upload(name: str, data: bytes, max_bytes: int) -> None:
    """UploadError when the bytes cannot be what the name says (415), or are too many (413)."""
    if len(data) > max_bytes:
        raise UploadError(
            f"{name} is {len(data) / 2**20:.3g} MB, over the {max_bytes / 2**20:.3g} MB limit "
            "(ASSISTANT_MAX_FILE_MB)", status=413,
        )
    if not data:
        raise UploadError(f"{name} is empty: there is no text to index", status=422)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".pdf":
        if b"%PDF-" not in data[:1024]:
            raise UploadError(f"{name} is named .pdf but is not a PDF; upload the file itself", status=415)
        return
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UploadError(f"{name} is named {suffix} but is {what}; upload it with its own type", status=415)
    if b"\x00" in data[:8192]:
        raise UploadError(f"{name} is named {suffix} but is binary, not text", status=415)

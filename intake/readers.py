"""An article's text from what staff give: a paste, or a .txt, .html, .docx or .pdf file.

Every refusal is an ``IntakeRefused`` naming the form field it belongs to and a message a
person can act on; nothing is read further and nothing is saved.

HTML and .docx are read with the standard library (``html.parser``; a .docx is a zip of
XML whose paragraphs are ``w:p`` and runs ``w:t``), so neither needs a dependency; PDF with
pypdf, which the project already pins for signed scans.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

from django.utils.translation import gettext as _

MAX_TEXT_CHARS = 1_000_000  # characters of text: a long article is 20 000
MAX_FILE_BYTES = 5 * 1024 * 1024
EXTENSIONS = (".txt", ".html", ".htm", ".docx", ".pdf")


class IntakeRefused(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)


def too_long_message(size: int | None = None) -> str:
    if size is None:
        return _("The text is too long; an article may have at most %(limit)s characters.") % {
            "limit": f"{MAX_TEXT_CHARS:,}"
        }
    return _(
        "The text is too long (%(size)s characters); an article may have at most %(limit)s."
    ) % {"size": f"{size:,}", "limit": f"{MAX_TEXT_CHARS:,}"}


def too_large_message(size: int | None = None) -> str:
    if size is None:
        return _("The file is too large; it may have at most %(limit)s bytes.") % {
            "limit": f"{MAX_FILE_BYTES:,}"
        }
    return _("The file is too large (%(size)s bytes); it may have at most %(limit)s.") % {
        "size": f"{size:,}",
        "limit": f"{MAX_FILE_BYTES:,}",
    }


def check_text(text: str, field: str = "text") -> str:
    """The text with its line ends tidied, or a refusal when empty or too long."""
    text = (text or "").replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise IntakeRefused(field, _("The article is empty: paste its text or upload a file."))
    if len(text) > MAX_TEXT_CHARS:
        raise IntakeRefused(field, too_long_message(len(text)))
    return text


def read_upload(name: str, data: bytes) -> str:
    """The text of an uploaded file, by its extension."""
    field = "file"
    if len(data) > MAX_FILE_BYTES:
        raise IntakeRefused(field, too_large_message(len(data)))
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise IntakeRefused(
            field,
            _("UniBridge reads .txt, .html, .docx and .pdf files, not “%(name)s”.")
            % {"name": name},
        )
    if extension == ".pdf":
        text = _pdf(data)
    elif extension == ".docx":
        text = _docx(data)
    else:
        text = _decode(data)
        if extension in (".html", ".htm"):
            text = _html(text)
    return check_text(text, field)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise IntakeRefused("file", _("This file holds binary data, not text."))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for ch in text[:4096] if ch.isprintable() or ch in "\n\r\t")
        if printable < 0.95 * len(text[:4096]):
            break
        return text
    raise IntakeRefused("file", _("This file holds binary data, not text."))


class _TextOfHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "article", "section"}
    SKIP = {"script", "style", "noscript", "nav", "footer", "header", "aside"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)


def _html(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    body = "".join(parser.parts)
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in body.splitlines()]
    text = "\n".join(line for line in lines if line)
    title = parser.title.strip()
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return text


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = archive.read("word/document.xml")
        root = ElementTree.fromstring(document)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise IntakeRefused(
            "file", _("This is not a Word document (.docx) UniBridge can read.")
        ) from None
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in root.iter(f"{_W}p")]
    return "\n".join(p for p in paragraphs if p.strip())


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError):
        raise IntakeRefused("file", _("This PDF cannot be read; it may be damaged.")) from None
    if not text.strip():
        raise IntakeRefused(
            "file",
            _(
                "This PDF holds no text (it is probably a scan): copy the article's text "
                "from its web page instead."
            ),
        )
    return text

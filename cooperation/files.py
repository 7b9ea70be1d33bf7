"""Uploaded documents: signed agreement scans are PDF files, checked by their content."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


def max_document_bytes() -> int:
    return int(getattr(settings, "UNIBRIDGE_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024))


def validate_pdf(value) -> None:
    """Refuse an upload that is too large, does not start as a PDF does, or that a PDF
    reader cannot open. Only a new upload is read: a stored file passed these checks."""
    if getattr(value, "_committed", False):
        return
    limit = max_document_bytes()
    if value.size is not None and value.size > limit:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
        )
    value.seek(0)
    head = value.read(len(PDF_MAGIC))
    value.seek(0)
    # The name and the browser's content type are the sender's claim; the bytes are not.
    if head != PDF_MAGIC:
        raise ValidationError(
            _("This file is not a PDF document. Upload the signed scan as a PDF."),
            code="not_pdf",
        )
    from pypdf import PdfReader  # imported here: only uploads need it

    try:
        reader = PdfReader(value, strict=False)
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean the same here
        logger.info("Refused an unreadable PDF upload: %s", exc)
        raise ValidationError(
            _("This PDF is damaged or unreadable. Save it again as a PDF and upload that."),
            code="bad_pdf",
        ) from exc
    finally:
        value.seek(0)


def safe_download_name(stem: str, *, extension: str = "pdf", max_length: int = 80) -> str:
    """An ASCII file name from a title (Cyrillic is transliterated away by slugify's
    ASCII mode, so keep a fallback), with no path, quote or control character in it."""
    slug = slugify(stem)[:max_length].strip("-") or "document"
    return f"{slug}.{extension}"

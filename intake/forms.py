"""The article intake form: a paste or a file, and what staff know of the source."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import extraction as ex
from .readers import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    IntakeRefused,
    check_text,
    read_upload,
    too_large_message,
    too_long_message,
)
from .services import propose


class ArticleForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        label=gettext_lazy("Article text"),
        widget=forms.Textarea(attrs={"rows": 14, "data-max": MAX_TEXT_CHARS}),
    )
    file = forms.FileField(
        required=False,
        label=gettext_lazy("or a file"),
        help_text=gettext_lazy(".txt, .html, .docx or .pdf, at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".txt,.html,.htm,.docx,.pdf", "data-max": MAX_FILE_BYTES}
        ),
    )
    title = forms.CharField(required=False, max_length=500, label=gettext_lazy("Title"))
    url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label=gettext_lazy("URL")
    )
    publisher = forms.CharField(required=False, max_length=200, label=gettext_lazy("Publisher"))
    published_on = forms.DateField(required=False, label=gettext_lazy("Published on"))

    extraction: ex.Extraction | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser says the same as the server before sending too much (intake.js).
        self.fields["text"].widget.attrs["data-message"] = too_long_message()
        self.fields["file"].widget.attrs["data-message"] = too_large_message()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        upload = data.get("file")
        try:
            if upload:
                text = read_upload(upload.name, upload.read())
            else:
                text = check_text(data.get("text", ""))
        except IntakeRefused as refused:
            self.add_error(refused.field, refused.message)
            return data
        data["text"] = text
        field = "file" if upload else "text"
        try:
            self.extraction = propose(
                text,
                url=data.get("url") or "",
                publisher=data.get("publisher") or "",
                published_on=data.get("published_on"),
                title=data.get("title") or "",
            )
        except ex.OtherLanguage:
            self.add_error(
                field,
                _(
                    "This article is not in Russian, English, Kazakh or Azerbaijani, the "
                    "languages UniBridge reads; nothing was proposed."
                ),
            )
        except ex.NothingRelevant:
            self.add_error(
                field,
                _(
                    "This article names no institution, event, person or figure of "
                    "academic cooperation; nothing was proposed."
                ),
            )
        return data

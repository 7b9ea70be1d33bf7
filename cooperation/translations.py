"""The register's content in the reader's language (issue 15).

A text that the register keeps in English (an agreement's or an event's title, a
scholarship programme's name, a city) has its translations beside it, in a JSON object
``<field>_translations`` ({"ru": "...", "kk": "...", "az": "..."}, a ``TranslationsField``),
one key per language of ``settings.LANGUAGES`` other than the default (English).

The text shown to a reader is the first of ``shown_languages(language)`` that has a
translation, else the English text: a Kazakh reader sees the Kazakh title, else the
Russian one, else the English; an Azerbaijani reader the Azerbaijani title, else the
English. The same order shows institutions' names (``universities.models``). Everything
reads it from here:

- in Python: ``localized(instance, "title")`` (the models' ``localized_title()``...);
- in SQL, to sort or annotate: ``localized_expression("title")`` and ``localized_order``
  (in the reader's alphabet, ``cooperation.collation``);
- to search: ``translations_contain("title", word)``, the casefolded ``icontains`` of every
  translation (``cooperation.lookups``; on PostgreSQL served by a trigram index on each
  key, ``translations_trigram_index``);
- forms: ``translations_form`` gives the admin one text box per language ("Title
  (Русский)"); the API: ``TranslationsSerializerField``, validated by the model field;
- pages: the text shown is a ``ShownText``, which knows its language; ``in_its_language``
  (the template filter ``|in_its_language``, and the tables' columns) marks it with a
  ``lang`` attribute where it is not the page's language (an English title on a Russian
  page), so that screen readers and hyphenation read it as what it is.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

# The languages a reader of each interface language is shown a text in, in order, before
# the English text: Kazakh readers read Russian more readily than English; Azerbaijani
# readers English. Institutions' names follow the same order (universities.models).
SHOWN_LANGUAGES: dict[str, tuple[str, ...]] = {
    "en": (),
    "ru": ("ru",),
    "kk": ("kk", "ru"),
    "az": ("az",),
}


def shown_languages(language: str | None = None) -> tuple[str, ...]:
    """The translations shown in ``language`` (the interface's by default), in order."""
    return SHOWN_LANGUAGES.get((language or get_language() or "en")[:2], ())


def translation_languages() -> tuple[str, ...]:
    """The keys a translations field holds: the interface languages but the default one."""
    default = settings.LANGUAGE_CODE[:2]
    return tuple(code for code, _name in settings.LANGUAGES if code != default)


TRANSLATIONS_HELP = _(
    "Shown to readers of that language; left empty, they read another language's text "
    "(Kazakh readers the Russian one first), else the English."
)


def translations_name(field: str) -> str:
    return f"{field}_translations"


# --------------------------------------------------------------------------- the model field


def validate_translations(value) -> None:
    """A JSON object whose keys are among ``translation_languages()`` and whose values are
    texts."""
    languages = translation_languages()
    if not isinstance(value, dict):
        raise ValidationError(
            _("Give the translations as an object of language codes (%(languages)s) and texts."),
            code="invalid",
            params={"languages": ", ".join(languages)},
        )
    unknown = sorted(str(key) for key in value if key not in languages)
    if unknown:
        raise ValidationError(
            _("Unknown language: %(unknown)s. Translations are in %(languages)s."),
            code="invalid",
            params={"unknown": ", ".join(unknown), "languages": ", ".join(languages)},
        )
    for code, text in value.items():
        if not isinstance(text, str):
            raise ValidationError(
                _("The translation in “%(language)s” must be a text."),
                code="invalid",
                params={"language": code},
            )


class TranslationsField(models.JSONField):
    """The translations of the text field ``of`` of the same model (see the module)."""

    def __init__(self, verbose_name=None, *, of: str = "", **kwargs) -> None:
        self.of = of
        kwargs.setdefault("default", dict)
        # The database's own default too: a raw INSERT or COPY that does not name the column
        # (bench/generate.py, other tools) stores no translations rather than failing.
        kwargs.setdefault("db_default", Value({}, output_field=models.JSONField()))
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [validate_translations])
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for key, value in (("default", dict), ("blank", True)):
            if kwargs.get(key) == value:
                del kwargs[key]
        if kwargs.get("validators") == [validate_translations]:
            del kwargs["validators"]
        default = kwargs.get("db_default")
        if isinstance(default, Value) and default.value == {}:
            del kwargs["db_default"]
        return name, path, args, kwargs

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        limit = model_instance._meta.get_field(self.of).max_length if model_instance else None
        if limit and isinstance(value, dict):
            for code, text in value.items():
                if isinstance(text, str) and len(text) > limit:
                    raise ValidationError(
                        _(
                            "The translation in “%(language)s” has %(length)d characters; "
                            "at most %(limit)d."
                        ),
                        code="max_length",
                        params={"language": code, "length": len(text), "limit": limit},
                    )

    def pre_save(self, model_instance, add):
        # Empty translations are left out: "no Kazakh title" is one thing, not two.
        value = super().pre_save(model_instance, add)
        if isinstance(value, dict):
            value = {code: text.strip() for code, text in value.items() if (text or "").strip()}
            setattr(model_instance, self.attname, value)
        return value


def translations_fields(model) -> list[TranslationsField]:
    return [field for field in model._meta.get_fields() if isinstance(field, TranslationsField)]


# --------------------------------------------------------------------------- showing


class ShownText(str):
    """A text as a reader is shown it, with the language it is written in (``language``,
    a BCP 47 code): what ``localized`` and the models' ``localized_name`` return."""

    language: str

    def __new__(cls, text: str, language: str) -> ShownText:
        shown = super().__new__(cls, text)
        shown.language = language
        return shown

    def __reduce__(self):
        return (ShownText, (str(self), self.language))


def register_language() -> str:
    """The language the register's own texts are kept in (English: the default)."""
    return settings.LANGUAGE_CODE[:2]


def in_its_language(text) -> SafeString:
    """``text`` escaped for HTML, inside ``<span lang="...">`` when it is a ``ShownText``
    written in another language than the page's (``get_language()``)."""
    language = getattr(text, "language", None)
    page = (get_language() or settings.LANGUAGE_CODE)[:2]
    if not language or language.split("-")[0] == page:
        return conditional_escape(text)
    return format_html('<span lang="{}">{}</span>', language, str(text))


def localized(instance, field: str, language: str | None = None) -> ShownText:
    """``instance.<field>`` as shown in ``language`` (see the module)."""
    translations = getattr(instance, translations_name(field)) or {}
    for code in shown_languages(language):
        text = translations.get(code)
        if text:
            return ShownText(text, code)
    return ShownText(getattr(instance, field), register_language())


def localized_expression(field: str, language: str | None = None, prefix: str = ""):
    """``localized`` in SQL, for the rows of a queryset (or a relation, ``prefix`` e.g.
    ``"event__"``): the first non-empty translation of ``shown_languages``, else the text."""
    translations = f"{prefix}{translations_name(field)}"
    texts = [
        NullIf(KeyTextTransform(code, translations), Value(""))
        for code in shown_languages(language)
    ]
    if not texts:
        return F(f"{prefix}{field}")
    return Coalesce(*texts, F(f"{prefix}{field}"), output_field=models.TextField())


def localized_order(field: str, language: str | None = None, prefix: str = ""):
    """What ``localized_expression`` shows, collated in the reader's alphabet: sort by
    it, or annotate it to sort by name (``shown_title``) in the admin."""
    from .collation import InLanguageOrder

    return InLanguageOrder(localized_expression(field, language, prefix), language)


def shown_ordering(model, name: str):
    """An ordering (``title``, ``-title``) by what the reader is shown: a translated field of
    ``model`` through ``localized_order`` (the rule of the pages' ``?sort=``), any other
    field as it is named. The API's ``ordering`` (cooperation.api_defaults)."""
    field = name.lstrip("-")
    if not any(tf.of == field for tf in translations_fields(model)):
        return name
    order = localized_order(field)
    return order.desc() if name.startswith("-") else order.asc()


# --------------------------------------------------------------------------- searching


def translated_texts(field: str, prefix: str = "") -> list:
    """Each translation of ``field`` as an expression (NULL where there is none)."""
    name = f"{prefix}{translations_name(field)}"
    return [KeyTextTransform(code, name) for code in translation_languages()]


def translations_contain(field: str, word: str, prefix: str = "") -> Q:
    """Some translation of ``field`` holds ``word``, case aside in every script (the
    project's ``icontains``, cooperation.lookups)."""
    from .lookups import UnicodeIContains

    condition = Q()
    for text in translated_texts(field, prefix):
        condition |= Q(UnicodeIContains(text, word))
    return condition


def text_contains(field: str, word: str, prefix: str = "") -> Q:
    """``field`` or one of its translations holds ``word``."""
    return Q(**{f"{prefix}{field}__icontains": word}) | translations_contain(field, word, prefix)


def contains_condition(model, field: str, word: str, prefix: str = "") -> Q:
    """``field`` of ``model`` holds ``word``; with its translations when it has some."""
    if any(tf.of == field for tf in translations_fields(model)):
        return text_contains(field, word, prefix)
    return Q(**{f"{prefix}{field}__icontains": word})


def translations_trigram_index(table: str, field: str, name: str, languages: tuple[str, ...]):
    """One GIN trigram index over the casefold of the translations of ``field`` in
    ``languages`` (a migration names them: ``translation_languages()`` when it was
    written), one column each, PostgreSQL only: ``translations_contain`` reads each key
    through its column of the index (cooperation.search)."""
    from .search import PostgreSQLIndex, casefold_sql

    column = translations_name(field)
    keys = [f"(\"{column}\" ->> '{code}')" for code in languages]
    expressions = ", ".join(f"({casefold_sql(key)}) gin_trgm_ops" for key in keys)
    return PostgreSQLIndex(table, name, f"USING gin ({expressions})")


# --------------------------------------------------------------------------- forms and API


def language_label(label, code: str):
    """ "Title (Русский)": a field's label with the language written in itself."""
    return format_lazy("{} ({})", capfirst(label), get_language_info(code)["name_local"])


def translation_field_names(field: str) -> list[str]:
    """The form fields of ``translations_form`` for ``field``: title_ru, title_kk, ..."""
    return [f"{field}_{code}" for code in translation_languages()]


class TranslationsFormMixin:
    """Fills the per-language boxes from the instance and writes them back to it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for translations in translations_fields(self._meta.model):
            current = getattr(self.instance, translations.attname, None) or {}
            for code in translation_languages():
                name = f"{translations.of}_{code}"
                if name in self.fields:
                    self.fields[name].initial = current.get(code, "")

    def _post_clean(self) -> None:
        for translations in translations_fields(self._meta.model):
            names = {code: f"{translations.of}_{code}" for code in translation_languages()}
            if not any(name in self.fields for name in names.values()):
                continue
            current = dict(getattr(self.instance, translations.attname, None) or {})
            for code, name in names.items():
                if name in self.fields and name in self.cleaned_data:
                    current[code] = self.cleaned_data[name]
            setattr(
                self.instance,
                translations.attname,
                {code: text for code, text in current.items() if text},
            )
        super()._post_clean()


def translations_form(model, form: type[forms.ModelForm] = forms.ModelForm) -> type:
    """``form`` with a text box per language for each translated field of ``model``, named
    ``<field>_<language>`` (``translation_field_names``) and labelled "Title (Русский)"."""
    declared = {}
    for translations in translations_fields(model):
        base = model._meta.get_field(translations.of)
        for code in translation_languages():
            declared[f"{translations.of}_{code}"] = forms.CharField(
                label=language_label(base.verbose_name, code),
                required=False,
                max_length=base.max_length,
                # As wide as the English text's box (the admin's class for a CharField).
                widget=forms.TextInput(attrs={"class": "vTextField"}),
            )
    return type(form)(
        f"Translated{form.__name__}",
        (TranslationsFormMixin, form),
        {"__module__": form.__module__, **declared},
    )

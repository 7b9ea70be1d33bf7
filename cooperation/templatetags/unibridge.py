from django import template

from cooperation import register_cache
from cooperation.translations import in_its_language as _in_its_language

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    query.pop("page", None)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def reader_fragment(context, template_name: str, **values) -> str:
    """{% reader_fragment "reader/site_header.html" %}: the part of a page that depends on
    its reader's rights, drawn from the request and ``values`` alone; a hole filled for each
    reader when the page is served from the cache (cooperation.register_cache)."""
    return register_cache.fragment_or_hole(template_name, values, context.get("request"))


@register.filter
def in_its_language(text):
    """{{ agreement.localized_title|in_its_language }}: the text, marked with its language
    (``lang``) where that is not the page's (cooperation.translations.in_its_language)."""
    return _in_its_language(text)

import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext

from .. import labels
from ..selectors import label_count_name

register = template.Library()


@register.filter
def per_label(counts) -> list:
    """(label, count) for every label in the registry's order, from a dict of counts by key
    or from an article annotated by `selectors.with_label_counts` (n_verified, …)."""
    if isinstance(counts, dict):
        return [(label, counts.get(label.key, 0)) for label in labels.LABELS]
    return [(label, getattr(counts, label_count_name(label.key), 0)) for label in labels.LABELS]


@register.simple_tag
def label_keys() -> str:
    """The keys that tag, for a sentence: "<kbd>V</kbd> verified, … or <kbd>U</kbd> …"."""
    items = [
        format_html("<kbd>{}</kbd> {}", label.letter, str(label.name).lower())
        for label in labels.LABELS
    ]
    last_word = conditional_escape(gettext("or"))
    return mark_safe(get_text_list(items, last_word))  # noqa: S308 - each part is escaped


@register.filter
def all_errors(form) -> str:
    """Every error of a form as readable sentences, hidden fields included."""
    from ..forms import form_errors

    return form_errors(form)


@register.filter
def http_url(value) -> str:
    """The link if it is http(s), else nothing: a `javascript:` or `data:` URL that got into
    the database some other way is never rendered as a live link."""
    from urllib.parse import urlsplit

    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""


_MARKER = 987_654_321_987_654_321  # stands in for the id while a URL pattern is reversed


@functools.cache
def _url_around_id(name: str, prefix: str) -> tuple[str, str]:
    url = reverse(name, args=[_MARKER])
    head, _, tail = url.partition(str(_MARKER))
    return head, tail


@register.simple_tag
def id_url(name: str, pk) -> str:
    """`{% url name pk %}` for the hot loops (the claim list): the pattern is reversed once
    per URL name, then only the id changes. The same URLs, a tenth of the cost."""
    head, tail = _url_around_id(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"

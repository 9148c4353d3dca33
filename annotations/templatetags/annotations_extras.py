from django import template

register = template.Library()


@register.filter
def all_errors(form) -> str:
    """Every error of a form as readable sentences, hidden fields included."""
    from ..views.common import form_errors

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

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
def word_diff(old, new) -> list[tuple[str, str]]:
    """`{% for op, text in old|word_diff:new %}`: the word diff of a claim's quotes
    (anchoring.word_diff), each piece to be escaped by the template."""
    from ..anchoring import word_diff as diff

    return diff(str(old or ""), str(new or ""))


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


def grade_meaning(reliability: str = "", credibility: int | str | None = None) -> str:
    """What an Admiralty grade says, in words: "Reliability B: usually reliable; credibility
    2: probably true". Built from the model's choices, so the words are theirs (and
    translated with them); a letter or number the scale no longer has is shown as it is."""
    from ..models import Credibility, Reliability

    letter = str(reliability or "")
    number = str(credibility or "")
    reliability_text = str(Reliability(letter).label) if letter in Reliability.values else letter
    credibility_text = (
        str(Credibility(int(number)).label)
        if number.isdigit() and int(number) in Credibility.values
        else number
    )
    if letter and number:
        return gettext("Reliability %(reliability)s; credibility %(credibility)s") % {
            "reliability": reliability_text,
            "credibility": credibility_text,
        }
    if letter:
        return gettext("Reliability %(reliability)s") % {"reliability": reliability_text}
    if number:
        return gettext("Credibility %(credibility)s") % {"credibility": credibility_text}
    return ""


@register.simple_tag
def grade(reliability: str = "", credibility: int | str | None = None) -> str:
    """A source's reliability letter, or a claim's grade ("B2"), as a neutral chip whose
    accessible name and tooltip say what it means: `{% grade source.reliability %}`,
    `{% grade claim.source.reliability claim.credibility %}`. A grade that cannot be judged
    (F, 6) is drawn dashed, so that an F next to a verdict does not read like "fail"."""
    code = f"{reliability or ''}{credibility or ''}"
    if not code:
        return ""
    meaning = grade_meaning(reliability, credibility)
    from ..models import Credibility, Reliability

    unjudged = reliability == Reliability.F or str(credibility or "") == str(
        Credibility.CANNOT_JUDGE.value
    )
    return format_html(
        '<span class="grade{}" role="img" aria-label="{}" title="{}">{}</span>',
        " grade-unjudged" if unjudged else "",
        meaning,
        meaning,
        code,
    )


@register.simple_tag
def label_patterns() -> str:
    """The chart bars' textures (labels.svg_patterns), once in a page that draws charts."""
    return mark_safe(labels.svg_patterns())  # noqa: S308 - built from the checked registry

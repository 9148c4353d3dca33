"""Reliability letters and Admiralty grades read as grades, wherever they are shown: a neutral
chip whose accessible name and tooltip say what it means ("Reliability F: reliability cannot
be judged"), never a bare letter that reads like a school mark."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from annotations.models import Credibility, Reliability
from annotations.templatetags.annotations_extras import grade_meaning
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

B2 = "Reliability B: usually reliable; credibility 2: probably true"
F = "Reliability F: reliability cannot be judged"


def _chip(meaning: str, code: str, unjudged: bool = False) -> str:
    cls = "grade grade-unjudged" if unjudged else "grade"
    return f'<span class="{cls}" role="img" aria-label="{meaning}" title="{meaning}">{code}</span>'


def _render(text: str, **context) -> str:
    return Template("{% load annotations_extras %}" + text).render(Context(context))


def test_the_meaning_comes_from_the_models_choices():
    assert grade_meaning("B", 2) == B2
    assert grade_meaning("F") == F
    assert grade_meaning("", 6) == "Credibility 6: truth cannot be judged"
    assert grade_meaning("A", "1") == (
        "Reliability A: completely reliable; credibility 1: confirmed by other sources"
    )
    assert grade_meaning("", None) == ""
    # a letter the scale no longer has (old history) is shown as it is
    assert grade_meaning("Z") == "Reliability Z"


def test_the_meaning_is_translatable():
    """The words are the choices' labels (lazy, so in the reader's language) put in a
    sentence that gettext translates."""
    assert all(isinstance(label, Promise) for _, label in Reliability.choices)
    assert all(isinstance(label, Promise) for _, label in Credibility.choices)
    with translation.override("en"):
        assert grade_meaning("C", 3) == (
            "Reliability C: fairly reliable; credibility 3: possibly true"
        )


def test_the_chip_names_the_grade_and_keeps_the_code_visible():
    assert _render("{% grade 'B' 2 %}") == _chip(B2, "B2")
    assert _render("{% grade 'B' %}") == _chip("Reliability B: usually reliable", "B")
    # F (and 6) cannot be judged: a dashed neutral chip, not a failing mark
    assert _render("{% grade 'F' %}") == _chip(F, "F", unjudged=True)
    assert 'class="grade grade-unjudged"' in _render("{% grade 'B' 6 %}")
    assert _render("{% grade '' None %}") == ""


def test_the_chip_escapes_what_it_is_given():
    html = _render("{% grade letter %}", letter='"><script>')
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_every_page_that_shows_a_grade_shows_the_chip(client, reviewer):
    newcomer = SourceFactory(name="Local residents", reliability="F", review_status="pending")
    sbu = SourceFactory(name="SBU", reliability="B")
    article = ArticleFactory()
    AnnotationFactory(article=article, label="verified", source=newcomer)
    AnnotationFactory(
        article=article, label="disputed", source=sbu, credibility=2, quote_text="Ірина"
    )
    client.force_login(reviewer)
    b = _chip("Reliability B: usually reliable", "B")
    expected = {
        article.get_absolute_url(): [_chip(F, "F", unjudged=True), _chip(B2, "B2")],
        reverse("annotations:claim-list"): [_chip(F, "F", unjudged=True), _chip(B2, "B2")],
        reverse("annotations:source-list"): [_chip(F, "F", unjudged=True), b],
        reverse("annotations:dashboard"): [_chip(F, "F", unjudged=True), b],
        sbu.get_absolute_url(): [b, _chip(B2, "B2")],  # its grade, and its claims' grades
        reverse("annotations:source-picker") + "?source_q=Local": [_chip(F, "F", unjudged=True)],
    }
    for url, chips in expected.items():
        html = client.get(url).content.decode()
        for chip in chips:
            assert chip in html, (url, chip)
        # and nowhere a bare grade without its meaning
        assert not re.search(r'<span class="grade[^"]*">', html), url

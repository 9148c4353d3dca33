"""The demo's promise (issue 22): tagging the Dnipro toll in the English article suggests
the Ukrainian article's claim on the same toll, which the desk verified."""

import pytest
from django.core.management import call_command

from annotations import shared
from annotations.models import Article

pytestmark = pytest.mark.django_db


def test_the_toll_in_the_second_demo_article_suggests_the_first(capsys):
    call_command("load_demo")
    english = Article.objects.get(outlet="Eastern Ledger")
    quote = "Seven people were killed and 23 injured"
    assert quote in english.body
    found = shared.suggestions(quote, language=english.language, exclude_article=english.pk)
    assert found, "no suggestion"
    first = found[0].claim
    assert first.article.outlet == "Kyiv Evening"
    assert first.quote == "загинули 7 людей, ще 23 отримали поранення"
    assert first.label == "verified"

"""The demo's promise (issue 23): the demo war article's attributed and hedged claims are
found as suggestions, with sensible sources. Checked against the claims the demo tags on it
(the engine is run on the article as loaded; the page leaves out what is tagged already).

Written against the engine's interface only: it runs the real rules
(`annotations.suggesting`)."""

import re

import pytest
from django.core.management import call_command

from annotations import names, suggesting
from annotations.models import Annotation, Article, Source

pytestmark = pytest.mark.django_db

WAR_ARTICLE = "https://example.org/frontline-wire/kharkiv-energy-strike"


def _sensible(suggestion: suggesting.Suggestion, claim: Annotation) -> bool:
    """The suggestion names the claim's source: the same registry source, or a name that
    matches one of its names or aliases (the name matcher), or holds one as a word."""
    if suggestion.source_id is not None:
        return suggestion.source_id == claim.source_id
    said = suggestion.source_name
    for name in claim.source.aliases.values_list("name", flat=True):
        if names.match(said, name) or re.search(rf"\b{re.escape(name)}\b", said, re.I):
            return True
    return False


def test_the_demo_war_article_suggests_its_claims_with_sensible_sources(capsys):
    call_command("load_demo")
    article = Article.objects.get(url=WAR_ARTICLE)
    found = suggesting.suggest_for_article(article)
    assert found, "no suggestion on the demo war article"
    assert all(article.body[s.start : s.end] == s.quote for s in found)
    assert [s.start for s in found] == sorted(s.start for s in found)  # reading order
    claims = list(article.annotations.select_related("source"))
    matched = 0
    for claim in claims:
        over = [s for s in found if s.start < claim.end and claim.start < s.end]
        if not over:
            continue
        matched += 1
        if claim.label == "unattributed":
            assert any(s.label == "unattributed" for s in over), claim.quote
        elif claim.source_id:
            named = [s for s in over if s.source_name]
            assert any(_sensible(s, claim) for s in named), (claim.quote, named)
    # The SBU's figure (attributed) and the evacuation (hedged) at the least.
    assert matched >= 2, f"{matched} of {len(claims)} demo claims suggested"


def test_the_untagged_demo_article_offers_suggestions_to_accept(capsys):
    """A new user opens the demo article with no claims and finds suggestions to accept:
    attributed ones with registry sources (the SBU, the Russian Ministry of Defence) and a
    hedge."""
    call_command("load_demo")
    article = Article.objects.get(url="https://example.org/western-courier/lviv-rail-bridge")
    assert not article.annotations.exists()
    found = suggesting.suggest_for_article(article)
    assert len(found) >= 5
    registry = {
        s.source_id
        for s in found
        if s.source_id and s.source_name in ("The SBU", "The Russian Ministry of Defence")
    }
    wanted = Source.objects.filter(
        name__in=("Security Service of Ukraine", "Russian Ministry of Defence")
    ).values_list("pk", flat=True)
    assert registry == set(wanted)
    assert any(s.label == "unattributed" and not s.source_name for s in found)

"""The rules that live in the database: they hold even when code forgets them."""

import pytest
from django.db import IntegrityError, transaction

from annotations import services
from annotations.models import Annotation, Article, Source, SourceAlias
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, member

pytestmark = pytest.mark.django_db


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(**fields)


def test_database_refuses_start_not_before_end():
    article = ArticleFactory()
    base = {"article": article, "quote": "x", "label": "verified"}
    _refused(start=5, end=5, **base)
    _refused(start=6, end=5, **base)
    assert Annotation.objects.count() == 0


def test_database_refuses_unknown_label():
    _refused(article=ArticleFactory(), start=0, end=1, quote="S", label="true-ish")


def test_database_refuses_unattributed_claim_with_source():
    _refused(
        article=ArticleFactory(),
        start=0,
        end=1,
        quote="S",
        label="unattributed",
        source=SourceFactory(),
    )


def test_database_refuses_credibility_out_of_scale_and_non_http_evidence():
    article = ArticleFactory()
    _refused(article=article, start=0, end=1, quote="S", label="verified", credibility=7)
    _refused(
        article=article,
        start=0,
        end=1,
        quote="S",
        label="verified",
        evidence_url="javascript:alert(1)",
    )


def test_database_refuses_sources_whose_names_fold_alike():
    Source.objects.create(name="SBU", name_key="sbu")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Written past the services on purpose: the unique key alone must refuse it.
        Source.objects.create(name="sbu", name_key="sbu")


def test_cyrillic_names_clash_on_every_database():
    services.source_create(name="СБУ", user=member("desk", "Reviewer"))
    with pytest.raises(Exception, match="already exists"):
        services.source_create(name="сбу", user=member("desk", "Reviewer"))
    assert Source.objects.count() == 1


def test_names_and_aliases_are_unique_across_each_other():
    sbu = services.source_create(
        name="Security Service of Ukraine", user=member("desk", "Reviewer")
    )
    services.source_add_alias(source=sbu, name="SBU", user=member("desk", "Reviewer"))
    with pytest.raises(Exception, match="alias"):
        services.source_create(name="sbu", user=member("desk", "Reviewer"))
    with pytest.raises(IntegrityError), transaction.atomic():
        other = SourceFactory(name="Other")
        SourceAlias.objects.create(source=other, name="SBU ", name_key="sbu")


def test_article_url_unique_only_when_given():
    ArticleFactory(url="", body="one")
    ArticleFactory(url="", body="two")
    ArticleFactory(url="https://example.org/a", body="three")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(url="https://example.org/a", body="four")
    assert Article.objects.count() == 3


def test_article_body_normalised_on_the_way_in():
    article = services.article_create(
        user=member("desk", "Editor"), title=" T ", body="Line\r\nCafe\u0301\rEnd"
    )
    assert article.body == "Line\nCafé\nEnd"
    assert article.title == "T"
    assert len(article.body_hash) == 64


def test_history_is_recorded_for_all_models(editor):
    claim = AnnotationFactory(created_by=editor)
    services.annotation_update(
        annotation=claim,
        user=editor,
        label="verified",
        source=None,
        credibility=2,
        note="checked",
        evidence_url="",
    )
    assert [h.label for h in claim.history.all()] == ["verified", "disputed"]
    assert claim.history.first().history_user == editor
    assert Source.history.model and Article.history.model


def test_grade_reads_like_b2():
    source = SourceFactory(reliability="B")
    claim = AnnotationFactory(source=source, credibility=2, label="verified")
    assert claim.grade == "B2"


def test_choice_names_read_from_a_dict_built_once_are_djangos_own():
    """ChoiceDisplay's get_FOO_display gives what Django's gives: each choice's name in the
    active language, and a value without a choice as it is."""
    from django.db import models as django_models
    from django.utils import translation

    from annotations.models import Annotation, Source

    claim = Annotation(label="disputed", anchor_state="orphaned")
    source = Source(kind="government", review_status="pending")
    for language in ("en", "uk"):
        with translation.override(language):
            for obj, name in [(claim, "label"), (claim, "anchor_state"), (source, "kind"),
                              (source, "review_status")]:  # fmt: skip
                field = obj._meta.get_field(name)
                ours = getattr(obj, f"get_{name}_display")()
                assert ours == django_models.Model._get_FIELD_display(obj, field)
                assert ours != getattr(obj, name)  # a name, not the key
    claim.label = "not-a-label"
    assert claim.get_label_display() == "not-a-label"

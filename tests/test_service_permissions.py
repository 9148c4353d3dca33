"""Authorisation lives in the services: every write refuses a user whose role may not do it,
and a call without a signed-in user, whichever door called it (a page, the admin, a command,
a later API). The permission matrix checks the pages; this checks the services themselves."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from annotations import services
from annotations.services.imports import articles_import
from tests.factories import BODY, SourceFactory
from tests.test_bad_input import db_snapshot

pytestmark = pytest.mark.django_db
QUOTE = "31 of 38 drones were shot down"
CHANGED = "Residents had reportedly been evacuated"


@pytest.fixture
def scene(editor, reviewer, admin_user):
    article = services.article_create(user=editor, title="Strike", body=BODY)
    start = BODY.index(QUOTE)
    claim = services.annotation_create(
        article=article,
        user=editor,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        label="disputed",
    ).annotation
    source = SourceFactory(name="SBU", review_status="pending")
    other = SourceFactory(name="Security Service of Ukraine")
    services.annotation_delete(
        annotation=services.annotation_create(
            article=article, user=editor, start=0, end=6, quote="Strike", label="verified"
        ).annotation,
        user=editor,
    )
    from annotations.models import Annotation

    deletion = Annotation.history.filter(history_type="-").get().history_id
    # A claim whose words a correction changed ("quote changed", waiting for a reviewer),
    # set so directly: a correction here would move the article past version 1.
    start = BODY.index(CHANGED)
    changed = services.annotation_create(
        article=article,
        user=editor,
        start=start,
        end=start + len(CHANGED),
        quote=CHANGED,
        label="unattributed",
    ).annotation
    Annotation.objects.filter(pk=changed.pk).update(
        anchor_state="changed", anchor_reason="altered", original_quote="Residents were evacuated"
    )
    shared = services.shared_claim_link(claim=claim, other=changed, user=editor)
    return {
        "article": article,
        "claim": claim,
        "changed": changed,
        "shared": shared,
        "source": source,
        "other": other,
        "gone": deletion,
    }


CALLS = {
    "article_create": lambda s, u: services.article_create(user=u, title="T", body="Text."),
    "article_update_workflow": lambda s, u: services.article_update_workflow(
        article=s["article"], user=u, status="done", assignee=None
    ),
    "article_correct": lambda s, u: services.article_correct(
        article=s["article"], user=u, expected_version=1, body=BODY + " More."
    ),
    "article_delete": lambda s, u: services.article_delete(article=s["article"], user=u),
    "article_restore": lambda s, u: services.article_restore(article=s["article"], user=u),
    "annotation_create": lambda s, u: services.annotation_create(
        article=s["article"], user=u, start=0, end=6, quote="Strike", label="disputed"
    ),
    "annotation_update": lambda s, u: services.annotation_update(
        annotation=s["claim"],
        user=u,
        label="verified",
        source=None,
        credibility=None,
        note="",
        evidence_url="",
    ),
    "annotation_delete": lambda s, u: services.annotation_delete(annotation=s["claim"], user=u),
    "annotation_reattach": lambda s, u: services.annotation_reattach(
        annotation=s["claim"], user=u, start=0, end=6, quote="Strike"
    ),
    "annotation_restore": lambda s, u: services.annotation_restore(history_id=s["gone"], user=u),
    "annotation_accept_quote": lambda s, u: services.annotation_accept_quote(
        annotation=s["changed"], user=u, label="disputed", expected_quote=CHANGED
    ),
    "annotation_respan": lambda s, u: services.annotation_respan(
        annotation=s["claim"],
        user=u,
        start=BODY.index(QUOTE),
        end=BODY.index(QUOTE) + len(QUOTE) + 1,
        quote=QUOTE + ".",
        expected_quote=QUOTE,
    ),
    "source_create": lambda s, u: services.source_create(name="Rybar", user=u),
    "source_update": lambda s, u: services.source_update(source=s["source"], user=u, url=""),
    "source_review": lambda s, u: services.source_review(
        source=s["source"], user=u, decision="approved"
    ),
    "source_add_alias": lambda s, u: services.source_add_alias(
        source=s["source"], name="СБУ", user=u
    ),
    "source_merge": lambda s, u: services.source_merge(
        keep=s["other"], others=[s["source"]], user=u
    ),
    "articles_import": lambda s, u: articles_import([], user=u),
    "shared_claim_retitle": lambda s, u: services.shared_claim_retitle(
        shared_claim=s["shared"], title="31 of 38 drones downed", user=u
    ),
}

# Who may NOT make each call (DESIGN.md's roles table): the viewer never writes; the other
# editor owns neither the article nor the claim.
REFUSED = {
    "article_create": ["viewer"],
    "article_update_workflow": ["viewer"],
    "article_correct": ["viewer", "other_editor"],
    "article_delete": ["viewer", "other_editor"],
    "article_restore": ["viewer", "editor", "other_editor", "reviewer"],
    "annotation_create": ["viewer"],
    "annotation_update": ["viewer", "other_editor"],
    "annotation_delete": ["viewer", "other_editor"],
    "annotation_reattach": ["viewer", "editor", "other_editor"],
    "annotation_restore": ["viewer", "editor", "other_editor", "reviewer"],
    "annotation_accept_quote": ["viewer", "editor", "other_editor"],
    "annotation_respan": ["viewer", "other_editor"],
    "source_create": ["viewer"],
    "source_update": ["viewer", "editor", "other_editor"],
    "source_review": ["viewer", "editor", "other_editor"],
    "source_add_alias": ["viewer"],
    "source_merge": ["viewer", "editor", "other_editor"],
    "articles_import": ["viewer", "editor", "other_editor"],
    "shared_claim_retitle": ["viewer"],
}

CASES = [(name, who) for name, people in REFUSED.items() for who in [*people, None, "anonymous"]]


@pytest.mark.parametrize(("name", "who"), CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_a_service_refuses_who_may_not(scene, request, name, who):
    user = (
        None
        if who is None
        else AnonymousUser()
        if who == "anonymous"
        else request.getfixturevalue(who)
    )
    before = db_snapshot()
    with pytest.raises(PermissionDenied):
        CALLS[name](scene, user)
    assert db_snapshot() == before


@pytest.mark.parametrize("name", list(CALLS))
def test_an_admin_may_call_every_service(scene, admin_user, name):
    CALLS[name](scene, admin_user)  # no PermissionDenied (the call itself may do nothing)

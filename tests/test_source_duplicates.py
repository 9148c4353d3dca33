"""Source duplicates hinted (issue 18): the picker's "likely the same as", the review
queue's "possibly the same as", and the merge a reviewer reaches from there in one click,
which always asks first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import selectors, services
from annotations.models import Source
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db

PICKER = "annotations:source-picker"


@pytest.fixture
def hrw(editor, reviewer):
    source = services.source_create(name="Human Rights Watch", kind="ngo", user=editor)
    return services.source_review(
        source=source, user=reviewer, decision="approved", reliability="A"
    )


@pytest.fixture
def peskov(editor):
    source = services.source_create(name="Dmitry Peskov", kind="spokesperson", user=editor)
    services.source_add_alias(source=source, name="Kremlin spokesperson", user=editor)
    return source


def picker(client, term, **extra):
    response = client.get(reverse(PICKER), {"source_q": term, **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_initials_hint_the_source_before_propose(editor_client, hrw):
    html = picker(editor_client, "HRW")
    assert f'data-source-id="{hrw.pk}"' in html
    assert "Likely the same as “HRW”" in html and "initials" in html
    # The hint comes before the proposal, which says the hint was seen.
    assert html.index(f'data-source-id="{hrw.pk}"') < html.index("pick-new")
    assert "+ Propose “HRW” as a new source" in html


@pytest.mark.parametrize(
    ("term", "why"),
    [
        ("Peskov", "part of the name"),
        ("Песков", "part of the name"),
        ("Pieskow", "part of the name"),
    ],
)
def test_surname_and_transliteration_hint(editor_client, peskov, term, why):
    html = picker(editor_client, term)
    assert f'data-source-id="{peskov.pk}"' in html and why in html
    assert "pick-new" in html  # a likely match is a hint: the editor may still propose


def test_alias_that_matched_is_named(editor_client, peskov):
    html = picker(editor_client, "Kremlin spokesperson Peskov")
    assert f'data-source-id="{peskov.pk}"' in html
    assert "as “Kremlin spokesperson”" in html


@pytest.mark.parametrize(
    "term", ["Dmitry Peskov", "dmitry peskov", "Dmitry Peskov.", "DMITRY-PESKOV"]
)
def test_never_propose_right_under_an_exact_match(editor_client, peskov, term):
    html = picker(editor_client, term)
    assert f'data-source-id="{peskov.pk}"' in html
    assert "pick-new" not in html and "Propose" not in html
    assert "is a name of Dmitry Peskov: pick it above" in html


def test_exact_alias_is_not_proposed_either(editor_client, peskov):
    html = picker(editor_client, "kremlin spokesperson!")
    assert "pick-new" not in html and f'data-source-id="{peskov.pk}"' in html


def test_nothing_likely_proposes_plainly(editor_client, hrw):
    html = picker(editor_client, "Ukrainian Air Force")
    assert "Likely the same" not in html
    assert "+ Propose “Ukrainian Air Force” as a new source" in html


def test_hint_escapes_names(editor_client, editor):
    services.source_create(name="<b>Peskov</b> & Co", user=editor)
    html = picker(editor_client, "Peskov <i>")
    assert "<b>Peskov</b>" not in html and "&lt;b&gt;Peskov&lt;/b&gt;" in html
    assert "<i>" not in html


def test_renamed_source_is_matched_by_its_new_name(editor_client, reviewer, peskov):
    assert f'data-source-id="{peskov.pk}"' in picker(editor_client, "Pieskow")
    services.source_update(source=peskov, user=reviewer, name="Dmitry Sergeyevich Peskoff")
    html = picker(editor_client, "Sergeyevich")
    assert f'data-source-id="{peskov.pk}"' in html


def test_queue_says_possibly_the_same_and_offers_the_merge(client, reviewer, editor, peskov):
    duplicate = services.source_create(name="Песков", kind="spokesperson", user=editor)
    AnnotationFactory(source=duplicate)
    client.force_login(reviewer)
    html = client.get(reverse("annotations:review-queue")).content.decode()
    item = html[html.index(f'id="source-{duplicate.pk}"') :]
    assert "Possibly the same as" in item and "Dmitry Peskov" in item
    merge_url = reverse("annotations:source-merge", args=[peskov.pk])
    assert f'action="{merge_url}"' in item
    assert f'name="other" value="{duplicate.pk}"' in item

    # One click opens the confirmation; nothing is merged yet.
    response = client.post(merge_url, {"other": duplicate.pk, "from": "queue"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Merge “Песков” into “Dmitry Peskov”?" in page
    assert "cannot be undone" in page and 'name="confirm" value="1"' in page
    assert Source.objects.filter(pk=duplicate.pk).exists()

    # Confirmed: merged, and back to the queue.
    response = client.post(merge_url, {"other": duplicate.pk, "from": "queue", "confirm": "1"})
    assert response.status_code == 302 and response.url == reverse("annotations:review-queue")
    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert peskov.annotations.count() == 1
    assert peskov.aliases.filter(name="Песков").exists()


def test_confirmation_offers_the_other_way_round(client, reviewer, editor, peskov):
    duplicate = services.source_create(name="Peskov", user=editor)
    client.force_login(reviewer)
    merge_url = reverse("annotations:source-merge", args=[peskov.pk])
    page = client.post(merge_url, {"other": duplicate.pk}).content.decode()
    other_way = reverse("annotations:source-merge", args=[duplicate.pk])
    assert f'action="{other_way}"' in page and f'name="other" value="{peskov.pk}"' in page


def test_editors_see_no_merge_and_cannot_merge(client, editor, reviewer, peskov):
    duplicate = services.source_create(name="Peskov", user=editor)
    client.force_login(editor)
    assert client.get(reverse("annotations:review-queue")).status_code == 403
    html = client.get(duplicate.get_absolute_url()).content.decode()
    assert "Possibly the same as" not in html
    response = client.post(
        reverse("annotations:source-merge", args=[peskov.pk]), {"other": duplicate.pk}
    )
    assert response.status_code == 403
    assert Source.objects.filter(pk=duplicate.pk).exists()


def test_reviewer_sees_the_hint_on_a_source_page(client, reviewer, editor, peskov):
    duplicate = services.source_create(name="Pieskow", user=editor)
    client.force_login(reviewer)
    html = client.get(duplicate.get_absolute_url()).content.decode()
    assert "Possibly the same as" in html and "Dmitry Peskov" in html


def test_queue_hints_in_a_flat_number_of_queries(client, reviewer, editor, peskov):
    client.force_login(reviewer)
    url = reverse("annotations:review-queue")

    def queries():
        selectors.forget_name_index()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.source_create(name="Pieskow", user=editor)
    few = queries()
    for i in range(12):
        services.source_create(name=f"Channel{i:02d}", user=editor)
        services.source_create(name=f"Kyrylo Budanov {i:02d}", user=editor)
    assert queries() == few
    assert "Possibly the same as" in client.get(url).content.decode()


def test_index_is_kept_until_a_name_changes(editor_client, editor, peskov):
    picker(editor_client, "Peskov")
    with CaptureQueriesContext(connection) as ctx:
        picker(editor_client, "Peskov")
    kept = len(ctx.captured_queries)
    services.source_add_alias(source=peskov, name="Песков", user=editor)
    with CaptureQueriesContext(connection) as ctx:
        html = picker(editor_client, "Пєсков")
    assert len(ctx.captured_queries) == kept + 1  # the names read again, once
    assert f'data-source-id="{peskov.pk}"' in html

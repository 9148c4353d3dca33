"""Fifty editors tag one article at once while others edit and delete a claim (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Annotation, Source
from tests.factories import UserFactory, all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS, CLAIMS_EACH = 50, 20
PARAGRAPH = "Kyiv says {n} drones were shot down overnight; Moscow did not confirm it. "


def test_fifty_threads_create_twenty_claims_each_while_others_edit_and_delete(roles):
    editors = []
    for i in range(THREADS + 6):
        user = UserFactory(username=f"desk{i}")
        user.groups.add(roles["Editor"] if i < THREADS + 5 else roles["Reviewer"])
        editors.append(user)
    body = "".join(PARAGRAPH.format(n=n) + "\n" for n in range(THREADS * CLAIMS_EACH))
    article = services.article_create(user=editors[0], title="Busy day", body=body)
    contested = services.annotation_create(
        article=article, user=editors[-1], start=0, end=4, quote="Kyiv", label="disputed"
    ).annotation
    url = reverse("annotations:claim-create", args=[article.pk])
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS + 6)

    def tagger(index: int):
        client = Client()
        client.force_login(editors[index])
        barrier.wait()
        try:
            for k in range(CLAIMS_EACH):
                n = index * CLAIMS_EACH + k
                quote = f"{n} drones"
                start = body.index(PARAGRAPH.format(n=n)) + len("Kyiv says ")
                response = client.post(
                    url,
                    {
                        "start": start,
                        "end": start + len(quote),
                        "quote": quote,
                        "label": "disputed",
                        "version": article.version,
                    },
                    headers={"HX-Request": "true"},
                )
                with lock:
                    statuses.append(response.status_code)
        finally:
            connection.close()

    def editor_of_contested(index: int, delete: bool):
        client = Client()
        client.force_login(editors[-1])  # a reviewer may change anyone's claim
        barrier.wait()
        try:
            for k in range(10):
                if delete and k == 5:
                    response = client.post(
                        reverse("annotations:claim-delete", args=[contested.pk]),
                        headers={"HX-Request": "true"},
                    )
                else:
                    response = client.post(
                        reverse("annotations:claim-edit", args=[contested.pk]),
                        {"label": ("verified", "disputed")[k % 2], "note": f"edit {index}.{k}"},
                        headers={"HX-Request": "true"},
                    )
                with lock:
                    statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=tagger, args=(i,)) for i in range(THREADS)]
    threads += [threading.Thread(target=editor_of_contested, args=(i, i == 0)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert 500 not in statuses
    created = statuses[: THREADS * CLAIMS_EACH]
    assert statuses.count(200) >= THREADS * CLAIMS_EACH  # every create answered 200
    # Edits racing the delete may find it gone (404), never an error.
    assert set(statuses) <= {200, 404}
    claims = Annotation.objects.filter(article=article).exclude(pk=contested.pk)
    assert claims.count() == THREADS * CLAIMS_EACH
    article.refresh_from_db()
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.quote
    assert not Annotation.objects.filter(pk=contested.pk).exists()
    assert Annotation.history.filter(id=contested.pk, history_type="-").count() == 1
    assert len(created) == THREADS * CLAIMS_EACH


SENTENCES = "".join(
    f"Kyiv says {n} drones were shot down overnight; Moscow did not confirm it.\n"
    for n in range(10)
)


def _racers(n: int, roles):
    users = []
    for i in range(n):
        user = UserFactory(username=f"racer{i}")
        user.groups.add(roles["Editor"])
        users.append(user)
    return users


def test_the_same_save_sent_ten_times_at_once_stores_one_claim(roles):
    users = _racers(10, roles)
    article = services.article_create(user=users[0], title="Race", body=SENTENCES)
    quote = "3 drones"
    start = SENTENCES.index(quote)
    data = {
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "label": "disputed",
        "version": 1,
    }
    url = reverse("annotations:claim-create", args=[article.pk])
    client = Client()
    client.force_login(users[0])
    cookies = client.cookies

    def post(i):
        racer = Client()
        racer.cookies = cookies  # one editor, one session, the same POST ten times
        response = racer.post(url, data, headers={"HX-Request": "true"})
        return response.status_code, response.content.decode()

    answers = all_at_once(10, post)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [422] * 9, statuses
    for status, html in answers:
        if status == 422:
            assert "already tagged" in html
    assert Annotation.objects.filter(article=article).count() == 1


def test_ten_editors_proposing_one_new_source_at_once_keep_all_ten_claims(roles):
    users = _racers(10, roles)
    article = services.article_create(user=users[0], title="Race", body=SENTENCES)
    url = reverse("annotations:claim-create", args=[article.pk])

    def post(i):
        client = Client()
        client.force_login(users[i])
        quote = f"{i} drones"
        start = SENTENCES.index(f"says {i} drones") + len("says ")
        response = client.post(
            url,
            {
                "start": start,
                "end": start + len(quote),
                "quote": quote,
                "label": "disputed",
                "version": 1,
                "new_source_name": "Air Force of Ukraine",
                "new_source_kind": "military",
            },
            headers={"HX-Request": "true"},
        )
        return response.status_code

    assert all_at_once(10, post) == [200] * 10
    sources = list(Source.objects.filter(name="Air Force of Ukraine"))
    assert len(sources) == 1
    claims = Annotation.objects.filter(article=article)
    assert claims.count() == 10
    assert set(claims.values_list("source_id", flat=True)) == {sources[0].pk}

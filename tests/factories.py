import hashlib
import threading

import factory
from django.contrib.auth import get_user_model
from django.db import connection

from annotations import anchoring, names
from annotations.models import (
    Annotation,
    Article,
    Capture,
    CaptureBlob,
    Evidence,
    Source,
    SourceAlias,
)
from annotations.permissions import EDITOR, REVIEWER, VIEWER, ensure_groups

BODY = (
    "Strike on Kharkiv\n"
    "\n"
    "According to a Telegram post from the SBU, 31 of 38 drones were shot down.\n"
    "Russia’s Ministry of Defence said “all designated objects were struck”.\n"
    "\n"
    "Residents had reportedly been evacuated. 🇺🇦 Ірина said the windows came in."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Source {n}")
    name_key = factory.LazyAttribute(lambda o: names.fold_name(o.name))
    kind = Source.Kind.GOVERNMENT
    review_status = Source.Review.APPROVED
    reliability = "B"

    @factory.post_generation
    def primary_alias(obj, create, extracted, **kwargs):
        if create:
            SourceAlias.objects.get_or_create(
                source=obj, is_primary=True, defaults={"name": obj.name, "name_key": obj.name_key}
            )


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = BODY
    body_hash = factory.LazyAttribute(lambda o: anchoring.body_hash(o.body))
    outlet = "Frontline Wire"


class AnnotationFactory(factory.django.DjangoModelFactory):
    """A claim on the first occurrence of `quote` in the article's body."""

    class Meta:
        model = Annotation

    class Params:
        quote_text = "31 of 38 drones were shot down"

    article = factory.SubFactory(ArticleFactory)
    quote = factory.LazyAttribute(lambda o: o.quote_text)
    start = factory.LazyAttribute(lambda o: o.article.body.index(o.quote))
    end = factory.LazyAttribute(lambda o: o.start + len(o.quote))
    prefix = factory.LazyAttribute(lambda o: anchoring.context(o.article.body, o.start, o.end)[0])
    suffix = factory.LazyAttribute(lambda o: anchoring.context(o.article.body, o.start, o.end)[1])
    label = Annotation.Label.DISPUTED


def role_groups() -> dict:
    """The role groups (Viewer, Editor, Reviewer) by name, made with their permissions if
    need be."""
    from django.contrib.auth.models import Group

    ensure_groups()
    return {g.name: g for g in Group.objects.all()}


def member(username: str, role: str | None = None, *, roles: dict | None = None, **extra):
    """A user in one of the role groups (Viewer, Editor, Reviewer), created if need be.
    `roles`: the groups by name (`role_groups()`), if the caller has them already."""
    roles = roles or role_groups()
    user = UserFactory(username=username, **extra)
    if role:
        user.groups.add(roles[role])
    return user


# The suite's personas: fixture name -> username, role group, flags. The fixtures of these
# names (tests/conftest.py) and rows that a module makes once (conftest's
# `rows_for_a_module`) make them with `persona`, so they are the same users.
PERSONAS = {
    "viewer": ("viewer", VIEWER, {}),
    "editor": ("editor", EDITOR, {}),
    "other_editor": ("other_editor", EDITOR, {}),
    "reviewer": ("reviewer", REVIEWER, {"is_staff": True}),
    "admin_user": ("admin", None, {"is_staff": True, "is_superuser": True}),
    "nobody": ("nobody", None, {}),  # signed in, but in no group
}


def persona(name: str, roles: dict | None = None):
    """The user of persona `name` (a key of PERSONAS), created if need be."""
    username, role, extra = PERSONAS[name]
    return member(username, role, roles=roles, **extra)


def claim_by(user, article, quote: str, label: str = "disputed", **extra):
    """A claim on the first occurrence of `quote` in `article`, made through the service as
    `user` would make it (history, checks and all)."""
    from annotations import services

    start = article.body.index(quote)
    return services.annotation_create(
        article=article,
        user=user,
        start=start,
        end=start + len(quote),
        quote=quote,
        label=label,
        **extra,
    ).annotation


def evidence_for(claim, state: str, *, captured_at=(), url: str = "", **extra) -> Evidence:
    """`claim`'s evidence record in `state`, written directly (no fetch, no job), with a
    capture taken at each of `captured_at` (a datetime or several); the last is its current
    one. `url` is the link's (the claim's own by default: its current evidence)."""
    url = url or claim.evidence_url
    record = Evidence.objects.create(claim=claim, url=url, **extra)
    times = captured_at if isinstance(captured_at, list | tuple) else [captured_at]
    for when in times:
        payload = f"<html><body><p>{url} as served at {when}</p></body></html>".encode()
        warc = b"WARC/1.1 stand-in for " + payload
        blob, _ = CaptureBlob.objects.get_or_create(
            sha256=hashlib.sha256(warc).hexdigest(), defaults={"data": warc, "size": len(warc)}
        )
        text = f"{url} as served at {when}"
        record.current = Capture.objects.create(
            evidence=record,
            requested_url=url,
            final_url=url,
            http_status=200,
            content_type="text/html; charset=utf-8",
            captured_at=when,
            payload_sha256=hashlib.sha256(payload).hexdigest(),
            payload_size=len(payload),
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            warc=blob,
        )
    record.state = state
    record.save()
    return record


def all_at_once(n: int, work) -> list:
    """Run work(i) in n threads released together by a barrier, each with its own database
    connection (PostgreSQL race tests); their answers in order."""
    answers: list = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            answers[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers

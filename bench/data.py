"""The bench's data: text, spans as editors select them, the bench user and sources,
articles with claims, what one run shares between its rows, and the clean-up.

Everything the bench writes is marked so it can be found and removed again, and nothing
else is touched: articles carry the outlet `BENCH_OUTLETS`, users and sources a
`make-bench` name.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django_tasks_db.models import DBTaskResult

from annotations import anchoring, names
from annotations.models import (
    Annotation,
    Article,
    Capture,
    CaptureBlob,
    ClaimTerm,
    Evidence,
    JobKey,
    Source,
    SourceAlias,
    TermsPending,
    WebhookDelivery,
    WebhookEndpoint,
)

BENCH_OUTLET = "make bench"
EXPORT_OUTLET = "make bench (export)"
BENCH_OUTLETS = (BENCH_OUTLET, EXPORT_OUTLET)
USER_PREFIX = "make-bench-"
SOURCE_PREFIX = "make-bench source "
WEBHOOK_NAME = "make-bench webhook"


# --- Text ------------------------------------------------------------------------------------

WORDS = [
    "Kyiv",
    "says",
    "air",
    "defence",
    "downed",
    "drones",
    "overnight",
    "near",
    "Kharkiv",
    "according",
    "to",
    "officials",
    "Moscow",
    "did",
    "not",
    "confirm",
    "the",
    "figures",
    "residents",
    "reportedly",
    "evacuated",
    "shelling",
    "port",
    "Київ",
    "повідомив",
    "про",
    "збиті",
    "дрони",
    "🇺🇦",
    "“quoted”",
    "—",
    "front",
    "line",
]


def article_text(rng: random.Random, size: int) -> str:
    paragraphs, length = [], 0
    while length < size:
        sentence_count = rng.randint(2, 5)
        paragraph = " ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(sentence_count)
        )
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size].rstrip()


def spans(rng: random.Random, body: str, n: int) -> list[tuple[int, int]]:
    """Random spans of 10-160 characters that neither start nor end with whitespace, all
    different (one passage, verdict and source is one claim)."""
    result: dict[tuple[int, int], None] = {}
    while len(result) < n:
        start = rng.randrange(0, len(body) - 200)
        end = start + rng.randint(10, 160)
        text = body[start:end]
        if text.strip() == text and text:
            result[start, end] = None
    return list(result)


class WordSpans:
    """Spans from the start of a word to the end of a word, as a reader selects them."""

    def __init__(self, body: str):
        self.body = body
        n = len(body)
        self.starts = [
            i for i in range(n) if not body[i].isspace() and (i == 0 or body[i - 1].isspace())
        ]
        self.ends = [
            i
            for i in range(1, n + 1)
            if not body[i - 1].isspace() and (i == n or body[i].isspace())
        ]

    def pick(
        self, rng: random.Random, lo: int = 10, hi: int = 160, *, within=None, one_block=True
    ) -> tuple[int, int] | None:
        first, last = within or (0, len(self.body))
        a = bisect.bisect_left(self.starts, first)
        b = bisect.bisect_left(self.starts, last - lo)
        if a >= b:
            return None
        start = self.starts[rng.randrange(a, b)]
        k = bisect.bisect_left(self.ends, start + rng.randint(lo, hi))
        if k >= len(self.ends) or self.ends[k] > last:
            return None
        end = self.ends[k]
        if one_block and "\n" in self.body[start:end]:
            return None
        return start, end

    def many(self, rng: random.Random, n: int, *, nested_share=0.3, one_block_share=0.9):
        """n distinct spans; a share of them nested inside an earlier one (overlaps)."""
        found: list[tuple[int, int]] = []
        seen = set()
        while len(found) < n:
            if found and rng.random() < nested_share:
                outer = found[rng.randrange(len(found))]
                span = self.pick(rng, 5, 80, within=outer)
            else:
                span = self.pick(rng, one_block=rng.random() < one_block_share)
            if span and span not in seen:
                seen.add(span)
                found.append(span)
        return found

    def fresh(self, rng: random.Random, n: int, taken, lo: int = 10, hi: int = 160):
        """n spans of lo-hi characters, none of them in `taken` (which grows with them)."""
        found: list[tuple[int, int]] = []
        while len(found) < n:
            span = self.pick(rng, lo, hi)
            if span and span not in taken:
                taken.add(span)
                found.append(span)
        return found


# --- Data ------------------------------------------------------------------------------------


def bench_user(role: str = "Editor"):
    user, _ = get_user_model().objects.get_or_create(username=f"{USER_PREFIX}{role.lower()}")
    user.groups.set([Group.objects.get(name=role)])
    return get_user_model().objects.get(pk=user.pk)  # fresh permission caches


def bench_sources(n: int) -> list[Source]:
    sources = []
    for i in range(n):
        name = f"{SOURCE_PREFIX}{i}"
        source, created = Source.objects.get_or_create(
            name_key=names.fold_name(name),
            defaults={"name": name, "review_status": Source.Review.APPROVED, "reliability": "B"},
        )
        if created:
            SourceAlias.objects.create(
                source=source, name=name, name_key=source.name_key, is_primary=True
            )
        sources.append(source)
    return sources


def make_article(body: str, span_list, *, user, sources, rng, outlet=BENCH_OUTLET, title=""):
    """An article and its claims, written directly (the bench's own data, not a job)."""
    article = Article.objects.create(
        title=title or f"Bench article of {len(body):,} characters",
        body=body,
        body_hash=anchoring.body_hash(body),
        outlet=outlet,
        created_by=user,
    )
    claims = []
    for start, end in span_list:
        prefix, suffix = anchoring.context(body, start, end)
        label = rng.choice(Annotation.Label.values)
        source = None if label == "unattributed" else rng.choice(sources)
        claims.append(
            Annotation(
                article=article,
                start=start,
                end=end,
                quote=body[start:end],
                prefix=prefix,
                suffix=suffix,
                label=label,
                source=source,
                credibility=rng.choice([None, 1, 2, 3, 6]),
                created_by=user,
                updated_by=user,
            )
        )
    Annotation.objects.bulk_create(claims, batch_size=2000)
    return article


def bench_webhook() -> WebhookEndpoint:
    """An enabled endpoint that takes every event, so that saves queue their deliveries (no
    worker runs during the bench: the jobs wait, and the clean-up removes them)."""
    return WebhookEndpoint.objects.create(
        name=WEBHOOK_NAME,
        url="https://bench.invalid/hook",
        events=list(WebhookEndpoint.Event.values),
        secret="whsec_" + "QmVuY2ggb25seSwgbmV2ZXIgc2VudA==",
    )


def _cleanup_jobs(marks: list[str]) -> None:
    """The jobs the bench's saves queued (evidence captures of its claims, deliveries to its
    webhook), with their keys, the deliveries and the evidence rows."""
    from django_tasks_db.models import DBTaskResult

    evidence = Evidence.objects.filter(claim__article__outlet__in=marks)
    deliveries = WebhookDelivery.objects.filter(endpoint__name=WEBHOOK_NAME)
    keys = [f"evidence:{pk}" for pk in evidence.values_list("pk", flat=True)]
    keys += [f"webhook:{pk}" for pk in deliveries.values_list("pk", flat=True)]
    for start in range(0, len(keys), 1000):
        chunk = JobKey.objects.filter(key__in=keys[start : start + 1000])
        jobs = list(chunk.exclude(job=None).values_list("job_id", flat=True))
        chunk.delete()
        DBTaskResult.objects.filter(pk__in=jobs).delete()
    deliveries.delete()
    WebhookEndpoint.objects.filter(name=WEBHOOK_NAME).delete()
    evidence.delete()


def cleanup(session_keys=()) -> None:
    """Remove everything the bench wrote (marked articles, their claims and histories, the
    bench sources and users, the jobs its saves queued), also what a run that crashed left
    behind."""
    marks = list(BENCH_OUTLETS)
    in_marks = ", ".join(["%s"] * len(marks))
    articles = f"SELECT id FROM {Article._meta.db_table} WHERE outlet IN ({in_marks})"  # noqa: S608
    sources = f"SELECT id FROM {Source._meta.db_table} WHERE name LIKE %s"  # noqa: S608
    like = SOURCE_PREFIX + "%"
    claims = f"SELECT id FROM {Annotation._meta.db_table} WHERE article_id IN ({articles})"  # noqa: S608
    _cleanup_jobs(marks)
    with transaction.atomic(), connection.cursor() as cursor:
        _cleanup_evidence(marks)
        cursor.execute(
            f"DELETE FROM {ClaimTerm._meta.db_table} WHERE annotation_id IN ({claims})",  # noqa: S608
            marks,
        )
        for table in (
            Annotation.history.model._meta.db_table,
            Annotation._meta.db_table,
            TermsPending._meta.db_table,  # an import's articles wait for their terms job
        ):
            cursor.execute(f"DELETE FROM {table} WHERE article_id IN ({articles})", marks)  # noqa: S608
        cursor.execute(
            f"DELETE FROM {Article.history.model._meta.db_table} WHERE outlet IN ({in_marks})",  # noqa: S608
            marks,
        )
        cursor.execute(f"DELETE FROM {Article._meta.db_table} WHERE outlet IN ({in_marks})", marks)  # noqa: S608
        for model in (SourceAlias.history.model, SourceAlias):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE source_id IN ({sources})",  # noqa: S608
                [like],
            )
        for model in (Source.history.model, Source):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE name LIKE %s", [like])  # noqa: S608
    Session.objects.filter(session_key__in=list(session_keys)).delete()
    get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
    with contextlib.suppress(Exception):  # django-axes logs the bench's force_login
        from axes.models import AccessLog

        AccessLog.objects.filter(username__startswith=USER_PREFIX).delete()


def _cleanup_evidence(marks: list[str]) -> None:
    """The evidence rows of the bench's claims and articles (E1, M1), their captures, the
    stored WARCs no other capture shares, and their jobs."""
    evidence = Evidence.objects.filter(
        Q(claim__article__outlet__in=marks) | Q(article__outlet__in=marks)
    )
    ids = list(evidence.values_list("pk", flat=True))
    blobs = set(Capture.objects.filter(evidence__in=ids).values_list("warc_id", flat=True))
    keys = JobKey.objects.filter(key__in=[f"evidence:{pk}" for pk in ids])
    DBTaskResult.objects.filter(pk__in=keys.values("job")).delete()
    keys.delete()
    Evidence.objects.filter(pk__in=ids).delete()  # their captures cascade
    CaptureBlob.objects.filter(sha256__in=blobs, captures__isnull=True).delete()


def session_for(user) -> str:
    """A signed-in session for `user`, written to the database the servers use."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- One run ---------------------------------------------------------------------------------


@dataclass
class Run:
    """What the rows of one run share: the options, the bench user and sources, the
    sessions to remove at the end, and the big article P1 builds (P2 and L1 reuse it)."""

    options: argparse.Namespace
    user: object
    sources: list[Source]
    session_keys: list[str] = field(default_factory=list)
    article: Article | None = None

    @property
    def quick(self) -> bool:
        return self.options.quick

    @property
    def pg(self) -> bool:
        return connection.vendor == "postgresql"

    def session(self) -> str:
        """A signed-in session of the bench user, removed again at the end."""
        key = session_for(self.user)
        self.session_keys.append(key)
        return key

    def big_article(self) -> Article:
        """P1's article: 100,000 characters, 2,000 overlapping claims (built once)."""
        if self.article is None:
            rng = random.Random(1)
            body = article_text(rng, 100_000)
            self.article = make_article(
                body, WordSpans(body).many(rng, 2000), user=self.user, sources=self.sources, rng=rng
            )
        return self.article

"""Bulk import: validated records in, articles and claims out, in batches.

Each batch is one transaction of a few `bulk_create`s (with history), not a query per row.
A record is written whole or not at all: its article and every one of its claims, or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from .. import anchoring
from ..importers.bulk import ArticleRecord, RowError
from ..models import Annotation, Article, Source, SourceAlias


@dataclass
class ImportReport:
    created: int = 0
    claims: int = 0
    sources_created: int = 0
    duplicates: list[RowError] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return len(self.errors)

    @property
    def skipped(self) -> int:
        return len(self.duplicates)

    def summary(self) -> str:
        verb = "Would create" if self.dry_run else "Created"
        return (
            f"{verb} {self.created} article(s) with {self.claims} claim(s) and "
            f"{self.sources_created} new source(s); skipped {self.skipped} duplicate(s); "
            f"failed {self.failed} row(s)."
        )


def _batches(items: Iterable, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Importer:
    def __init__(self, user, dry_run: bool, report: ImportReport):
        self.user = user if user is not None and user.is_authenticated else None
        self.dry_run = dry_run
        self.report = report
        self.seen_urls: set[str] = set()
        self.seen_hashes: set[str] = set()

    def drop_duplicates(self, records: list[ArticleRecord]) -> list[ArticleRecord]:
        urls = {r.url for r in records if r.url}
        hashes = {anchoring.body_hash(r.body) for r in records}
        known_urls = set(Article.objects.filter(url__in=urls).values_list("url", flat=True))
        known_hashes = set(
            Article.objects.filter(body_hash__in=hashes).values_list("body_hash", flat=True)
        )
        kept = []
        for record in records:
            digest = anchoring.body_hash(record.body)
            if record.url and (record.url in known_urls or record.url in self.seen_urls):
                self.report.duplicates.append(RowError(record.line, f"same URL: {record.url}"))
            elif digest in known_hashes or digest in self.seen_hashes:
                self.report.duplicates.append(
                    RowError(record.line, "same text as an article already here")
                )
            else:
                kept.append(record)
                self.seen_hashes.add(digest)
                if record.url:
                    self.seen_urls.add(record.url)
        return kept

    def known_sources(self, records: list[ArticleRecord]) -> dict[str, Source]:
        """The sources already here that the claims name (by folded name or alias)."""
        keys = {anchoring.fold_name(c.source) for r in records for c in r.claims if c.source}
        aliases = SourceAlias.objects.filter(name_key__in=keys).select_related("source")
        return {alias.name_key: alias.source for alias in aliases}

    def drop_rejected(self, records: list[ArticleRecord], known: dict) -> list[ArticleRecord]:
        kept = []
        for record in records:
            rejected = [
                c.source
                for c in record.claims
                if c.source and (s := known.get(anchoring.fold_name(c.source))) and s.is_rejected
            ]
            if rejected:
                reason = (
                    f"the source “{rejected[0]}” was rejected in review: it cannot be attached."
                )
                self.report.errors.append(RowError(record.line, reason))
            else:
                kept.append(record)
        return kept

    def drop_twin_claims(self, records: list[ArticleRecord], known: dict) -> None:
        """The same passage, verdict and source twice in one record is one claim (as in the
        app, where the second save is refused): the repeats are reported and skipped."""
        for record in records:
            seen: dict[tuple, int] = {}
            kept = []
            for index, claim in enumerate(record.claims, start=1):
                key = anchoring.fold_name(claim.source) if claim.source else ""
                source = known.get(key)
                spot = (claim.start, claim.end, claim.label, source.pk if source else key)
                if spot in seen:
                    self.report.duplicates.append(
                        RowError(
                            record.line,
                            f"claim {index} repeats claim {seen[spot]} (the same passage, "
                            "verdict and source)",
                        )
                    )
                else:
                    seen[spot] = index
                    kept.append(claim)
            record.claims = kept

    def write(self, records: list[ArticleRecord]) -> None:
        records = self.drop_duplicates(records)
        by_key = self.known_sources(records)
        records = self.drop_rejected(records, by_key)
        self.drop_twin_claims(records, by_key)
        names = {
            anchoring.fold_name(c.source): c.source for r in records for c in r.claims if c.source
        }
        new_keys = sorted(k for k in names if k not in by_key)
        self.report.sources_created += len(new_keys)
        self.report.created += len(records)
        self.report.claims += sum(len(r.claims) for r in records)
        if self.dry_run or not records:
            return
        new_sources = [
            Source(name=" ".join(names[k].split()), name_key=k, created_by=self.user)
            for k in new_keys
        ]
        bulk_create_with_history(new_sources, Source, default_user=self.user)
        created = {s.name_key: s for s in Source.objects.filter(name_key__in=new_keys)}
        SourceAlias.objects.bulk_create(
            SourceAlias(source=s, name=s.name, name_key=s.name_key, is_primary=True)
            for s in created.values()
        )
        by_key.update(created)
        articles = [
            Article(
                title=r.title,
                body=r.body,
                body_hash=anchoring.body_hash(r.body),
                url=r.url,
                outlet=r.outlet,
                author=r.author,
                published_at=r.published_at,
                language=r.language,
                created_by=self.user,
            )
            for r in records
        ]
        bulk_create_with_history(articles, Article, default_user=self.user)
        if any(a.pk is None for a in articles):  # databases that return no ids
            ids = dict(
                Article.objects.filter(body_hash__in=[a.body_hash for a in articles]).values_list(
                    "body_hash", "id"
                )
            )
            for article in articles:
                article.pk = article.id = ids[article.body_hash]
        claims = []
        for record, article in zip(records, articles, strict=True):
            for c in record.claims:
                prefix, suffix = anchoring.context(record.body, c.start, c.end)
                claims.append(
                    Annotation(
                        article=article,
                        start=c.start,
                        end=c.end,
                        quote=c.quote,
                        prefix=prefix,
                        suffix=suffix,
                        label=c.label,
                        credibility=c.credibility,
                        note=c.note,
                        evidence_url=c.evidence_url,
                        source=by_key[anchoring.fold_name(c.source)] if c.source else None,
                        created_by=self.user,
                        updated_by=self.user,
                    )
                )
        bulk_create_with_history(claims, Annotation, default_user=self.user)


def articles_import(
    rows: Iterable[ArticleRecord | RowError],
    *,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import validated rows; bad rows are reported with their line, good rows go in."""
    report = ImportReport(dry_run=dry_run)
    importer = _Importer(user, dry_run, report)
    for batch in _batches(rows, batch_size):
        report.errors.extend(r for r in batch if isinstance(r, RowError))
        records = [r for r in batch if isinstance(r, ArticleRecord)]
        try:
            with transaction.atomic():
                importer.write(records)
        except IntegrityError:
            # Someone else added one of these meanwhile: go record by record for this batch.
            for record in records:
                try:
                    with transaction.atomic():
                        importer.write([record])
                except IntegrityError as exc:
                    report.errors.append(RowError(record.line, f"could not be saved: {exc}"))
        if progress:
            progress(len(batch))
    report.errors.sort(key=lambda e: e.line)
    return report

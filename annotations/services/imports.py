"""Bulk import: validated records in, articles and claims out, in batches.

Each batch is one transaction: a few reads, then its articles and claims as tuples
(`rows.Table`: COPY on PostgreSQL, executemany on SQLite) and their history rows copied from
them by the database (`rows.write_with_history`), never a query or a model instance per
row. The matcher's terms of its claims come after, from a job.
A record is written whole or not at all: its article and every one of its claims, or none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import islice

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .. import anchoring, names, permissions
from ..importers.bulk import ArticleRecord, RowError
from ..models import Annotation, Article, Source, SourceAlias
from ..outage import is_outage
from ..rows import Table, reserve_ids, roomy_cache, write_with_history
from .evidence import evidence_track_many
from .shared_claims import claim_terms_later

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    created: int = 0
    claims: int = 0
    sources_created: int = 0
    duplicates: list[RowError] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # Ids of the articles committed so far, in order.
    committed: list[int] = field(default_factory=list)

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


@dataclass
class _Plan:
    """What one batch would do, worked out before it is written: nothing in the report or
    in the importer's memory changes until the batch has committed."""

    records: list[ArticleRecord] = field(default_factory=list)
    duplicates: list[RowError] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    known: dict = field(default_factory=dict)
    new_names: dict[str, str] = field(default_factory=dict)
    # Each source name of the batch's claims -> its key (`names.fold_name`), worked out once
    # per name: a batch names a few sources in thousands of claims.
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def claims(self) -> int:
        return sum(len(r.claims) for r in self.records)


class _Importer:
    def __init__(self, user, dry_run: bool, report: ImportReport):
        self.user = user if user is not None and user.is_authenticated else None
        self.dry_run = dry_run
        self.report = report
        self.seen_urls: set[str] = set()
        self.seen_hashes: set[str] = set()

    def plan(self, records: list[ArticleRecord]) -> _Plan:
        plan = _Plan()
        sources = {c.source for r in records for c in r.claims if c.source}
        plan.keys = {name: names.fold_name(name) for name in sources}
        kept = self._drop_duplicates(records, plan)
        plan.known = self._known_sources(kept, plan)
        kept = self._drop_rejected(kept, plan)
        plan.records = [self._without_twin_claims(r, plan) for r in kept]
        named = {plan.keys[c.source]: c.source for r in plan.records for c in r.claims if c.source}
        plan.new_names = {k: named[k] for k in sorted(named) if k not in plan.known}
        return plan

    def _drop_duplicates(self, records: list[ArticleRecord], plan: _Plan) -> list:
        urls = {r.url for r in records if r.url}
        hashes = {r.body_hash for r in records}
        known_urls = set(Article.objects.filter(url__in=urls).values_list("url", flat=True))
        known_hashes = set(
            Article.objects.filter(body_hash__in=hashes).values_list("body_hash", flat=True)
        )
        kept, urls_here, hashes_here = [], set(), set()
        for record in records:
            digest = record.body_hash
            if record.url and (
                record.url in known_urls or record.url in self.seen_urls or record.url in urls_here
            ):
                plan.duplicates.append(RowError(record.line, f"same URL: {record.url}"))
            elif digest in known_hashes or digest in self.seen_hashes or digest in hashes_here:
                plan.duplicates.append(
                    RowError(record.line, "same text as an article already here")
                )
            else:
                kept.append(record)
                hashes_here.add(digest)
                if record.url:
                    urls_here.add(record.url)
        return kept

    def _known_sources(self, records: list[ArticleRecord], plan: _Plan) -> dict[str, Source]:
        """The sources already here that the claims name (by folded name or alias)."""
        keys = {plan.keys[c.source] for r in records for c in r.claims if c.source}
        aliases = SourceAlias.objects.filter(name_key__in=keys).select_related("source")
        return {alias.name_key: alias.source for alias in aliases}

    def _drop_rejected(self, records: list[ArticleRecord], plan: _Plan) -> list:
        kept = []
        for record in records:
            rejected = [
                c.source
                for c in record.claims
                if c.source and (s := plan.known.get(plan.keys[c.source])) and s.is_rejected
            ]
            if rejected:
                reason = (
                    f"the source “{rejected[0]}” was rejected in review: it cannot be attached."
                )
                plan.errors.append(RowError(record.line, reason))
            else:
                kept.append(record)
        return kept

    def _without_twin_claims(self, record: ArticleRecord, plan: _Plan) -> ArticleRecord:
        """The same passage, verdict and source twice in one record is one claim (as in the
        app, where the second save is refused): the repeats are reported and skipped."""
        seen: dict[tuple, int] = {}
        kept = []
        for index, claim in enumerate(record.claims, start=1):
            key = plan.keys[claim.source] if claim.source else ""
            source = plan.known.get(key)
            spot = (claim.start, claim.end, claim.label, source.pk if source else key)
            if spot in seen:
                plan.duplicates.append(
                    RowError(
                        record.line,
                        f"claim {index} repeats claim {seen[spot]} (the same passage, "
                        "verdict and source)",
                    )
                )
            else:
                seen[spot] = index
                kept.append(claim)
        return record if len(kept) == len(record.claims) else replace(record, claims=kept)

    def commit(self, plan: _Plan, article_ids: list[int]) -> None:
        """The batch is in the database: now the report and the importer's memory say so."""
        report = self.report
        report.duplicates += plan.duplicates
        report.errors += plan.errors
        report.created += len(plan.records)
        report.claims += plan.claims
        report.sources_created += len(plan.new_names)
        report.committed += article_ids
        for record in plan.records:
            self.seen_hashes.add(record.body_hash)
            if record.url:
                self.seen_urls.add(record.url)

    def write(self, plan: _Plan) -> list[int]:
        """Write a planned batch (inside the caller's transaction); the new article ids."""
        if self.dry_run or not plan.records:
            return []
        by_key = dict(plan.known)
        new_sources = [
            Source(name=" ".join(name.split()), name_key=key, created_by=self.user)
            for key, name in plan.new_names.items()
        ]
        bulk_create_with_history(new_sources, Source, default_user=self.user)
        created = {s.name_key: s for s in Source.objects.filter(name_key__in=plan.new_names)}
        SourceAlias.objects.bulk_create(
            SourceAlias(source=s, name=s.name, name_key=s.name_key, is_primary=True)
            for s in created.values()
        )
        by_key.update(created)
        return self._write_rows(plan, {key: s.pk for key, s in by_key.items()})

    def _write_rows(self, plan: _Plan, source_ids: dict[str, int]) -> list[int]:
        """The articles and claims, with their history rows, as tuples (`rows.Table`): no
        model instance per row. Their ids are taken first, so the claims and the history
        rows can name them."""
        now = timezone.now()
        user_id = self.user.pk if self.user is not None else None
        article_ids = reserve_ids(Article, len(plan.records))
        claim_ids = iter(reserve_ids(Annotation, plan.claims))
        articles = Table(
            Article,
            (
                "id",
                "title",
                "body",
                "url",
                "outlet",
                "author",
                "published_at",
                "language",
                "body_hash",
            ),
            {"created_by_id": user_id, "created_at": now, "updated_at": now},
        )
        article_rows = [
            (
                pk,
                r.title,
                r.body,
                r.url,
                r.outlet,
                r.author,
                articles.adapt("published_at", r.published_at),
                r.language,
                r.body_hash,
            )
            for pk, r in zip(article_ids, plan.records, strict=True)
        ]
        write_with_history(articles, article_rows, user_id=user_id, when=now)
        claims = Table(
            Annotation,
            _CLAIM_COLUMNS,
            {
                "created_by_id": user_id,
                "updated_by_id": user_id,
                "created_at": now,
                "updated_at": now,
            },
        )
        claim_rows, linked, with_claims = [], [], []
        for record, article_id in zip(plan.records, article_ids, strict=True):
            body = record.body
            if record.claims:
                with_claims.append(article_id)
            for c in record.claims:
                pk = next(claim_ids)
                prefix, suffix = anchoring.context(body, c.start, c.end)
                claim_rows.append(
                    (
                        pk,
                        article_id,
                        c.start,
                        c.end,
                        c.quote,
                        prefix,
                        suffix,
                        c.label,
                        c.credibility,
                        c.note,
                        c.public_summary,
                        c.evidence_url,
                        source_ids[plan.keys[c.source]] if c.source else None,
                    )
                )
                if c.evidence_url:
                    linked.append(Annotation(pk=pk, evidence_url=c.evidence_url))
        write_with_history(claims, claim_rows, user_id=user_id, when=now)
        evidence_track_many(linked)
        claim_terms_later(with_claims, when=now)
        return article_ids


# The claim's fields a bulk file gives (with its id, article and context), in `Table` order.
_CLAIM_COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "label",
    "credibility",
    "note",
    "public_summary",
    "evidence_url",
    "source_id",
)


def _write_batch(importer: _Importer, records: list[ArticleRecord], run) -> None:
    """One transaction for the batch, with the run's record of it; if the database refuses
    it (another import or editor added one of these meanwhile, or a value it cannot store),
    record by record, each in its own transaction, so the others still go in."""
    try:
        with transaction.atomic():
            plan = importer.plan(records)
            ids = importer.write(plan)
            _record_progress(run, importer.report, plan, ids)
        importer.commit(plan, ids)
    except DatabaseError:
        logger.warning("Bulk import: a batch was refused; trying its records one by one")
        for record in records:
            try:
                with transaction.atomic():
                    plan = importer.plan([record])
                    ids = importer.write(plan)
                    _record_progress(run, importer.report, plan, ids)
                importer.commit(plan, ids)
            except DatabaseError as exc:
                if is_outage(exc):
                    raise
                logger.warning("Bulk import: line %s refused: %s", record.line, exc)
                importer.report.errors.append(
                    RowError(record.line, "could not be saved: the database refused a value.")
                )


def _record_progress(run, report: ImportReport, plan: _Plan, ids: list[int]) -> None:
    """The run's counts after this batch, in the batch's own transaction."""
    if run is None:
        return
    from django.db.models import F

    from ..models import ImportRun

    ImportRun.objects.filter(pk=run.pk).update(
        articles_created=F("articles_created") + len(plan.records),
        claims_created=F("claims_created") + plan.claims,
        sources_created=F("sources_created") + len(plan.new_names),
        committed=report.committed + ids,
    )


def articles_import(
    rows: Iterable[ArticleRecord | RowError],
    *,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    run=None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Import validated rows; bad rows are reported with their line, good rows go in.

    One transaction per batch (not one for the whole file): a big file never holds one
    long transaction, and what is committed is exactly what the run record (`run`, an
    ImportRun) lists, batch by batch. A run cut short says so; importing the same file
    again skips what went in (same URL or same text) and adds the rest.
    """
    permissions.require_import(user)
    report = report if report is not None else ImportReport(dry_run=dry_run)
    importer = _Importer(user, dry_run, report)
    with roomy_cache():
        for batch in _batches(rows, batch_size):
            report.errors.extend(r for r in batch if isinstance(r, RowError))
            records = [r for r in batch if isinstance(r, ArticleRecord)]
            _write_batch(importer, records, run)
            if progress:
                progress(len(batch))
    report.errors.sort(key=lambda e: e.line)
    return report


def import_run_start(
    *,
    user: AbstractBaseUser | None,
    door: str,
    file_name: str,
    sha256: str,
    size: int,
    fmt: str,
    dry_run: bool,
):
    """Record that an import begins (committed at once, outside any transaction of the
    import, so that the record outlives whatever happens next)."""
    permissions.require_import(user)
    from ..models import ImportRun

    return ImportRun.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        door=door,
        file_name=file_name[-255:],
        file_sha256=sha256,
        file_size=size,
        format=fmt,
        dry_run=dry_run,
    )


def import_run_finish(run, report: ImportReport | None, *, error: str = "") -> None:
    """Record how an import ended: its per-row report, and, when it stopped on something
    other than a bad row, what stopped it (the articles committed so far stay listed)."""
    from django.utils import timezone

    from ..models import ImportRun

    rows = []
    if report is not None:
        rows = [{"line": e.line, "kind": "error", "reason": e.reason} for e in report.errors]
        rows += [{"line": d.line, "kind": "skipped", "reason": d.reason} for d in report.duplicates]
        rows.sort(key=lambda r: r["line"])
    fields = {
        "status": ImportRun.Status.FAILED if error else ImportRun.Status.DONE,
        "finished_at": timezone.now(),
        "error": error,
        "report": rows,
        "rows_failed": len(report.errors) if report else 0,
        "rows_skipped": len(report.duplicates) if report else 0,
    }
    if report is not None and report.dry_run:
        fields.update(
            articles_created=report.created,
            claims_created=report.claims,
            sources_created=report.sources_created,
        )
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()


def articles_import_run(
    run,
    rows: Iterable[ArticleRecord | RowError],
    *,
    user: AbstractBaseUser | None,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """`articles_import` recorded in `run` (ImportRun): its counts batch by batch, its
    report at the end. Whatever stops it midway (a file that turns out not to be UTF-8, the
    database going away) is recorded, with the articles already committed, before it is
    raised again."""
    report = ImportReport(dry_run=run.dry_run)
    try:
        articles_import(
            rows,
            user=user,
            dry_run=run.dry_run,
            batch_size=batch_size,
            progress=progress,
            run=run,
            report=report,
        )
    except BaseException as exc:
        if isinstance(exc, UnicodeDecodeError):
            what = f"the file is not UTF-8 (byte {exc.start:,} of a block)"
        elif is_outage(exc):
            what = "the database stopped answering"
        else:
            what = f"an unexpected error ({type(exc).__name__})"
            logger.exception("Bulk import run %s stopped", run.pk)
        try:
            import_run_finish(
                run,
                report,
                error=f"The import stopped: {what}. The articles listed below were committed "
                "before it did; importing the file again skips them and adds the rest.",
            )
        except DatabaseError:
            logger.exception("Bulk import run %s: its end could not be recorded", run.pk)
        raise
    import_run_finish(run, report)
    return report

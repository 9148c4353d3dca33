"""The desk at a glance: aggregations (one query each) and chart geometry for server SVG.

Charts are drawn as SVG by the templates from the numbers computed here: no JavaScript
chart library, no CDN, readable without JS, printable, and every bar is a link to the
filtered list behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import labels, shared
from .models import Annotation, Article, Evidence, SharedClaim, Source
from .selectors import current_evidence, label_count_name

DISPUTED, UNATTRIBUTED = Annotation.Label.DISPUTED, Annotation.Label.UNATTRIBUTED


@dataclass
class Filters:
    date_from: date
    date_to: date
    outlet: str = ""

    def claims(self):
        qs = Annotation.objects.filter(
            article__deleted_at__isnull=True,
            created_at__date__gte=self.date_from,
            created_at__date__lte=self.date_to,
        )
        if self.outlet:
            qs = qs.filter(article__outlet=self.outlet)
        return qs

    def query(self, **extra) -> str:
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        if self.outlet:
            params["outlet"] = self.outlet
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)


def default_filters(today: date | None = None) -> Filters:
    today = today or timezone.localdate()
    return Filters(date_from=today - timedelta(days=29), date_to=today)


# --- Claims per label over time ------------------------------------------------------------


@dataclass
class Bar:
    period: date
    counts: dict[str, int]
    total: int = 0
    segments: list[dict] = field(default_factory=list)


def claims_over_time(filters: Filters) -> dict:
    """Stacked bars per day (per week past 45 days), with geometry for a 1000x220 chart."""
    days = (filters.date_to - filters.date_from).days + 1
    weekly = days > 45
    trunc = TruncWeek("created_at") if weekly else TruncDate("created_at")
    rows = (
        filters.claims()
        .annotate(period=trunc)
        .values_list("period", "label")
        .annotate(n=Count("id"))
        .order_by()
    )
    keys = labels.all_keys()
    by_period: dict[date, dict[str, int]] = {}
    for period, label, n in rows:
        key = period.date() if hasattr(period, "date") else period
        by_period.setdefault(key, dict.fromkeys(keys, 0))[label] += n
    periods = []
    cursor = (
        filters.date_from - timedelta(days=filters.date_from.weekday())
        if weekly
        else filters.date_from
    )
    step = timedelta(days=7 if weekly else 1)
    while cursor <= filters.date_to:
        periods.append(cursor)
        if date.max - cursor < step:
            break
        cursor += step
    bars = [Bar(p, by_period.get(p, dict.fromkeys(keys, 0))) for p in periods]
    peak = max((sum(b.counts.values()) for b in bars), default=0) or 1
    width, height, left, bottom = 1000, 220, 36, 22
    slot = (width - left) / max(len(bars), 1)
    for index, bar in enumerate(bars):
        bar.total = sum(bar.counts.values())
        y = height - bottom
        for label in labels.LABELS:
            n = bar.counts[label.key]
            if not n:
                continue
            h = (height - bottom - 8) * n / peak
            y -= h
            end = bar.period + timedelta(days=6 if weekly else 0)
            bar.segments.append(
                {
                    "label": label.key,
                    "name": label.name,
                    "n": n,
                    "x": left + index * slot + slot * 0.12,
                    "y": y,
                    "w": slot * 0.76,
                    "h": h,
                    "query": filters.query(
                        label=label.key,
                        date_from=bar.period.isoformat(),
                        date_to=min(end, filters.date_to).isoformat(),
                    ),
                }
            )
    values = sorted({0, peak // 2, peak})
    ticks = [{"y": height - bottom - (height - bottom - 8) * v / peak, "value": v} for v in values]
    step = max(1, len(bars) // 8)
    dates = [
        {"x": left + i * slot + slot / 2, "text": formats.date_format(b.period, "MONTH_DAY_FORMAT")}
        for i, b in enumerate(bars)
        if i % step == 0
    ]
    return {
        "bars": bars,
        "weekly": weekly,
        "ticks": ticks,
        "labels": dates,  # the dates under the bars
        "width": width,
        "height": height,
        "left": left,
        "total": sum(b.total for b in bars),
    }


# --- Sources and outlets -------------------------------------------------------------------


def top_sources(filters: Filters, limit: int = 8) -> list[dict]:
    claims = filters.claims()
    rows = (
        Source.objects.filter(annotations__in=claims)
        .annotate(
            n=Count("annotations", filter=Q(annotations__in=claims)),
            n_disputed=Count(
                "annotations", filter=Q(annotations__in=claims, annotations__label=DISPUTED)
            ),
        )
        .order_by("-n", "name")[:limit]
    )
    rows = list(rows)
    peak = max((s.n for s in rows), default=0) or 1
    return [
        {
            "source": s,
            "n": s.n,
            "disputed_share": round(100 * s.n_disputed / s.n),
            "width": 100 * s.n / peak,
            "query": filters.query(source=s.pk),
        }
        for s in rows
    ]


def outlets(filters: Filters, limit: int = 8) -> list[dict]:
    """Claims per outlet, with the shares disputed and unattributed. Articles with no outlet
    are one row, "(no outlet)", whose links filter on that (`no_outlet=1`), so that its
    numbers and the lists behind them agree."""
    rows = (
        filters.claims()
        .values("article__outlet")
        .annotate(
            n=Count("id"),
            disputed=Count("id", filter=Q(label=DISPUTED)),
            unattributed=Count("id", filter=Q(label=UNATTRIBUTED)),
        )
        .order_by("-n", "article__outlet")[:limit]
    )
    result = []
    for row in rows:
        n = row["n"]
        outlet = row["article__outlet"]
        which = {"outlet": outlet} if outlet else {"no_outlet": "1"}
        result.append(
            {
                "outlet": outlet,
                "name": outlet or _("(no outlet)"),
                "n": n,
                "disputed": round(100 * row["disputed"] / n),
                "unattributed": round(100 * row["unattributed"] / n),
                "query_articles": urlencode(which),
                "query_disputed": filters.query(**which, label=DISPUTED),
                "query_unattributed": filters.query(**which, label=UNATTRIBUTED),
            }
        )
    result.sort(key=lambda r: (-(r["disputed"] + r["unattributed"]), r["outlet"]))
    return result


# --- Work in progress and today's activity --------------------------------------------------


def articles_in_progress(filters: Filters, limit: int = 8) -> list[Article]:
    """Articles not done: orphans waiting first, then those with the fewest claims."""
    articles = (
        Article.objects.alive().exclude(status=Article.Status.DONE).select_related("assignee")
    )
    if filters.outlet:
        articles = articles.filter(outlet=filters.outlet)
    return list(
        articles.annotate(
            n_claims=Count("annotations"),
            n_review=Count(
                "annotations",
                filter=Q(
                    annotations__anchor_state__in=[
                        Annotation.Anchor.ORPHANED,
                        Annotation.Anchor.CHANGED,
                    ]
                ),
            ),
            last_claim=Max("annotations__created_at"),
        ).order_by("-n_review", "n_claims", "-created_at")[:limit]
    )


@dataclass
class EvidenceNews:
    """Evidence that went dark or changed in the last seven days: the latest rows, and how
    many there are in all."""

    rows: list[Evidence]
    total: int


def evidence_this_week(filters: Filters, limit: int = 10) -> EvidenceNews:
    """Current evidence links (claims' and articles' pages) that became *gone* or *changed*
    in the last seven days, newest first; the outlet filter applies, not the dates (the
    news is this week's whatever range the dashboard shows). Two queries."""
    rows = current_evidence().filter(
        state__in=[Evidence.State.GONE, Evidence.State.CHANGED],
        state_since__gte=timezone.now() - timedelta(days=7),
    )
    if filters.outlet:
        rows = rows.filter(
            Q(claim__article__outlet=filters.outlet) | Q(article__outlet=filters.outlet)
        )
    latest = (
        rows.select_related("claim", "claim__article", "article", "current")
        .defer("current__text", "claim__article__body", "article__body")
        .order_by("-state_since", "-pk")[:limit]
    )
    return EvidenceNews(list(latest), rows.count())


def repeated_this_week(limit: int = 5) -> list[SharedClaim]:
    """This week's most repeated claims: the shared claims with the most appearances tagged
    in the last seven days (two at least), whatever the range and outlet shown, with
    `recent_count`, `appearance_count` and `disagree`. One query."""
    return shared.most_repeated(timezone.now() - timedelta(days=7), limit=limit)


def activity_today(filters: Filters) -> list[dict]:
    today = timezone.localdate()
    claims = Annotation.objects.filter(created_at__date=today, article__deleted_at__isnull=True)
    if filters.outlet:
        claims = claims.filter(article__outlet=filters.outlet)
    rows = list(
        claims.exclude(created_by__isnull=True)
        .values("created_by", "created_by__username")
        .annotate(
            n=Count("id"),
            **{
                label_count_name(label.key): Count("id", filter=Q(label=label.key))
                for label in labels.LABELS
            },
        )
        .order_by("-n", "created_by__username")
    )
    peak = max((r["n"] for r in rows), default=0) or 1
    day = today.isoformat()
    result = []
    for r in rows:
        parts, x = [], 0.0
        for label in labels.LABELS:
            n = r[label_count_name(label.key)]
            width = 100 * n / peak
            parts.append({"label": label.key, "name": label.name, "n": n, "x": x, "width": width})
            x += width
        result.append(
            {
                "editor": r["created_by__username"],
                "n": r["n"],
                "parts": parts,
                "query": filters.query(editor=r["created_by"], date_from=day, date_to=day),
            }
        )
    return result


def outlet_choices() -> list[str]:
    return list(
        Article.objects.alive()
        .exclude(outlet="")
        .values_list("outlet", flat=True)
        .distinct()
        .order_by("outlet")
    )

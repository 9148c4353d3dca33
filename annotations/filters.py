"""Which rows: one filter class per list, the only place a filter is spelled.

- `ClaimFilter`: the claims list page, its three exports, and the `export_annotations`
  command (whose options are made from the same filters);
- `ArticleFilter`: the article list;
- `SourceFilter`: the source directory;
- `SharedClaimFilter`: the list of shared claims.

Built on django-filter. It silently drops a value it cannot read, and an export would then
send every claim instead of the few asked for: here an invalid filter is a refusal (400 on
pages and exports, exit status 1 in the command). Text filters get the one text rule.
"""

from __future__ import annotations

from datetime import date

import django_filters as df
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import labels, selectors, shared
from .models import Annotation, Article, SharedClaim, Source, SourceAlias
from .names import fold_name
from .text import TextRulesForm

# Ids: anything larger cannot be a real one (and overflows SQLite).
MAX_ID = 2**31 - 1


class RefusingFilterSet(df.FilterSet):
    """A filter set that is either valid or refused, never quietly ignored."""

    class Meta:
        form = TextRulesForm

    def refusal(self) -> str:
        """The problems, in one readable sentence per filter."""
        parts = []
        for name, errors in self.form.errors.items():
            field = self.form.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            parts.append(f"{label}: {' '.join(str(e) for e in errors)}")
        return " ".join(parts)

    @classmethod
    def option_names(cls) -> list[str]:
        """The filters' names, for the command line (one option each)."""
        return list(cls.base_filters)


class IdFilter(df.NumberFilter):
    """An id: a whole number (django-filter's NumberFilter reads a decimal, and "1.5" would
    quietly find nothing)."""

    field_class = forms.IntegerField


def _id_filter(field_name: str) -> df.NumberFilter:
    return IdFilter(
        field_name=field_name,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
    )


def _users(request=None):
    return get_user_model().objects.filter(is_active=True).order_by("username")


# A file name's stem (before the date and extension), in UTF-8 bytes: most file systems
# allow 255 bytes for a whole name, and browsers add " (1)" to a name already there.
FILE_NAME_BYTES = 200


def _slug(text: str | None, limit: int = 40) -> str:
    """Free text as a part of a file name: letters of any script, digits and hyphens."""
    return slugify(text or "", allow_unicode=True)[:limit].strip("-")


class ClaimFilter(RefusingFilterSet):
    """Which claims: of live articles only, newest first."""

    q = df.CharFilter(method="_search", max_length=200, label=_("Search"))
    label = df.ChoiceFilter(choices=labels.choices, empty_label=_("Any label"))
    source = _id_filter("source_id")
    source_status = df.ChoiceFilter(
        method="_source_status",
        label=_("Source review"),
        empty_label=_("Any"),
        choices=lambda: [*Source.Review.choices, ("none", _("No source"))],
    )
    outlet = df.CharFilter(method="_outlet", max_length=200, label=_("Outlet"))
    no_outlet = df.BooleanFilter(
        method="_no_outlet", widget=forms.CheckboxInput, label=_("No outlet")
    )
    editor = df.ModelChoiceFilter(
        field_name="created_by", queryset=_users, empty_label=_("Anyone"), label=_("Editor")
    )
    date_from = df.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Tagged from")
    )
    date_to = df.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("to"))
    anchor_state = df.ChoiceFilter(
        method="_anchor_state",
        label=_("Anchor"),
        empty_label=_("Any"),
        choices=lambda: [
            ("review", _("Needs review (changed or orphaned)")),
            *Annotation.Anchor.choices,
        ],
    )
    article = _id_filter("article_id")
    shared_claim = _id_filter("shared_claim_id")
    in_shared_claim = df.ChoiceFilter(
        method="_in_shared_claim",
        label=_("Shared claim"),
        empty_label=_("Any"),
        choices=[("yes", _("In a shared claim")), ("no", _("In none"))],
    )

    class Meta(RefusingFilterSet.Meta):
        model = Annotation
        fields: list[str] = []

    def __init__(self, data=None, queryset: QuerySet | None = None, **kwargs):
        if queryset is None:
            queryset = selectors.live_claims()
        super().__init__(data, queryset=queryset, **kwargs)

    def _search(self, claims, name, value):
        value = value.strip()
        if not value:
            return claims
        return claims.filter(
            Q(quote__icontains=value)
            | Q(note__icontains=value)
            | Q(public_summary__icontains=value)
            | Q(source__name__icontains=value)
        )

    def _source_status(self, claims, name, value):
        if value == "none":
            return claims.filter(source__isnull=True)
        return claims.filter(source__review_status=value)

    def _outlet(self, claims, name, value):
        value = value.strip()
        if not value:
            return claims
        return claims.filter(article__outlet__in=selectors.outlet_spellings(value))

    def _no_outlet(self, claims, name, value):
        return claims.filter(article__outlet="") if value else claims

    def _in_shared_claim(self, claims, name, value):
        return claims.filter(shared_claim__isnull=value == "no")

    def _anchor_state(self, claims, name, value):
        if value == "review":  # what corrections left for a reviewer to look at
            return claims.filter(
                anchor_state__in=[Annotation.Anchor.CHANGED, Annotation.Anchor.ORPHANED]
            )
        return claims.filter(anchor_state=value)

    def article_scope(self) -> QuerySet[Article] | None:
        """The articles a JSON-LD export lists (`schema:hasPart`) besides its claims. With
        no filter (everything) or one article alone, every live article in scope, those
        without claims too, so that importing the file brings every article back; with any
        other filter, None: only the articles of the claims exported. Call after
        `is_valid()`."""
        data = self.form.cleaned_data
        used = {name for name, value in data.items() if value not in (None, "", False)}
        if not used:
            return Article.objects.alive()
        if used == {"article"}:
            return Article.objects.alive().filter(pk=int(data["article"]))
        return None

    def download_name(
        self, extension: str, *, kind: str = "claims", variant: str = "", day: date | None = None
    ) -> str:
        """The file name of an export of these claims, naming what is in it: the kind of
        file, its variant, each filter in use, and the day (today in the desk's time zone,
        `TIME_ZONE`), e.g. `claims-disputed-frontline-wire-2026-12-01.csv`.

        Free text (outlet, editor, search) is slugified with its letters kept, so a Cyrillic
        outlet stays Cyrillic ("claims-українська-правда-…"): `content_disposition_header`
        then sends it as `filename*=utf-8''…` (RFC 6266), which browsers save under that
        name. Call after `is_valid()`."""
        data = self.form.cleaned_data
        day = day or timezone.localdate(timezone=timezone.get_default_timezone())
        parts = [kind, variant]
        if data.get("article"):
            parts.append(f"article-{int(data['article'])}")
        parts.append(data.get("label") or "")
        if data.get("shared_claim"):
            parts.append(f"shared-claim-{int(data['shared_claim'])}")
        if data.get("in_shared_claim"):
            parts.append("shared" if data["in_shared_claim"] == "yes" else "not-shared")
        if data.get("source"):
            parts.append(f"source-{int(data['source'])}")
        status = data.get("source_status")
        if status:
            parts.append("no-source" if status == "none" else f"source-{status}")
        parts.append(_slug(data.get("outlet")))
        if data.get("editor"):
            parts.append(f"by-{_slug(data['editor'].get_username())}")
        state = data.get("anchor_state")
        parts.append("needs-review" if state == "review" else state or "")
        for prefix, when in (("from", data.get("date_from")), ("to", data.get("date_to"))):
            if when:
                parts.append(f"{prefix}-{when.isoformat()}")
        if _slug(data.get("q")):
            parts.append(f"search-{_slug(data['q'])}")
        parts = [part for part in parts if part]
        while len(parts) > 1 and len("-".join(parts).encode()) > FILE_NAME_BYTES:
            parts.pop()  # the last filters named go first
        return f"{'-'.join(parts)}-{day.isoformat()}.{extension}"


ARTICLE_SORTS = {
    "-created_at": _("Newest first"),
    "created_at": _("Oldest first"),
    "-published_at": _("Recently published"),
    "title": _("Title A–Z"),
    "-n_disputed": _("Most disputed"),
    "-n_claims": _("Most claims"),
}


def _assignee_choices():
    return [("none", _("Unassigned")), *[(str(u.pk), u.get_username()) for u in _users()]]


class ArticleFilter(RefusingFilterSet):
    """Which articles: live ones, with their per-label counts, in the chosen order."""

    q = df.CharFilter(method="_search", max_length=200, label=_("Search"))
    status = df.ChoiceFilter(
        method="_status",
        empty_label=_("Any status"),
        choices=lambda: [("open", _("Not done yet")), *Article.Status.choices],
    )
    assignee = df.ChoiceFilter(
        method="_assignee", empty_label=_("Anyone"), label=_("Assignee"), choices=_assignee_choices
    )
    outlet = df.CharFilter(method="_outlet", max_length=200, label=_("Outlet"))
    no_outlet = df.BooleanFilter(
        method="_no_outlet", widget=forms.CheckboxInput, label=_("No outlet")
    )
    language = df.CharFilter(method="_language", max_length=16, label=_("Language"))
    has_disputed = df.BooleanFilter(
        method="_has_disputed", widget=forms.CheckboxInput, label=_("Has disputed claims")
    )
    date_from = df.DateFilter(
        field_name="published_at", lookup_expr="date__gte", label=_("Published from")
    )
    date_to = df.DateFilter(field_name="published_at", lookup_expr="date__lte", label=_("to"))
    sort = df.ChoiceFilter(
        method="_sort",
        empty_label=None,
        label=_("Sort"),
        choices=lambda: list(ARTICLE_SORTS.items()),
    )

    class Meta(RefusingFilterSet.Meta):
        model = Article
        fields: list[str] = []

    def __init__(self, data=None, queryset: QuerySet | None = None, **kwargs):
        if queryset is None:
            queryset = selectors.with_label_counts(
                Article.objects.alive().select_related("assignee")
            ).order_by("-created_at", "-id")
        super().__init__(data, queryset=queryset, **kwargs)

    def _search(self, articles, name, value):
        value = value.strip()
        return articles.filter(selectors.article_search(value)) if value else articles

    def _status(self, articles, name, value):
        if value == "open":  # new or in progress: what the dashboard calls still in progress
            return articles.exclude(status=Article.Status.DONE)
        return articles.filter(status=value)

    def _assignee(self, articles, name, value):
        if value == "none":
            return articles.filter(assignee__isnull=True)
        return articles.filter(assignee_id=int(value))

    def _outlet(self, articles, name, value):
        value = value.strip()
        if not value:
            return articles
        return articles.filter(outlet__in=selectors.outlet_spellings(value))

    def _no_outlet(self, articles, name, value):
        return articles.filter(outlet="") if value else articles

    def _language(self, articles, name, value):
        value = value.strip()
        return articles.filter(language=value) if value else articles

    def _has_disputed(self, articles, name, value):
        return articles.filter(n_disputed__gt=0) if value else articles

    def _sort(self, articles, name, value):
        return articles.order_by(value or "-created_at", "-id")


class SourceFilter(RefusingFilterSet):
    """The source directory: names and aliases searched, claim counts in the same query."""

    q = df.CharFilter(method="_search", max_length=200, label=_("Search"))
    kind = df.ChoiceFilter(choices=Source.Kind.choices, empty_label=_("Any kind"))
    reliability = df.ChoiceFilter(
        choices=Source.Reliability.choices, empty_label=_("Any reliability")
    )
    review_status = df.ChoiceFilter(
        choices=Source.Review.choices, empty_label=_("Any"), label=_("Review")
    )

    class Meta(RefusingFilterSet.Meta):
        model = Source
        fields: list[str] = []

    def __init__(self, data=None, queryset: QuerySet | None = None, **kwargs):
        if queryset is None:
            queryset = selectors.sources_with_counts()
        super().__init__(data, queryset=queryset, **kwargs)

    def _search(self, sources, name, value):
        value = value.strip()
        if not value:
            return sources
        matching = SourceAlias.objects.filter(name_key__contains=fold_name(value))
        return sources.filter(
            Q(pk__in=matching.values("source_id")) | Q(description__icontains=value)
        )


class SharedClaimFilter(RefusingFilterSet):
    """Shared claims, newest first, with their counts (`shared.shared_claims_with_counts`)."""

    q = df.CharFilter(method="_search", max_length=200, label=_("Search"))
    disagree = df.BooleanFilter(
        method="_disagree", widget=forms.CheckboxInput, label=_("Only where verdicts disagree")
    )

    class Meta(RefusingFilterSet.Meta):
        model = SharedClaim
        fields: list[str] = []

    def __init__(self, data=None, queryset: QuerySet | None = None, **kwargs):
        if queryset is None:
            queryset = shared.shared_claims_with_counts().order_by("-created_at", "-id")
        super().__init__(data, queryset=queryset, **kwargs)

    def _search(self, rows, name, value):
        return rows.filter(shared.search(value)) if value.strip() else rows

    def _disagree(self, rows, name, value):
        return rows.filter(disagree=True) if value else rows

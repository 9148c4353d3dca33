"""The Django admin for reviewers and admins. Every save, delete and action calls services."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from . import anchoring, labels, permissions, selectors, services
from .models import Annotation, Article, PendingSource, Source, SourceAlias

# Links typed in the admin are https unless they say otherwise.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def refuse(request: HttpRequest, message: str) -> TemplateResponse:
    """A refused admin action or save: 422 with the message, and nothing changed (Django's
    admin would redirect with an error message, which reads as success to a script)."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("admin:index")
    context = {
        **admin.site.each_context(request),
        "message": message,
        "title": "Not done",
        "back": back,
    }
    return TemplateResponse(request, "admin/refused.html", context, status=422)


class RefusalsAre422:
    """Admin pages that answer a refusal with a 4xx: an invalid form is shown again with
    422 (Django answers 200), and a service that refuses a save answers 422 with its message
    (Django would raise a 500), the admin's transaction rolled back."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            return refuse(request, " ".join(exc.messages))
        context = getattr(response, "context_data", None) or {}
        if request.method == "POST" and (
            context.get("errors")
            or getattr(context.get("adminform"), "form", None) is not None
            and context["adminform"].form.errors
        ):
            response.status_code = 422
        return response


class AliasInline(admin.TabularInline):
    model = SourceAlias
    fields = ["name", "is_primary", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SourceAdminForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"
        formfield_callback = _formfield

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        try:
            services.source_check_name(name, exclude_source=self.instance.pk and self.instance)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return name


@admin.register(Source)
class SourceAdmin(RefusalsAre422, SimpleHistoryAdmin):
    form = SourceAdminForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "name",
        "kind",
        "reliability",
        "review_status",
        "n_claims",
        "reviewed_by",
        "reviewed_at",
    ]
    list_filter = ["review_status", "kind", "reliability"]
    search_fields = ["name", "aliases__name", "description"]
    list_select_related = ["reviewed_by"]
    readonly_fields = ["review_status", "reviewed_by", "reviewed_at", "created_by", "created_at"]
    fields = [
        "name",
        "kind",
        "url",
        "description",
        "reliability",
        "review_note",
        *readonly_fields,
    ]
    inlines = [AliasInline]
    actions = ["approve", "reject", "merge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(n_claims=Count("annotations"))

    @admin.display(description="claims", ordering="n_claims")
    def n_claims(self, obj: Source) -> int:
        return obj.n_claims

    def save_model(self, request, obj: Source, form, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in form.cleaned_data}
        if change:
            services.source_update(source=obj, user=request.user, **data)
        else:
            created = services.source_create(
                user=request.user,
                **{
                    k: v
                    for k, v in data.items()
                    if k in {"name", "kind", "url", "description", "reliability"}
                },
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def _review(self, request, queryset, decision: str) -> None:
        """Decide pending sources; decided ones are reconsidered only on their own page."""
        done, skipped = 0, 0
        for source in queryset:
            try:
                services.source_review(
                    source=source,
                    user=request.user,
                    decision=decision,
                    expected_status=Source.Review.PENDING,
                )
                done += 1
            except ValidationError:
                skipped += 1
        self.message_user(request, f"{done} source(s) {decision}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} source(s) skipped: already decided. Open a source to reconsider it.",
                messages.WARNING,
            )

    @admin.action(description="Approve the selected sources", permissions=["review"])
    def approve(self, request, queryset) -> None:
        self._review(request, queryset, Source.Review.APPROVED)

    @admin.action(description="Reject the selected sources", permissions=["review"])
    def reject(self, request, queryset) -> None:
        self._review(request, queryset, Source.Review.REJECTED)

    def has_review_permission(self, request) -> bool:
        return permissions.can_review_sources(request.user)

    @admin.action(
        description="Merge the selected sources (choose which to keep)", permissions=["review"]
    )
    def merge(self, request, queryset):
        sources = list(queryset.order_by("name"))
        if len(sources) < 2:
            return refuse(request, "Select at least two sources to merge.")
        keep_id = request.POST.get("keep")
        if keep_id and request.POST.get("apply"):
            keep = next((s for s in sources if str(s.pk) == keep_id), None)
            if keep is None:
                return refuse(request, "Choose one of the selected sources to keep.")
            try:
                merged = services.source_merge(keep=keep, others=sources, user=request.user)
            except ValidationError as exc:
                return refuse(request, " ".join(exc.messages))
            twins = getattr(merged, "merged_claims", 0)
            self.message_user(
                request,
                f"Merged {len(sources) - 1} source(s) into “{keep.name}”."
                + (f" {twins} claim(s) that became the same claim were merged." if twins else ""),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "sources": sources,
            "opts": self.model._meta,
            "action": "merge",
            "title": "Merge sources: which one do you keep?",
        }
        return TemplateResponse(request, "admin/annotations/merge_sources.html", context)


@admin.register(PendingSource)
class PendingSourceAdmin(SourceAdmin):
    """The review queue: pending sources, oldest first, for reviewers."""

    list_display = ["name", "kind", "reliability", "n_claims", "created_by", "created_at"]
    list_filter = ["kind"]
    actions = ["approve", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return (
            super()
            .get_queryset(request)
            .filter(review_status=Source.Review.PENDING)
            .order_by("created_at")
        )

    def has_module_permission(self, request) -> bool:
        return permissions.can_review_sources(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_review_sources(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_review_sources(request.user)

    def has_add_permission(self, request) -> bool:
        return False


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    # The version this form was opened at: a correction saved meanwhile is not overwritten.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = "__all__"
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["body"].help_text = (
                "Saving a changed text re-anchors every claim (they follow their words or "
                "are flagged for review)."
            )

    def clean(self):
        data = super().clean()
        seen = data.get("expected_version")
        if self.instance.pk and seen and seen != Article.objects.get(pk=self.instance.pk).version:
            raise forms.ValidationError(
                "Someone saved a newer version of this article while you were editing. "
                "Nothing was overwritten: open it again to see their changes."
            )
        if self.instance.pk is None and data.get("body"):
            body = anchoring.normalise_body(data["body"])
            duplicate = services.article_find_duplicate(url=data.get("url") or "", body=body)
            if duplicate:
                raise forms.ValidationError(f"{duplicate[1]} (“{duplicate[0].title}”)")
        return data


def _label_count_column(label: labels.ClaimLabel):
    """A sortable column of the article list: its claims with that label."""
    attribute = selectors.label_count_name(label.key)

    @admin.display(description=label.name, ordering=attribute)
    def column(article: Article) -> int:
        return getattr(article, attribute)

    column.__name__ = attribute
    return column


@admin.register(Article)
class ArticleAdmin(RefusalsAre422, SimpleHistoryAdmin):
    form = ArticleAdminForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "title",
        "outlet",
        "status",
        "assignee",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["status", DeletedFilter, "language"]
    search_fields = ["title", "outlet", "url", "author"]
    list_select_related = ["assignee"]
    readonly_fields = [
        "version",
        "created_by",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
        "body_hash",
    ]
    fields = [
        "title",
        "url",
        "outlet",
        "author",
        "published_at",
        "language",
        "status",
        "assignee",
        "body",
        "expected_version",
        *readonly_fields,
    ]
    actions = ["soft_delete", "restore"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        articles = Article.objects.all()
        if not permissions.can_restore(request.user):  # deleted: for those who restore
            articles = articles.alive()
        return selectors.with_label_counts(articles)

    def get_list_filter(self, request):
        if permissions.can_restore(request.user):
            return self.list_filter
        return [f for f in self.list_filter if f is not DeletedFilter]

    def get_list_display(self, request: HttpRequest) -> list:
        """The columns, with one count per label (the registry's) after the assignee."""
        at = self.list_display.index("assignee") + 1
        counts = [_label_count_column(label) for label in labels.LABELS]
        return [*self.list_display[:at], *counts, *self.list_display[at:]]

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            # The same service as the app: optimistic locking and re-anchoring.
            result = services.article_correct(
                article=obj,
                user=request.user,
                expected_version=data.get("expected_version") or obj.version,
                body=data["body"],
                note="corrected in the admin",
                **{
                    k: data[k]
                    for k in ("title", "url", "outlet", "author", "published_at", "language")
                },
            )
            if (data["status"], data["assignee"]) != (obj.status, obj.assignee):
                services.article_update_workflow(
                    article=result.article,
                    user=request.user,
                    status=data["status"],
                    assignee=data["assignee"],
                )
            self.message_user(request, result.summary(), messages.INFO)
            return
        try:
            created = services.article_create(
                user=request.user,
                title=data["title"],
                body=data["body"],
                url=data["url"],
                outlet=data["outlet"],
                author=data["author"],
                published_at=data["published_at"],
                language=data["language"],
            )
        except services.DuplicateArticle as exc:  # raced with another import
            raise ValidationError(exc.reason) from exc
        obj.pk = created.pk

    def delete_model(self, request, obj: Article) -> None:
        services.article_delete(article=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for article in queryset:
            services.article_delete(article=article, user=request.user)

    @admin.action(description="Delete the selected articles (can be restored)")
    def soft_delete(self, request, queryset) -> None:
        self.delete_queryset(request, queryset.filter(deleted_at__isnull=True))
        self.message_user(request, "Deleted. An admin can restore them.", messages.SUCCESS)

    @admin.action(description="Restore the selected deleted articles", permissions=["restore"])
    def restore(self, request, queryset) -> None:
        for article in queryset.filter(deleted_at__isnull=False):
            services.article_restore(article=article, user=request.user)
        self.message_user(request, "Restored.", messages.SUCCESS)

    def has_restore_permission(self, request) -> bool:
        return permissions.can_restore(request.user)


class AnnotationAdminForm(forms.ModelForm):
    class Meta:
        model = Annotation
        fields = "__all__"
        formfield_callback = _formfield

    def clean(self):
        data = super().clean()
        new = self.instance.pk is None
        if new and data.get("article") and None not in (data.get("start"), data.get("end")):
            try:
                anchoring.check_span(
                    data["article"].body, data["start"], data["end"], data.get("quote") or ""
                )
            except anchoring.AnchorError as exc:
                raise forms.ValidationError(str(exc)) from exc
        if data.get("label"):
            source = data.get("source")
            keeps = not new and source is not None and source.pk == self.instance.source_id
            services.claim_check_source(data["label"], source, newly_attached=not keeps)
        return data


@admin.register(Annotation)
class AnnotationAdmin(RefusalsAre422, SimpleHistoryAdmin):
    form = AnnotationAdminForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "short_quote",
        "label",
        "grade",
        "source",
        "article",
        "created_by",
        "anchor_state",
        "created_at",
    ]
    list_filter = [
        "label",
        "anchor_state",
        ("source", admin.RelatedOnlyFieldListFilter),
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["quote", "note", "source__name", "article__title"]
    list_select_related = ["article", "source", "created_by"]
    raw_id_fields = ["article", "source"]
    readonly_fields = [
        "prefix",
        "suffix",
        "anchor_state",
        "original_quote",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    ]
    fields = [
        "article",
        "start",
        "end",
        "quote",
        "label",
        "source",
        "credibility",
        "note",
        "evidence_url",
        *readonly_fields,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Annotation]:
        claims = super().get_queryset(request)
        if not permissions.can_restore(request.user):  # claims of deleted articles too
            claims = claims.filter(article__deleted_at__isnull=True)
        return claims

    @admin.display(description="quote")
    def short_quote(self, obj: Annotation) -> str:
        return obj.quote if len(obj.quote) <= 80 else obj.quote[:79] + "…"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the span moves only with the text (corrections re-anchor)
            return ["article", "start", "end", "quote", *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return permissions.can_change_annotation(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is None:
            return request.user.has_perm("annotations.delete_annotation")
        return permissions.can_change_annotation(request.user, obj)

    def save_model(self, request, obj: Annotation, form, change: bool) -> None:
        data = form.cleaned_data
        details = {k: data[k] for k in ("label", "source", "credibility", "note", "evidence_url")}
        if change:
            services.annotation_update(annotation=obj, user=request.user, **details)
            return
        result = services.annotation_create(
            article=data["article"],
            user=request.user,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            **details,
        )
        obj.pk = result.annotation.pk

    def delete_model(self, request, obj: Annotation) -> None:
        services.annotation_delete(annotation=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for claim in queryset:
            if permissions.can_change_annotation(request.user, claim):
                with contextlib.suppress(services.ClaimGone):  # deleted meanwhile: fine
                    services.annotation_delete(annotation=claim, user=request.user)

"""The admin of claims: created and changed through the services, which check every span."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .. import anchoring, permissions, services
from ..models import Annotation
from .common import URL_FIELDS, RefusalsAre422, _formfield


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
        "public_summary",
        "evidence_url",
        *readonly_fields,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Annotation]:
        claims = super().get_queryset(request)
        if not permissions.can_restore(request.user):  # claims of deleted articles too
            claims = claims.filter(article__deleted_at__isnull=True)
        return claims

    @admin.display(description=gettext_lazy("quote"))
    def short_quote(self, obj: Annotation) -> str:
        return obj.quote if len(obj.quote) <= 80 else obj.quote[:79] + "…"

    @admin.display(description=gettext_lazy("grade"))
    def grade(self, obj: Annotation) -> str:
        return obj.grade

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
        fields = ("label", "source", "credibility", "note", "public_summary", "evidence_url")
        details = {k: data[k] for k in fields}
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

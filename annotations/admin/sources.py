"""The admin of sources, their names, the review queue, and merging."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .. import permissions, services
from ..models import PendingSource, Source, SourceAlias
from .common import URL_FIELDS, RefusalsAre422, _formfield, refuse


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
            return refuse(request, _("Select at least two sources to merge."))
        keep_id = request.POST.get("keep")
        if keep_id and request.POST.get("apply"):
            keep = next((s for s in sources if str(s.pk) == keep_id), None)
            if keep is None:
                return refuse(request, _("Choose one of the selected sources to keep."))
            try:
                merged = services.source_merge(keep=keep, others=sources, user=request.user)
            except ValidationError as exc:
                return refuse(request, " ".join(exc.messages))
            twins = getattr(merged, "merged_claims", 0)
            self.message_user(
                request,
                ngettext(
                    "Merged %(n)d source into “%(name)s”.",
                    "Merged %(n)d sources into “%(name)s”.",
                    len(sources) - 1,
                )
                % {"n": len(sources) - 1, "name": keep.name}
                + (
                    " "
                    + ngettext(
                        "%(n)d claim that became the same claim was merged.",
                        "%(n)d claims that became the same claim were merged.",
                        twins,
                    )
                    % {"n": twins}
                    if twins
                    else ""
                ),
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

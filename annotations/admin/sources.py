"""The admin of sources, their names, the review queue, and merging."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminRadioSelect
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from .. import permissions, services
from ..models import PendingSource, Source, SourceAlias
from ..text import TextRulesForm
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
    """A source's own fields (and, on the add page, a reviewer's first grade)."""

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


def _grade_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *Source.Reliability.choices]


class SourceReviewAdminForm(SourceAdminForm):
    """A reviewer's change form: the source, and its review decided on the same page.

    Changing the status is the decision (a decided source's turn-around included), made by
    `services.source_review`, which records who and when. The status the reviewer saw rides
    along: if someone else decided meanwhile, the save is refused. Approving is never blind:
    a source that is not approved yet shows no grade preselected, and approving it needs a
    grade chosen (F too, if its reliability cannot be judged)."""

    reliability = forms.ChoiceField(
        required=False,
        choices=_grade_choices(gettext_lazy("Keep the grade")),
        label=gettext_lazy("Reliability"),
    )
    seen_status = forms.CharField(
        required=False, widget=forms.HiddenInput, label=gettext_lazy("Review status seen")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.instance
        self.fields["review_status"].label = gettext_lazy("Review status")
        self.fields["review_status"].help_text = gettext_lazy(
            "Approve or reject here; changing a decision reconsiders it. If someone else "
            "decides this source before you save, nothing is saved and you are told."
        )
        self.fields["review_note"].label = gettext_lazy("Review note")
        self.fields["seen_status"].initial = source.review_status
        if source.review_status != Source.Review.APPROVED:
            self.initial["reliability"] = ""
            self.fields["reliability"].choices = _grade_choices(gettext_lazy("Choose a grade"))
            self.fields["reliability"].help_text = _(
                "Now %(grade)s. To approve it, choose the grade it is approved at (F too, if "
                "its reliability cannot be judged). Left empty, the grade stays as it is."
            ) % {"grade": source.get_reliability_display()}

    def clean(self):
        data = super().clean()
        seen, status = data.get("seen_status"), data.get("review_status")
        if seen not in Source.Review.values:
            raise ValidationError(
                _("The page did not say which review status you saw. Reload it and try again.")
            )
        if status == Source.Review.PENDING and seen != Source.Review.PENDING:
            self.add_error(
                "review_status",
                _("A decided source does not go back to pending: approve or reject it."),
            )
        if (
            status == Source.Review.APPROVED
            and seen != Source.Review.APPROVED
            and not data.get("reliability")
        ):
            self.add_error(
                "reliability",
                _(
                    "Choose the reliability grade to approve this source at (F if its "
                    "reliability cannot be judged)."
                ),
            )
        return data


class ApproveSourcesForm(TextRulesForm):
    """The grade (and an optional note) that the selected sources are approved at."""

    reliability = forms.ChoiceField(
        choices=Source.Reliability.choices,
        widget=AdminRadioSelect(attrs={"class": "radiolist"}),
        label=gettext_lazy("Reliability"),
        error_messages={
            "required": gettext_lazy(
                "Choose a reliability grade: the sources are approved at it (F if their "
                "reliability cannot be judged)."
            )
        },
    )
    note = forms.CharField(
        required=False,
        label=gettext_lazy("Review note"),
        help_text=gettext_lazy("Optional. Left empty, each source keeps the note it has."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


# The fields a source's owner (any user who may change sources) edits; the rest is review.
OWN_FIELDS = ["name", "kind", "url", "description"]
REVIEW_FIELDS = ["review_status", "reliability", "review_note"]


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
    inlines = [AliasInline]
    actions = ["approve", "reject", "merge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(n_claims=Count("annotations"))

    @admin.display(description=gettext_lazy("claims"), ordering="n_claims")
    def n_claims(self, obj: Source) -> int:
        return obj.n_claims

    def _reviews_here(self, request, obj) -> bool:
        """Whether this page decides the review: a reviewer's change form."""
        return obj is not None and permissions.can_review_sources(request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # a new source waits for review; a reviewer may grade it already
            grade = ["reliability"] if permissions.can_review_sources(request.user) else []
            return [(None, {"fields": [*OWN_FIELDS, *grade]})]
        review = [*REVIEW_FIELDS, "reviewed_by", "reviewed_at"]
        if self._reviews_here(request, obj):
            review.append("seen_status")
        return [
            (None, {"fields": [*OWN_FIELDS, "created_by", "created_at"]}),
            (_("Review"), {"fields": review}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["reviewed_by", "reviewed_at", "created_by", "created_at"]
        if obj is not None and not self._reviews_here(request, obj):
            readonly += REVIEW_FIELDS
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._reviews_here(request, obj):
            kwargs["form"] = SourceReviewAdminForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj: Source, form, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.source_create(
                user=request.user,
                **{k: data[k] for k in [*OWN_FIELDS, "reliability"] if k in data},
            )
            obj.pk = created.pk
            return
        # The form has written its values into `obj`: the services start from the stored row.
        source = Source.objects.get(pk=obj.pk)
        own = {k: data[k] for k in OWN_FIELDS if data[k] != getattr(source, k)}
        if own:
            source = services.source_update(source=source, user=request.user, **own)
        if isinstance(form, SourceReviewAdminForm):
            self._decide(request, source, data)

    def _decide(self, request, source: Source, data: dict) -> None:
        """The review part of a reviewer's change form, through the services."""
        status, seen = data["review_status"], data["seen_status"]
        grade, note = data["reliability"] or source.reliability, data["review_note"]
        if status == Source.Review.PENDING:  # still undecided: a grade or note meanwhile
            changes = {
                k: v
                for k, v in (("reliability", grade), ("review_note", note))
                if v != getattr(source, k)
            }
            if changes:
                services.source_update(
                    source=source, user=request.user, expected_status=seen, **changes
                )
        elif (status, grade, note) != (seen, source.reliability, source.review_note):
            services.source_review(
                source=source,
                user=request.user,
                decision=status,
                reliability=grade,
                note=note,
                expected_status=seen,
                reconsider=status != seen,
            )

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def _review(
        self, request, queryset, decision: str, *, reliability: str | None = None, note=None
    ) -> None:
        """Decide pending sources; decided ones are reconsidered only on their own page."""
        done, skipped = 0, 0
        for source in queryset:
            try:
                services.source_review(
                    source=source,
                    user=request.user,
                    decision=decision,
                    reliability=reliability,
                    note=note,
                    expected_status=Source.Review.PENDING,
                )
                done += 1
            except ValidationError:
                skipped += 1
        # Selected, but gone from the list meanwhile (the queue lists pending sources only).
        if not request.POST.get("select_across"):
            skipped += len(set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))) - len(queryset)
        if done:
            message = (
                ngettext(
                    "%(n)d source approved at reliability %(grade)s.",
                    "%(n)d sources approved at reliability %(grade)s.",
                    done,
                )
                if decision == Source.Review.APPROVED
                else ngettext("%(n)d source rejected.", "%(n)d sources rejected.", done)
            )
            self.message_user(
                request, message % {"n": done, "grade": reliability}, messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d source skipped: it is not pending any more. Open it to reconsider "
                    "its decision.",
                    "%(n)d sources skipped: they are not pending any more. Open a source to "
                    "reconsider its decision.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=gettext_lazy("Approve the selected sources (choose their grade)"),
        permissions=["review"],
    )
    def approve(self, request, queryset):
        """Ask for the grade first (a page like Django's delete confirmation), then approve."""
        sources = list(queryset.order_by("name"))
        form = ApproveSourcesForm(request.POST if request.POST.get("apply") else None)
        if form.is_valid():
            data = form.cleaned_data
            self._review(
                request,
                sources,
                Source.Review.APPROVED,
                reliability=data["reliability"],
                note=data["note"] or None,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Approve sources: at which reliability?"),
            "sources": sources,
            "form": form,
            "opts": self.opts,
            "action": "approve",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request,
            "admin/annotations/approve_sources.html",
            context,
            status=422 if form.is_bound else 200,
        )

    @admin.action(description=gettext_lazy("Reject the selected sources"), permissions=["review"])
    def reject(self, request, queryset) -> None:
        self._review(request, list(queryset), Source.Review.REJECTED)

    def has_review_permission(self, request) -> bool:
        return permissions.can_review_sources(request.user)

    @admin.action(
        description=gettext_lazy("Merge the selected sources (choose which to keep)"),
        permissions=["review"],
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
            "title": _("Merge sources: which one do you keep?"),
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

    def history_view(self, request, object_id, extra_context=None):
        """The queue is a view of Source, which keeps the history: its history is the
        source's own (the proxy has no history model to read)."""
        return redirect("admin:annotations_source_history", object_id)

    def response_change(self, request, obj):
        """ "Save and continue editing" on a source just decided: it has left the queue, so
        the editing continues on the source's own page."""
        response = super().response_change(request, obj)
        if (
            "_continue" in request.POST
            and not self.get_queryset(request).filter(pk=obj.pk).exists()
        ):
            return HttpResponseRedirect(reverse("admin:annotations_source_change", args=[obj.pk]))
        return response

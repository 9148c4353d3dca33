"""The admin of articles: corrections through the service, soft delete and restore."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .. import anchoring, labels, permissions, selectors, services
from ..models import Article
from .common import URL_FIELDS, RefusalsAre422, _formfield


class DeletedFilter(admin.SimpleListFilter):
    title = gettext_lazy("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", gettext_lazy("Live")), ("yes", gettext_lazy("Deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    # The version this form was opened at: a correction saved meanwhile is not overwritten.
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, label=gettext_lazy("Expected version")
    )

    class Meta:
        model = Article
        fields = "__all__"
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["body"].help_text = gettext_lazy(
                "Saving a changed text re-anchors every claim (they follow their words or "
                "are flagged for review)."
            )

    def clean(self):
        data = super().clean()
        seen = data.get("expected_version")
        if self.instance.pk and seen and seen != Article.objects.get(pk=self.instance.pk).version:
            raise forms.ValidationError(
                gettext_lazy(
                    "Someone saved a newer version of this article while you were editing. "
                    "Nothing was overwritten: open it again to see their changes."
                )
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

    @admin.action(description=gettext_lazy("Delete the selected articles (can be restored)"))
    def soft_delete(self, request, queryset) -> None:
        self.delete_queryset(request, queryset.filter(deleted_at__isnull=True))
        self.message_user(request, _("Deleted. An admin can restore them."), messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Restore the selected deleted articles"), permissions=["restore"]
    )
    def restore(self, request, queryset) -> None:
        for article in queryset.filter(deleted_at__isnull=False):
            services.article_restore(article=article, user=request.user)
        self.message_user(request, _("Restored."), messages.SUCCESS)

    def has_restore_permission(self, request) -> bool:
        return permissions.can_restore(request.user)

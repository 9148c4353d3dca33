"""Personal API tokens in the admin: listed and read, never made or edited here (a person
makes their own on their tokens page, `create_api_token` makes one for a script), and
revoked through the service. The token's SHA-256 is never shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import services
from ..models import ApiToken
from .common import RefusalsAre422


class RevokedFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Active")), ("no", gettext_lazy("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(RefusalsAre422, admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("user", admin.RelatedOnlyFieldListFilter), RevokedFilter]
    search_fields = ["name", "hint", "user__username"]
    list_select_related = ["user"]
    fields = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoked tokens stay, for the record

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.api_token_revoke(token=token, user=request.user)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", done) % {"n": done}
            if done
            else _("The selected tokens were already revoked."),
            messages.SUCCESS if done else messages.INFO,
        )

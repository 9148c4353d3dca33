"""A desk's own cues for suggested claims: reviewers add, change and delete them here.
A pattern that does not compile, or that backtracks without end on the probe texts, is
refused with a readable message on the form (`cues.validate_cue`, through the model)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .. import services
from ..models import DeskCue
from .common import RefusalsAre422


@admin.register(DeskCue)
class DeskCueAdmin(RefusalsAre422, admin.ModelAdmin):
    list_display = ["phrase", "kind", "role", "language", "active", "created_by", "created_at"]
    list_filter = ["active", "kind", "role", "language"]
    search_fields = ["phrase"]
    list_select_related = ["created_by"]
    fields = ["phrase", "kind", "role", "language", "active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: DeskCue, form, change: bool) -> None:
        services.desk_cue_save(cue=obj, user=request.user)

    def delete_model(self, request: HttpRequest, obj: DeskCue) -> None:
        services.desk_cue_delete(cue=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for cue in queryset:
            services.desk_cue_delete(cue=cue, user=request.user)

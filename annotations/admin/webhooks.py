"""Webhooks in the admin (admins only): endpoints registered, changed, disabled through the
service; the secret shown once, on the page that answers the add, never again (not in the
form, the list, a message, any history or log); each endpoint's delivery log, attempt by
attempt."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from .. import services
from ..forms import HttpUrlField
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .common import RefusalsAre422


class EndpointForm(forms.ModelForm):
    url = HttpUrlField(label=gettext_lazy("URL"))
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Events"),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "enabled"]
        widgets = {"url": forms.URLInput(attrs={"size": 80})}


class AdminsOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdminsOnly, RefusalsAre422, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "enabled", "event_list", "delivery_log"]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    @admin.display(description=gettext_lazy("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description=gettext_lazy("delivery log"))
    def delivery_log(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:annotations_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>', url, urlencode({"endpoint__id__exact": endpoint.pk}),
            gettext_lazy("Deliveries"),
        )  # fmt: skip

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "name": data["name"], "url": data["url"], "events": list(data["events"]),
            "enabled": data["enabled"],
        }  # fmt: skip
        if change:
            saved = services.webhook_endpoint_update(user=request.user, endpoint=obj, **fields)
        else:
            saved, secret = services.webhook_endpoint_create(user=request.user, **fields)
            obj._new_secret = secret  # for response_add, this request only
        obj.pk, obj.secret = saved.pk, saved.secret

    def response_add(self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue=None):
        """The secret, once: on this page, which no cache keeps."""
        context = {
            **self.admin_site.each_context(request),
            "title": gettext_lazy("The endpoint's signing secret"),
            "endpoint": obj,
            "secret": obj._new_secret,
            "opts": self.model._meta,
            "back": reverse("admin:annotations_webhookendpoint_changelist"),
        }
        template = "admin/annotations/webhookendpoint/secret.html"
        return _no_store(TemplateResponse(request, template, context))


def _no_store(response):
    from django.utils.cache import add_never_cache_headers

    add_never_cache_headers(response)
    return response


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminsOnly, RefusalsAre422, admin.ModelAdmin):
    """The delivery log: each event sent to each endpoint, and every attempt."""

    list_display = ["created_at", "event", "endpoint", "state", "attempts", "delivered_at"]
    list_filter = ["state", "event", ("endpoint", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["endpoint"]
    fields = [
        "endpoint",
        "event",
        "event_id",
        "state",
        "attempts",
        "created_at",
        "delivered_at",
        "payload",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

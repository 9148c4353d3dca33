"""What the admin pages share: https links by default, and refusals answered with 422."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

# Links typed in the admin are https unless they say otherwise.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def refuse(request: HttpRequest, message: str, *, status: int = 422) -> TemplateResponse:
    """A refused admin action or save: 422 (or `status`) with the message, and nothing
    changed (Django's admin would redirect with an error message, which reads as success to
    a script)."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("admin:index")
    context = {
        **admin.site.each_context(request),
        "message": message,
        "title": _("Not done"),
        "back": back,
    }
    return TemplateResponse(request, "admin/refused.html", context, status=status)


class RefusalsAre422:
    """Admin pages that answer a refusal with a 4xx: an invalid form is shown again with
    422 (Django answers 200), a service that refuses a save answers 422 with its message
    (Django would raise a 500), the admin's transaction rolled back, and an action the user
    may not run answers 403 (Django would redirect with "No action selected")."""

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action and action not in self.get_actions(request):
            return refuse(request, _("You may not run that action."), status=403)
        return super().changelist_view(request, extra_context)

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

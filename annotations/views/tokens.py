"""Personal API tokens: a signed-in person with a role lists, makes and revokes their own
(an admin revokes anyone's in the admin). A new token is shown once, on the page that
answers the POST that made it: it is never stored (the database keeps its SHA-256), not
even for a moment in the session, so a redirect could not show it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import ApiTokenForm
from ..models import ApiToken

TOKENS_LISTED = 200


def _list_page(request: HttpRequest, form: ApiTokenForm, status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)[:TOKENS_LISTED]
    if form.errors:  # the keyboard starts where the problem is
        form.fields["name"].widget.attrs["autofocus"] = True
    context = {"form": form, "tokens": tokens}
    return render(request, "annotations/token_list.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Your tokens; POST makes one, and the answer shows it, once."""
    if request.method == "GET":
        return _list_page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=422)
    try:
        token, key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    except ValidationError as exc:
        form.add_error(None, exc)  # the name's problem by the name, the rest above it
        return _list_page(request, form, status=422)
    response = render(request, "annotations/token_created.html", {"token": token, "key": key})
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET), then revoke (POST): scripts that use the token stop working."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "GET":
        return render(request, "annotations/token_revoke.html", {"token": token})
    was_active = token.is_active
    services.api_token_revoke(token=token, user=request.user)
    if was_active:
        messages.success(
            request, _("“%(name)s” is revoked: it no longer works.") % {"name": token.name}
        )
    return redirect("annotations:token-list")

"""A person's own settings: the interface's language, from the menu's switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .. import services
from ..forms import LanguageForm, form_errors
from ..services.profiles import LANGUAGE_SESSION_KEY


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Keep the chosen language and go back to the page (`next`). Signed in: on the
    profile, so it follows the person to any browser; everyone: in Django's language cookie
    (set_language), which a signed-out page (sign-in) reads. Blank: follow the browser again.
    A language the desk does not offer is refused (400) and nothing changes."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        message = form_errors(form)
        return render(request, "400.html", {"message": message}, status=400)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.profile_set_language(user=request.user, language=language)
        request.session[LANGUAGE_SESSION_KEY] = language
    response = set_language(request)  # the cookie; the redirect to a safe `next`
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response

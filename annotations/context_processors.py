from django.conf import settings
from django.http import HttpRequest

from . import labels
from .models import PUBLIC_SUMMARY_MAX, Annotation, Source
from .permissions import role_name
from .services.profiles import LANGUAGE_SESSION_KEY


def site(request: HttpRequest) -> dict:
    """What every page needs: the desk's name and the labels (the registry: names, keys,
    glossary)."""
    return {
        "desk_name": settings.DESK_NAME,
        "claim_labels": labels.LABELS,
        "source_kinds": Source.Kind.choices,
        "credibility_choices": Annotation.Credibility.choices,
        "public_summary_max": PUBLIC_SUMMARY_MAX,
        "role_name": (lambda: role_name(request.user)) if hasattr(request, "user") else "",
        "language_choice": lambda: _language_choice(request),
    }


def _language_choice(request: HttpRequest) -> str:
    """What the menu's switcher shows as chosen: the profile's language (signed in), the
    cookie's (signed out), or "" (the browser's)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(request, "session"):
        return request.session.get(LANGUAGE_SESSION_KEY, "")
    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")

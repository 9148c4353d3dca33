from django.conf import settings
from django.http import HttpRequest

from . import labels
from .models import PUBLIC_SUMMARY_MAX, Annotation, Source
from .permissions import role_name


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
    }

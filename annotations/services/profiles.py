"""A person's own settings (their profile): for now, the interface's language."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..models import UserProfile

__all__ = ["LANGUAGE_SESSION_KEY", "profile_language", "profile_set_language"]

# The profile's language, copied into the session when the user signs in (so that a request
# reads it with the session, not with one more query) and whenever they change it.
LANGUAGE_SESSION_KEY = "profile_language"


def profile_language(*, user: AbstractBaseUser) -> str:
    """The language the user chose ("" when they follow the browser)."""
    return UserProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""


@transaction.atomic
def profile_set_language(*, user: AbstractBaseUser, language: str) -> UserProfile:
    """Keep `language` ("" for the browser's) on the user's profile, made if need be. Every
    signed-in user may choose their own language; a code not in LANGUAGES is refused by the
    field's choices (ValidationError) and by the database's check."""
    profile = UserProfile.objects.select_for_update().filter(user=user).first()
    profile = profile or UserProfile(user=user)
    profile.language = language
    profile.full_clean(exclude=["user"] if profile.pk else None)
    profile.save()
    return profile

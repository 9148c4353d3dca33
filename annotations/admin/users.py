"""Users in the admin, as Django makes them, with their profile (the interface's language)
beside them. The profile is saved through the service, as every write is."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .. import services
from ..models import UserProfile


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    fields = ["language"]
    can_delete = False
    max_num = 1
    extra = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithProfileAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UserProfileInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not UserProfile:
            return super().save_formset(request, form, formset, change)
        for profile_form in formset.forms:
            if profile_form.has_changed() or profile_form.instance.pk:
                services.profile_set_language(
                    user=form.instance, language=profile_form.cleaned_data.get("language", "")
                )
        return None

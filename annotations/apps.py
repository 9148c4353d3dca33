from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnotationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "annotations"
    verbose_name = _("Claims and sources")

    def ready(self) -> None:
        from . import jobs, lookups  # noqa: F401 - jobs registers its system check

        lookups.install()

        from .history import cache_history_managers

        cache_history_managers()

        from . import verbose

        verbose.apply(self)  # the models' and fields' names people read, translated

        from django.contrib.auth.signals import user_logged_in

        from .middleware import apply_profile_language

        # A signed-in user's chosen language, applied by UserLanguageMiddleware.
        user_logged_in.connect(apply_profile_language, dispatch_uid="profile-language")

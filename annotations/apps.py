import os
import sys
import threading

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

        if _serving_with_runserver():
            # `make run`: the matcher's dictionaries load beside the server as it starts, as
            # gunicorn's workers load them before their first request (newsroom/gunicorn_conf),
            # so that the first claim saved does not wait for them.
            from .similarity import warm_up

            threading.Thread(target=warm_up, name="similarity-warm-up", daemon=True).start()


def _serving_with_runserver() -> bool:
    """This process is runserver's server: the autoreloader's child (RUN_MAIN), or the one
    process of `--noreload`; not the parent that only watches the files."""
    if sys.argv[1:2] != ["runserver"]:
        return False
    return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv

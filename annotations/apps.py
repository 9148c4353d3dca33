from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "annotations"
    verbose_name = "Claims and sources"

    def ready(self) -> None:
        from . import jobs, lookups  # noqa: F401 - jobs registers its system check

        lookups.install()

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "annotations"
    verbose_name = "Claims and sources"

    def ready(self) -> None:
        from . import lookups

        lookups.install()

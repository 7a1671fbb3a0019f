from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archives"
    verbose_name = "干部档案"

    def ready(self):
        from . import auth_events  # noqa: F401 (connects the audit-log receivers)

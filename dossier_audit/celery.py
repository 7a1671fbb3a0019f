import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dossier_audit.settings")

app = Celery("dossier_audit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

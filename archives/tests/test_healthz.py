"""/healthz answers 503 when the database is down (issue 11, item 9), found for real: a separate
Django process whose DATABASE_URL points at a closed PostgreSQL port (or an SQLite file that
cannot be opened) answers the health check through the whole stack (middleware, URL, view,
a real connection attempt), with no mock. Against a database it can open, the same process
answers 200, so the 503 is the database's doing."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

CHECK = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="127.0.0.1")
print(response.status_code, response.content.decode())
"""


def health(database_url: str) -> tuple[int, dict]:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "dossier_audit.settings", "DATABASE_URL": database_url, "DJANGO_LOG_LEVEL": "CRITICAL"}
    result = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=True)  # noqa: S603 (our own interpreter, fixed code)
    status, body = result.stdout.strip().split(" ", 1)
    return int(status), json.loads(body)


@pytest.mark.parametrize(
    "database_url",
    ["postgres://postgres@127.0.0.1:1/dossier_audit", "sqlite:////nonexistent-directory/db.sqlite3"],
    ids=["postgresql-closed-port", "sqlite-unopenable"],
)
def test_healthz_is_503_when_the_database_is_down(database_url):
    status, body = health(database_url)
    assert status == 503
    assert body["database"] is False and body["status"] == "error" and body["database_error"] == "OperationalError"


def test_the_same_check_answers_200_with_a_database_it_can_open(tmp_path):
    status, body = health(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert (status, body["database"], body["status"]) == (200, True, "ok")

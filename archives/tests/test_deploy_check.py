"""Production settings pass Django's deployment checks, HTTPS included (issue 11, item 5)."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_LOG_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "dangan.example.gov.cn",
        **extra,
    }


def run(*args, env):
    # Our own interpreter with fixed arguments: a fresh process reads the settings from `env`.
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)  # noqa: S603


def manage(*args, env):
    return run("manage.py", *args, env=env)


def setting(code, env):
    return run("-c", f"import dossier_audit.settings as s; {code}", env=env).stdout.strip()


def test_check_deploy_passes_at_warning_level_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE)", "True 31536000 True True"),
        ("print(s.SECURE_REDIRECT_EXEMPT)", "['^healthz$']"),
    ],
)
def test_production_redirects_to_https_and_sends_hsts(code, expected):
    assert setting(code, production_env()) == expected


def test_a_plain_http_intranet_test_switches_https_off_and_the_check_says_so():
    env = production_env(DJANGO_HTTPS="0", DJANGO_SECURE_COOKIES="0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr  # HSTS, redirect


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted_only_when_told():
    code = "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    assert setting(code, production_env()) == "None"
    assert setting(code, production_env(DJANGO_PROXY_SSL_HEADER="1")) == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_pages_redirect_to_https_but_the_health_check_answers_on_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT, settings.SECURE_REDIRECT_EXEMPT, settings.SECURE_HSTS_SECONDS = True, [r"^healthz$"], 31536000
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200 and secure["Strict-Transport-Security"] == "max-age=31536000"

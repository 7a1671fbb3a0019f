"""Under `make run` (DJANGO_DEBUG=1) a missing page or a crash shows the product's own pages,
never Django's technical pages (URL list, traceback), unless DJANGO_DEBUG_PAGES=1."""

import pytest
from django.urls import include, path

pytestmark = pytest.mark.django_db


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash/", crash), path("", include("dossier_audit.urls"))]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = False
    settings.ROOT_URLCONF = __name__
    return settings


def test_a_missing_page_shows_the_products_404(client, debug, auditor):
    client.force_login(auditor)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html
    assert "URLconf" not in html and "Django" not in html


def test_a_crash_shows_the_products_500(client, debug, auditor):
    client.raise_request_exception = False
    client.force_login(auditor)
    response = client.get("/crash/")
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in html
    assert "Traceback" not in html and "boom" not in html


def test_the_technical_pages_only_when_asked_for(client, debug):
    debug.DEBUG_ERROR_PAGES = True
    assert "URLconf" in client.get("/no-such-page/").content.decode()

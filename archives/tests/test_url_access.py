"""Every page but login and /healthz needs a logged-in user (INTERFACES.md): anonymous requests
to any route, by GET or POST, are sent to the login page (the role check comes before the
method check, so an anonymous visitor learns nothing about a route)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Logging out is open to anyone (it only ends a session); the rest is the spec's list.
PUBLIC = {"login", "logout", "healthz", "set_language", "javascript-catalog"}


def iter_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site guards itself (its own login page)
            yield from iter_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern)


def concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:slug|str):[^>]+>", "roster", route)
    route = re.sub(r"<[^>]+>", "1", route)
    return "/" + route.lstrip("^").rstrip("$")


ROUTES = sorted({(name, concrete(route)) for name, route in iter_patterns() if name not in PUBLIC})


def test_the_route_list_is_not_empty():
    assert len(ROUTES) > 40


@pytest.mark.parametrize(("name", "url"), ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_requests_are_sent_to_login(client, name, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302, f"{name} {url}: {response.status_code}"
    assert response.url.startswith("/accounts/login/"), f"{name} {url}: {response.url}"


OPEN_TO_ANY_USER = {"home", "password_change", "password_change_done"}


@pytest.mark.parametrize(("name", "url"), [r for r in ROUTES if r[0] not in OPEN_TO_ANY_USER])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_user_without_a_role_is_refused_everywhere(client, outsider, name, url, method):
    client.force_login(outsider)
    response = getattr(client, method)(url)
    assert response.status_code == 403, f"{name} {url}: {response.status_code}"

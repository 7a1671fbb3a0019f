"""Browser tests in the Debian Chromium through Playwright, against pytest-django's live_server.

Not pytest-playwright: one module-scoped browser, one context per person (their own cookies),
and a watcher on every page that collects what a person would see as broken: console errors,
failed or missing static files, and any request leaving the product's own server (the product
runs on an intranet without Internet access).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# ORM calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
SHOTS_DIR = os.environ.get("E2E_SHOTS_DIR", "")  # set to a folder to keep screenshots of each step


@dataclass
class Watcher:
    """What went wrong on the pages of one browser context."""

    base_url: str
    console_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def on_request(self, request):
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        origin = urlparse(self.base_url)
        parsed = urlparse(url)
        if (parsed.scheme, parsed.hostname, parsed.port) != (origin.scheme, origin.hostname, origin.port):
            self.foreign_requests.append(url)

    def on_response(self, response):
        path = urlparse(response.url).path
        if response.status >= 400 and (path.startswith("/static/") or response.status not in self.expected_statuses):
            self.bad_responses.append(f"{response.status} {response.url}")
        if response.request.resource_type == "document":
            self.pages.append(path)

    def on_console(self, message):
        if message.type != "error":
            return
        text = message.text
        # A page the test deliberately opens with an error status (403) is reported by Chromium
        # as a failed resource; it is checked through on_response instead.
        if any(f"status of {status} " in text for status in self.expected_statuses):
            return
        self.console_errors.append(f"{text} @ {message.location.get('url', '')}")

    def problems(self) -> list[str]:
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"bad response: {r}" for r in self.bad_responses]
            + [f"request to another host: {u}" for u in self.foreign_requests]
        )


class Person:
    """One logged-in user: a browser context of their own and the page they work in."""

    def __init__(self, browser, base_url: str, username: str, password: str):
        self.base_url = base_url
        self.username = username
        self.watcher = Watcher(base_url)
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on("request", self.watcher.on_request)
        self.page = self.context.new_page()
        self.page.on("console", self.watcher.on_console)
        self.page.on("response", self.watcher.on_response)
        if username:
            self.login(password)

    def login(self, password: str):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", self.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))

    def goto(self, path: str):
        response = self.page.goto(path)
        self.page.wait_for_load_state("load")
        return response

    def shot(self, name: str):
        if SHOTS_DIR:
            os.makedirs(SHOTS_DIR, exist_ok=True)
            self.page.screenshot(path=os.path.join(SHOTS_DIR, f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (make installs the Debian chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def people(browser, live_server):
    """`people(username, password)` opens a logged-in browser context; at the end of the test,
    every page each person loaded must have been free of console errors, missing static files
    and requests to other hosts."""
    opened: list[Person] = []

    def open_as(username: str, password: str = "", *, expected_statuses=()) -> Person:
        person = Person(browser, live_server.url, username, password)
        person.watcher.expected_statuses.update(expected_statuses)
        opened.append(person)
        return person

    yield open_as
    problems = [f"{p.username or 'anonymous'}: {problem}" for p in opened for problem in p.watcher.problems()]
    for person in opened:
        person.close()
    assert not problems, "\n".join(problems)

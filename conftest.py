"""Named role fixtures shared by every app's tests (Healthchecks' Alice, Bob and Charlie)."""

import os

import pytest

from archives.roles import Role
from archives.tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` or `broker` skip on SQLite before any database set-up.

    They need real row locks or a worker process sharing the test database, which SQLite's
    in-memory test database cannot give; the PostgreSQL run (CI) executes them.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks, or a worker sharing the test database); run in the PostgreSQL pass")
    for item in items:
        if item.get_closest_marker("postgres") or item.get_closest_marker("broker"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests end with a flush that empties the tables data migrations fill (role
    groups, material categories); put them back before each such test by running that very
    migration's function, so nothing is written twice and no test depends on test order."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        (marker is not None and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    )
    if not transactional:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    importlib.import_module("archives.migrations.0002_roles_and_categories").forwards(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the product's default language: LocaleMiddleware leaves the language
    of a request active in the thread, and an English request must not leak into the next test."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Role fixtures hash a password each; PBKDF2's deliberate slowness has no place in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _audit_log_checkpoint_dir(settings, tmp_path):
    # Each test its own checkpoints: never the developer's var/ (another database's log).
    settings.AUDIT_LOG_CHECKPOINT_DIR = tmp_path / "audit_log_checkpoints"


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor_a", first_name="张审核", roles=[Role.AUDITOR])


@pytest.fixture
def other_auditor(db):
    return UserFactory(username="auditor_b", first_name="李审核", roles=[Role.AUDITOR])


@pytest.fixture
def third_auditor(db):
    return UserFactory(username="auditor_c", first_name="王审核", roles=[Role.AUDITOR])


@pytest.fixture
def chief(db):
    return UserFactory(username="chief", first_name="赵科长", roles=[Role.CHIEF])


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", first_name="钱部长", roles=[Role.LEADER])


@pytest.fixture
def archivist(db):
    return UserFactory(username="archivist", first_name="孙管档", roles=[Role.ARCHIVIST])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="sysadmin", first_name="系统管理员", roles=[Role.ADMIN])


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", first_name="无角色")


def require_service(name: str):
    """Skip locally when a service is absent; fail in CI, where it must be there."""
    if os.environ.get("DA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in CI but not available")
    pytest.skip(f"{name} not available")


class CeleryWorkers:
    """Real Celery workers (subprocesses) on a real Redis broker, sharing the test database and
    one queue of this test's own, so concurrent runs never share a worker. Start as many as a
    test needs (a second one to take over from a killed first); all are stopped at the end."""

    def __init__(self, app, redis_url: str, database_url: str):
        import uuid

        self.app = app
        self.redis_url = redis_url
        self.database_url = database_url
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.procs = []

    def start(self, *, pool: str = "solo", env: dict | None = None):
        import subprocess
        import sys
        import time
        from pathlib import Path

        node = f"{self.queue}-{len(self.procs)}@localhost"
        full_env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DJANGO_SETTINGS_MODULE": "dossier_audit.settings",
            **(env or {}),
        }
        celery_bin = Path(sys.executable).with_name("celery")
        command = [str(celery_bin), "-A", "dossier_audit", "worker", "-P", pool, "-Q", self.queue, "-n", node]
        if pool == "prefork":
            command += ["-c", "1"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"]
        proc = subprocess.Popen(command, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603 (fixed arguments: our own virtualenv's celery)
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the Celery worker exited: {proc.stdout.read()}")
            if self.app.control.ping(timeout=1.0, destination=[node]):
                return proc
        pytest.fail("the Celery worker did not answer within 60 s")

    def stop_all(self):
        import subprocess

        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def celery_workers(transactional_db, settings):
    """Start real workers with ``celery_workers.start()`` (see CeleryWorkers).

    Only on PostgreSQL: a worker process cannot see SQLite's in-memory test database, so the
    SQLite run skips these tests by design; the PostgreSQL run needs Redis (and fails in CI
    without it).
    """
    import socket
    from urllib.parse import urlparse

    from django.db import connection

    from dossier_audit.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("a real worker needs PostgreSQL (the SQLite test database lives in memory)")
    redis_url = os.environ.get("DA_TEST_REDIS_URL", "")
    if not redis_url:
        require_service("Redis (DA_TEST_REDIS_URL)")
    parsed = urlparse(redis_url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), 2).close()
    except OSError:
        require_service(f"Redis at {redis_url}")

    db = connection.settings_dict
    database_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    workers = CeleryWorkers(app, redis_url, database_url)
    previous = {key: app.conf.get(key) for key in ("task_always_eager", "broker_url", "result_backend", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url, task_default_queue=workers.queue)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _reset_producer_pool(app)
    try:
        yield workers
    finally:
        workers.stop_all()
        app.conf.update(**previous)
        _reset_producer_pool(app)


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real Celery worker (see celery_workers)."""
    return celery_workers.start()


class QueueOutage:
    """Redis unreachable (a closed port) for the broker, the result backend and the cache, as
    when the Redis server is down in production; ``up()`` puts back the test default (tasks
    run inline), as when it is back."""

    CLOSED = "redis://127.0.0.1:1/0"

    def __init__(self, settings):
        from dossier_audit.celery import app

        self.app = app
        self.settings = settings
        self.previous = {key: app.conf.get(key) for key in ("task_always_eager", "broker_url", "result_backend")}
        self.caches = settings.CACHES
        self.broker_url = settings.CELERY_BROKER_URL

    def down(self):
        self.app.conf.update(task_always_eager=False, broker_url=self.CLOSED, result_backend=self.CLOSED)
        self.settings.CELERY_TASK_ALWAYS_EAGER = False
        self.settings.CELERY_BROKER_URL = self.CLOSED
        self.settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": self.CLOSED}}
        _reset_producer_pool(self.app)

    def up(self):
        self.app.conf.update(**self.previous)
        self.settings.CELERY_TASK_ALWAYS_EAGER = bool(self.previous["task_always_eager"])
        self.settings.CELERY_BROKER_URL = self.broker_url
        self.settings.CACHES = self.caches
        _reset_producer_pool(self.app)


@pytest.fixture
def queue_outage(settings):
    """Control a Redis outage within a test: ``queue_outage.down()``, ``queue_outage.up()``."""
    outage = QueueOutage(settings)
    try:
        yield outage
    finally:
        outage.up()


def _reset_producer_pool(app):
    """Forget every broker connection, pool and result backend cached under the previous
    configuration, so a changed broker_url/result_backend takes effect (and a second broker
    test in one session does not meet pools the first one closed)."""
    from kombu import pools

    if getattr(app, "_pool", None) is not None:
        app._pool.force_close_all()
        app._pool = None
    pools.reset()  # kombu's process-wide registry of producer/connection pools
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        amqp.__dict__.pop("queues", None)
        amqp._rtable = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    app.control.mailbox.__dict__.pop("producer_pool", None)

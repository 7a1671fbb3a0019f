"""Named role fixtures shared by every app's tests (Healthchecks' Alice, Bob and Charlie)."""

import os

import pytest

from archives.roles import Role
from archives.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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

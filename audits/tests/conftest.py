import pytest

from audits.tests.factories import AuditCaseFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Role fixtures hash a password each; the default PBKDF2 makes every test take a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def case(auditor, other_auditor):
    """A case in initial review: `auditor` reviews first, `other_auditor` re-reviews.
    Its campaign samples nothing for the leader unless a test says so."""
    return AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0)

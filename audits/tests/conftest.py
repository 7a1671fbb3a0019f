import pytest

from audits.tests.factories import AuditCaseFactory


@pytest.fixture
def case(auditor, other_auditor):
    """A case in initial review: `auditor` reviews first, `other_auditor` re-reviews.
    Its campaign samples nothing for the leader unless a test says so."""
    return AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0)

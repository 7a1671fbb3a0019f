"""Two people acting at once: one succeeds, the other is told what happened.

These need real row locks, so they run on PostgreSQL (CI); SQLite serialises whole
transactions and has no SELECT … FOR UPDATE, so the race they test cannot happen there.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from audits import services
from audits.models import AuditCase, CaseState, CaseTransition, Discrepancy
from audits.tests.factories import AuditCaseFactory, DiscrepancyFactory

# `postgres`: skipped on SQLite by the root conftest before any database set-up; SQLite
# serialises writers and has no SELECT … FOR UPDATE, so this race cannot happen there.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except ValidationError as exc:
            outcomes[index] = ("refused", exc.messages[0])
        except Exception as exc:  # surfaced by the assertion below
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_chiefs_acting_at_once_one_wins_and_the_other_is_told(auditor, other_auditor, chief):
    from archives.roles import Role
    from archives.tests.factories import UserFactory

    deputy = UserFactory(username="chief2", first_name="周科长", roles=[Role.CHIEF])
    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, state=CaseState.CHIEF_CHECK, campaign__sample_rate=0)
    DiscrepancyFactory(case=case)

    outcomes = race(
        lambda: services.case_chief_approve(case=case, user=chief, expected_version=0),
        lambda: services.case_chief_return(case=case, user=deputy, expected_version=0, comment="退回"),
    )

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    message = next(m for kind, m in outcomes if kind == "refused")
    assert "刚刚已被处理" in message and "没有执行" in message
    case.refresh_from_db()
    assert case.version == 1
    assert CaseTransition.objects.filter(case=case, action__in=["chief_approve", "chief_return"]).count() == 1


def test_the_same_submission_twice_at_once_succeeds_once(auditor, other_auditor):
    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor)
    outcomes = race(*[lambda: services.case_submit_initial(case=case, user=auditor) for _ in range(2)])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert AuditCase.objects.get(pk=case.pk).state == CaseState.RE_REVIEW


def test_two_edits_of_one_discrepancy_at_once_never_overwrite_silently(auditor, other_auditor):
    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor)
    d = services.discrepancy_register(case=case, user=auditor, category="age", description="原描述")

    outcomes = race(
        lambda: services.discrepancy_update(discrepancy=d, user=auditor, expected_version=0, description="甲的修改"),
        lambda: services.discrepancy_update(discrepancy=d, user=auditor, expected_version=0, description="乙的修改"),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    d.refresh_from_db()
    assert d.version == 1 and d.description in ("甲的修改", "乙的修改")


def test_the_case_row_is_locked_while_an_action_runs(auditor, other_auditor):
    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor)
    locked = threading.Event()
    release = threading.Event()
    seen = {}

    def holder():
        with transaction.atomic():
            AuditCase.objects.select_for_update().get(pk=case.pk)
            locked.set()
            release.wait(10)
        connection.close()

    def contender():
        from django.db import DatabaseError

        locked.wait(10)
        try:
            with transaction.atomic():
                AuditCase.objects.select_for_update(nowait=True).get(pk=case.pk)
            seen["result"] = "got the lock"
        except DatabaseError:
            seen["result"] = "locked"
        finally:
            release.set()
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=contender)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen["result"] == "locked"
    assert Discrepancy.objects.count() == 0

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from archives.audit_log import audit_log_append, audit_log_verify
from archives.models import AuditLogEntry
from archives.tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def verify():
    out = StringIO()
    try:
        call_command("verify_audit_log", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def make_entries(user, n=5):
    return [audit_log_append(actor=user, action=AuditLogEntry.Action.DOSSIER_OPEN, summary=f"查阅 {i}", data={"i": i}) for i in range(n)]


def test_an_untouched_chain_verifies(archivist):
    make_entries(archivist)
    code, output = verify()
    assert code == 0
    assert "共 5 条" in output


def test_each_entry_links_to_the_previous_one(archivist):
    first, second = make_entries(archivist, 2)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.entry_hash
    assert (first.seq, second.seq) == (1, 2)


def test_an_altered_entry_is_named(archivist):
    make_entries(archivist)
    AuditLogEntry.objects.filter(seq=3).update(summary="查阅 无")
    code, output = verify()
    assert code == 1
    assert "第 3 条" in output and "内容被改动" in output


def test_an_altered_actor_is_detected(archivist):
    make_entries(archivist)
    AuditLogEntry.objects.filter(seq=2).update(actor_name="别人")
    assert audit_log_verify()[1].seq == 2


def test_a_deleted_entry_is_named(archivist):
    make_entries(archivist)
    AuditLogEntry.objects.filter(seq=2).delete()
    code, output = verify()
    assert code == 1
    assert "第 2 条" in output and "缺失" in output


def test_deleting_the_latest_entries_is_detected(archivist):
    make_entries(archivist)
    AuditLogEntry.objects.filter(seq__gte=4).delete()
    code, output = verify()
    assert code == 1
    assert "第 4 条" in output


def test_a_rehashed_forgery_still_breaks_the_link(archivist):
    from archives.audit_log import entry_digest

    make_entries(archivist)
    forged = AuditLogEntry.objects.get(seq=2)
    forged.summary = "伪造"
    forged.entry_hash = entry_digest(forged)
    forged.save()
    problem = audit_log_verify()[1]
    assert problem.seq == 3 and "衔接" in problem.reason


def test_opening_a_dossier_and_logging_in_are_logged(client, archivist):
    cadre = CadreFactory()
    client.post("/accounts/login/", {"username": "archivist", "password": "wrong"})
    client.force_login(archivist)
    client.get(reverse("archives:cadre_detail", args=[cadre.pk]))
    actions = list(AuditLogEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [AuditLogEntry.Action.LOGIN_FAILED, AuditLogEntry.Action.LOGIN, AuditLogEntry.Action.DOSSIER_OPEN]
    opened = AuditLogEntry.objects.get(action=AuditLogEntry.Action.DOSSIER_OPEN)
    assert (opened.actor_id_value, opened.object_id) == (archivist.pk, str(cadre.dossier.pk))
    assert verify()[0] == 0


def test_changes_of_current_information_are_logged(archivist):
    from archives.dates import PartialDate
    from archives.services import cadre_update

    cadre = CadreFactory()
    cadre_update(cadre=cadre, user=archivist, birth_date=PartialDate(1974, 3))
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.INFO_CHANGE)
    assert entry.data["changes"] == {"birth_date": ["1975.03.12", "1974.03"]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(archivist):
    def write():
        try:
            make_entries(archivist, 10)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    checked, problem = audit_log_verify()
    assert problem is None
    assert checked == 40


def test_case_transitions_and_report_downloads_are_logged(client, auditor, other_auditor, leader):
    from audits.services import case_submit_initial
    from audits.tests.factories import AuditCaseFactory

    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0)
    case_submit_initial(case=case, user=auditor)
    moved = AuditLogEntry.objects.get(action=AuditLogEntry.Action.CASE_TRANSITION)
    assert (moved.actor_id_value, moved.object_id, moved.data["to"]) == (auditor.pk, str(case.pk), "re_review")
    client.force_login(leader)
    response = client.get(reverse("reports:summary_pdf", args=[case.campaign.pk]))
    assert response.status_code == 200
    downloaded = AuditLogEntry.objects.get(action=AuditLogEntry.Action.REPORT_DOWNLOAD)
    assert downloaded.actor_id_value == leader.pk and downloaded.data["campaign"] == case.campaign.pk
    assert verify()[0] == 0


def test_an_import_is_logged_once_with_what_it_touched(archivist, tmp_path):
    from archives.imports.service import import_file
    from archives.tests.import_helpers import roster_row, write

    path = write(tmp_path / "roster.xlsx", "roster", [roster_row(1)])
    import_file(kind="roster", path=str(path), user=archivist)
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.IMPORT)
    assert entry.actor_id_value == archivist.pk
    assert entry.data["kinds"] == ["roster"] and entry.data["dossiers_touched"] == 1
    assert "干部名册" in entry.summary

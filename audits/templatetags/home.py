"""Template tags of the role home pages (工作台): the pending work each partial counts by
itself, and how many days a campaign has left."""

import datetime as dt

from django import template
from django.db.models import Count, F
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archives.models import DossierTransfer, DossierUse, ImportJob
from archives.selectors import recused_cadre_ids
from audits import selectors

register = template.Library()

SOON_DAYS = 7  # a deadline this close is shown in red


def days_left(deadline) -> int | None:
    return (deadline - timezone.localdate()).days if deadline else None


@register.simple_tag
def deadline_badge(deadline):
    """截止 2026-12-31 with the days left (or overdue), red when a week or less remains."""
    days = days_left(deadline)
    if days is None:
        return ""
    if days > 0:
        text = ngettext("剩余 %(n)s 天", "剩余 %(n)s 天", days) % {"n": days}
    elif days == 0:
        text = _("今天截止")
    else:
        text = ngettext("已逾期 %(n)s 天", "已逾期 %(n)s 天", -days) % {"n": -days}
    tone = "text-bg-danger" if days <= SOON_DAYS else "text-bg-secondary"
    return format_html('<span class="text-muted">{} {}</span> <span class="badge {}">{}</span>', _("截止"), deadline.isoformat(), tone, text)


@register.simple_tag
def my_campaigns(user) -> list[dict]:
    """The campaigns an auditor has work waiting in, soonest deadline first, with how many of
    their cases wait there (one query)."""
    rows = (
        selectors.cases_visible_to(user)
        .filter(selectors.queue_filter(user, "mine"))
        .values("campaign_id", "campaign__name", "campaign__deadline")
        .annotate(n=Count("pk"))
        .order_by(F("campaign__deadline").asc(nulls_last=True), "campaign_id")
    )
    return [{"name": r["campaign__name"], "deadline": r["campaign__deadline"], "cases": r["n"]} for r in rows[:5]]


@register.simple_tag
def archivist_pending(user) -> dict:
    """The archive room's open loops: transfer receipts a month overdue, dossiers lent and not
    returned, the user's uploads waiting to be confirmed. Their own and relatives' dossiers are
    not counted (回避), as the registers leave them out."""
    recused = recused_cadre_ids(user)
    due = timezone.localdate() - dt.timedelta(days=DossierTransfer.RECEIPT_DUE_DAYS)
    return {
        "receipts_overdue": DossierTransfer.objects.filter(receipt_returned_on__isnull=True, sent_on__lt=due).exclude(dossier__cadre_id__in=recused).count(),
        "on_loan": DossierUse.objects.filter(kind=DossierUse.Kind.BORROW, returned_on__isnull=True).exclude(dossier__cadre_id__in=recused).count(),
        "imports_waiting": ImportJob.objects.filter(status=ImportJob.Status.PREVIEWED, created_by=user).count(),
    }

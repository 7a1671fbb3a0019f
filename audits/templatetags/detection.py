"""Template tags that make the detection partials self-sufficient (they only need ``case``
or ``campaign`` from the including page)."""

from django import template
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from audits import access
from audits.detection.engine import CURRENT_STATES
from audits.detection.services import detection_progress
from audits.models import Discrepancy, DiscrepancyMaterial

register = template.Library()


@register.simple_tag(takes_context=True)
def system_findings(context, case) -> dict:
    """The case's system findings to show: pending ones (to decide) and how many were
    confirmed, dismissed or withdrawn; ``can_decide`` when the viewer may confirm/dismiss."""
    request = context.get("request")
    user = getattr(request, "user", None)
    findings = list(
        Discrepancy.objects.filter(case=case, source=Discrepancy.Source.SYSTEM, state=Discrepancy.State.PENDING)
        .prefetch_related(Prefetch("citations", queryset=DiscrepancyMaterial.objects.select_related("material__category")))
        .order_by("category", "rule", "subject")
    )
    counts = dict.fromkeys(Discrepancy.State.values, 0)
    for state in Discrepancy.objects.filter(case=case, source=Discrepancy.Source.SYSTEM).values_list("state", flat=True):
        counts[state] += 1
    can_decide = bool(user and user.is_authenticated and access.may_edit_findings(user, case))
    return {
        "pending": findings,
        "counts": counts,
        "current": sum(counts[s] for s in CURRENT_STATES),
        "can_decide": can_decide,
        # Back to the case page without JavaScript, also when the card was answered in place
        # to a confirm or dismiss (whose own address is not a page).
        "next": reverse("audits:case_detail", args=[case.pk]),
    }


@register.simple_tag
def detection_state(campaign) -> dict:
    """The latest run's progress; when none is remembered (it expired, or ran from the command
    line or another process), what the data says: how many system findings the campaign has."""
    state = detection_progress(campaign_id=campaign.pk)
    if state["status"] == "idle":
        existing = Discrepancy.objects.filter(case__campaign=campaign, source=Discrepancy.Source.SYSTEM, state__in=CURRENT_STATES).count()
        if existing:
            state = {**state, "phase_label": _("已运行过系统比对，现有系统比对问题 %(count)s 个；可再次运行以更新结果") % {"count": existing}}
    return state

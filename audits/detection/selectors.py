"""Reads over system findings (plain data, for the command and reports)."""

from audits.models import Discrepancy

from .engine import CURRENT_STATES


def current_findings(*, campaign_id) -> list[dict]:
    """Every current system finding (pending or confirmed) of a campaign, as plain dicts."""
    rows = (
        Discrepancy.objects.filter(case__campaign_id=campaign_id, source=Discrepancy.Source.SYSTEM, state__in=CURRENT_STATES)
        .order_by("case__dossier__cadre__id_number", "category", "rule", "subject", "pk")
        .values(
            "pk",
            "case_id",
            "case__dossier__cadre__id_number",
            "case__dossier__cadre__name",
            "category",
            "rule",
            "subject",
            "state",
            "severity",
            "description",
            "current_value",
            "recorded_values",
        )
    )
    return [
        {
            "id": row["pk"],
            "case_id": row["case_id"],
            "id_number": row["case__dossier__cadre__id_number"],
            "name": row["case__dossier__cadre__name"],
            "category": row["category"],
            "rule": row["rule"],
            "subject": row["subject"],
            "state": row["state"],
            "severity": row["severity"],
            "message": row["description"],
            "current_value": row["current_value"],
            "recorded_values": row["recorded_values"],
        }
        for row in rows
    ]

"""Reads over system findings (plain data, for the command and reports)."""

from audits.models import Discrepancy

from .engine import CURRENT_STATES

# What `detect --json` lists: every system finding with the auditors' decision on it (pending,
# confirmed, dismissed, determined, corrected); only a withdrawn one, whose cause went away
# before anyone decided on it, is no longer a finding.
LISTED_STATES = tuple(state for state in Discrepancy.State if state != Discrepancy.State.WITHDRAWN)

# The columns that say which rules fired: ``rules`` lists every rule that fired on the
# finding's subject (DETECTION_RULES.md: one finding per subject), ``rule`` is the first.
RULE_FIELDS = ("rule", "rules")


def finding_rules(row: dict) -> list[str]:
    """Every rule that fired for a finding row, the first one first (a row without ``rules``,
    such as one registered by hand, has only its ``rule``)."""
    rules = [rule for rule in row.get("rules") or () if rule]
    first = row.get("rule") or (rules[0] if rules else "")
    if not first:
        return rules
    return [first, *(rule for rule in rules if rule != first)]


def current_findings(*, campaign_id, states=CURRENT_STATES) -> list[dict]:
    """The system findings of a campaign in ``states`` (by default the current ones: pending or
    confirmed), as plain dicts."""
    rows = (
        Discrepancy.objects.filter(case__campaign_id=campaign_id, source=Discrepancy.Source.SYSTEM, state__in=states)
        .order_by("case__dossier__cadre__id_number", "category", "rule", "subject", "pk")
        .values(
            "pk",
            "case_id",
            "case__dossier__cadre__id_number",
            "case__dossier__cadre__name",
            "category",
            *RULE_FIELDS,
            "subject",
            "state",
            "severity",
            "description",
            "current_value",
            "recorded_values",
        )
    )
    findings = []
    for row in rows:
        rules = finding_rules(row)
        findings.append(
            {
                "id": row["pk"],
                "case_id": row["case_id"],
                "id_number": row["case__dossier__cadre__id_number"],
                "name": row["case__dossier__cadre__name"],
                "category": row["category"],
                "rule": rules[0],
                "rules": rules,
                "subject": row["subject"],
                "state": row["state"],
                "severity": row["severity"],
                "message": row["description"],
                "current_value": row["current_value"],
                "recorded_values": row["recorded_values"],
            }
        )
    return findings

"""Writes of the audits domain: one keyword-only function per business action.

Every workflow action has the same shape (CONVENTIONS.md, "Business actions"): inside one
transaction, lock the case row, check the table (workflow.py) and the separation-of-duties
rules, change the state with save(update_fields=…), bump `version`, append a CaseTransition,
and schedule notifications with transaction.on_commit.

Lock order, to stay free of deadlocks: campaign → case → discrepancy → other rows.
"""

from .campaigns import (
    auditor_users,
    campaign_assign_pending,
    campaign_create,
    campaign_draw_sample,
)
from .cases import (
    case_act,
    case_chief_approve,
    case_chief_return,
    case_close,
    case_leader_approve,
    case_leader_return,
    case_reassign,
    case_submit_initial,
    case_submit_re_review,
    cases_chief_approve,
    cases_release_recused_reviewer,
)
from .common import DEFAULT_SAMPLE_RATE
from .determination import (
    CORRECTION_FIELD,
    determination_approve,
    determination_check,
    determination_default_value,
    determination_propose,
    determination_return,
    determination_rule,
    file_determination_sheet,
)
from .findings import (
    FINDING_FIELDS,
    discrepancy_register,
    discrepancy_reinstate,
    discrepancy_retract,
    discrepancy_update,
    recorded_value_of,
)
from .rectification import (
    CORRECTABLE_FIELDS,
    RECTIFIABLE_STATES,
    discrepancy_weed_material,
    feedback_create,
    feedback_record_reply,
    interview_record,
    material_authenticate,
    material_request_create,
    material_request_receive,
)

__all__ = [
    "CORRECTABLE_FIELDS",
    "CORRECTION_FIELD",
    "DEFAULT_SAMPLE_RATE",
    "FINDING_FIELDS",
    "RECTIFIABLE_STATES",
    "auditor_users",
    "campaign_assign_pending",
    "campaign_create",
    "campaign_draw_sample",
    "case_act",
    "case_chief_approve",
    "case_chief_return",
    "case_close",
    "case_leader_approve",
    "case_leader_return",
    "case_reassign",
    "case_submit_initial",
    "case_submit_re_review",
    "cases_chief_approve",
    "cases_release_recused_reviewer",
    "determination_approve",
    "determination_check",
    "determination_default_value",
    "determination_propose",
    "determination_return",
    "determination_rule",
    "discrepancy_register",
    "discrepancy_reinstate",
    "discrepancy_retract",
    "discrepancy_update",
    "discrepancy_weed_material",
    "feedback_create",
    "feedback_record_reply",
    "file_determination_sheet",
    "interview_record",
    "material_authenticate",
    "material_request_create",
    "material_request_receive",
    "recorded_value_of",
]

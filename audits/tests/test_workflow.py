"""The transition table over every state × action × role."""

import pytest

from archives.roles import Role
from audits import workflow
from audits.models import CaseState
from audits.workflow import Action, TransitionRefused

S, A, R = CaseState, Action, Role

# Every allowed (state, action, role) and where it leads; everything else is refused.
ALLOWED = {
    (S.INITIAL_REVIEW, A.SUBMIT_INITIAL, R.AUDITOR): S.RE_REVIEW,
    (S.RE_REVIEW, A.SUBMIT_RE_REVIEW, R.AUDITOR): S.CHIEF_CHECK,
    (S.CHIEF_CHECK, A.CHIEF_APPROVE, R.CHIEF): workflow.APPROVED,
    (S.CHIEF_CHECK, A.CHIEF_RETURN, R.CHIEF): S.RE_REVIEW,
    (S.LEADER_CHECK, A.LEADER_APPROVE, R.LEADER): workflow.APPROVED,
    (S.LEADER_CHECK, A.LEADER_RETURN, R.LEADER): S.RE_REVIEW,
    (S.RECTIFICATION, A.CLOSE, R.CHIEF): S.CLOSED,
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", Action.values)
@pytest.mark.parametrize("state", CaseState.values)
def test_transition_table(state, action, role):
    expected = ALLOWED.get((state, action, role))
    if expected is None:
        with pytest.raises(TransitionRefused) as exc:
            workflow.check(state, action, role)
        assert exc.value.messages[0]  # a message for a person, not an empty refusal
    else:
        assert workflow.check(state, action, role) == expected


def test_it_refuses_an_auditor_approving_with_a_clear_message():
    with pytest.raises(TransitionRefused, match="只能由科长进行"):
        workflow.check(S.CHIEF_CHECK, A.CHIEF_APPROVE, R.AUDITOR)


def test_it_refuses_skipping_a_stage_and_says_what_is_possible():
    with pytest.raises(TransitionRefused, match=r"初审.*提交初审"):
        workflow.check(S.INITIAL_REVIEW, A.CHIEF_APPROVE, R.CHIEF)


def test_a_closed_case_goes_nowhere():
    with pytest.raises(TransitionRefused, match="已办结"):
        workflow.check(S.CLOSED, A.CLOSE, R.CHIEF)


def test_it_refuses_unknown_actions():
    with pytest.raises(TransitionRefused, match="未知"):
        workflow.check(S.INITIAL_REVIEW, "approve_everything", R.CHIEF)


@pytest.mark.parametrize(
    "action,sampled,open_findings,expected",
    [
        (A.CHIEF_APPROVE, True, True, S.LEADER_CHECK),
        (A.CHIEF_APPROVE, True, False, S.LEADER_CHECK),
        (A.CHIEF_APPROVE, False, True, S.RECTIFICATION),
        (A.CHIEF_APPROVE, False, False, S.CLOSED),
        (A.LEADER_APPROVE, True, True, S.RECTIFICATION),
        (A.LEADER_APPROVE, True, False, S.CLOSED),
    ],
)
def test_where_an_approval_leads(action, sampled, open_findings, expected):
    assert workflow.after_approval(action, sampled=sampled, has_open_findings=open_findings) == expected


def test_resolve_gives_a_concrete_state():
    assert workflow.resolve(S.CHIEF_CHECK, A.CHIEF_APPROVE, R.CHIEF, sampled=False, has_open_findings=True) == S.RECTIFICATION


def test_allowed_actions_for_buttons():
    assert workflow.allowed_actions(S.CHIEF_CHECK, {R.CHIEF}) == [A.CHIEF_APPROVE, A.CHIEF_RETURN]
    assert workflow.allowed_actions(S.CHIEF_CHECK, {R.AUDITOR}) == []


def test_each_action_belongs_to_one_role():
    assert {a: r for (_s, a, r) in ALLOWED} == workflow.ACTION_ROLES

"""Every change to a development file (发展党员). Each takes the acting user, checks scope, applies
the rule table and the rules of ``rules.py``, and writes in one transaction (``@service``), or
raises DomainError and writes nothing. Each step also goes into the one approval log
(approvals.services.record_step).

The package, by topic (every name below is imported from here, ``dangjian.development.services``):

- ``base``: what the others share: ``WORKFLOW``, ``OUTCOMES``, ``GROUPING``, ``REJECTABLE``,
  ``OPEN_STATUSES``, ``dates_of``, and the helpers for who may write, the acting user, the facts
  about a person chosen for a step, the file following its member and the approval log.
- ``intervals``: the rule table of intervals: ``active_rules``, ``ship_default_rules``, ``set_rule``.
- ``files``: the file as a whole: ``create_applicant`` (step 1), ``add_document`` (with
  ``DOCUMENT_TYPES``, ``DOCUMENT_MAX_BYTES``), ``close_file``, ``move_applicant``, ``follow_member``.
- ``steps``: entering a step: ``StepInput``, ``StepResult``, ``enter_step``, ``step_refusal``, who
  enters which step, each step's own rules and what it sets off.
- ``votes``: the branch meeting's vote: ``VOTING_STATUSES``, ``DISCIPLINED``, ``expected_voters``,
  ``under_discipline_on``, and the quorum check of the counts.
- ``assessments``: 考察 and 公示: ``ASSESSMENT_PERIODS``, ``assessment_kind``, ``publicity_open``,
  ``record_assessment``, ``record_publicity``.
- ``plan``: the annual development plan: ``set_quota``, ``targets_in_year``.

Dependencies point down: ``steps`` imports ``base``, ``intervals`` and ``votes``; ``files``
imports ``base`` and ``intervals``; ``assessments`` imports ``base``; ``base``, ``intervals``,
``votes`` and ``plan`` import none of the others (``votes`` names ``StepInput`` for the type
checker only).
"""

from .assessments import ASSESSMENT_PERIODS, assessment_kind, publicity_open, record_assessment, record_publicity
from .base import GROUPING, OPEN_STATUSES, OUTCOMES, REJECTABLE, WORKFLOW, dates_of
from .files import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    add_document,
    close_file,
    create_applicant,
    follow_member,
    move_applicant,
)
from .intervals import active_rules, set_rule, ship_default_rules
from .plan import set_quota, targets_in_year
from .steps import StepInput, StepResult, enter_step, step_refusal
from .votes import DISCIPLINED, VOTING_STATUSES, expected_voters, under_discipline_on

__all__ = [
    "ASSESSMENT_PERIODS",
    "DISCIPLINED",
    "DOCUMENT_MAX_BYTES",
    "DOCUMENT_TYPES",
    "GROUPING",
    "OPEN_STATUSES",
    "OUTCOMES",
    "REJECTABLE",
    "VOTING_STATUSES",
    "WORKFLOW",
    "StepInput",
    "StepResult",
    "active_rules",
    "add_document",
    "assessment_kind",
    "close_file",
    "create_applicant",
    "dates_of",
    "enter_step",
    "expected_voters",
    "follow_member",
    "move_applicant",
    "publicity_open",
    "record_assessment",
    "record_publicity",
    "set_quota",
    "set_rule",
    "ship_default_rules",
    "step_refusal",
    "targets_in_year",
    "under_discipline_on",
]

# SPDX-License-Identifier: EUPL-1.2
"""The partner organisations' part of the plan: the actions a partner owns, and the one
way their progress is reported (status and the indicator's current value).

A partner (walks.roles, a membership with an organisation) owns an action of a plan of
their municipality when the action's owner is their organisation: the same owner kind,
and the same name ignoring case (walks.roles.owns_action asks this of one action, and
`actions_of` of many). Partners change nothing else: not the action's other fields, not
other actions, not observations. The API (`PATCH /api/v1/actions/<id>/`) and the page
`/actions/` both go through `report_progress`.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import Action, ActionStatus
from walks import roles


def actions_of(user):
    """The actions the user owns as a partner (every action for an administrator)."""
    if roles.municipalities_of(user) is None:
        return Action.objects.all()
    owned = Q(pk__in=[])
    for membership in roles.memberships_of(user).values():
        if membership.role == roles.Role.PARTNER:
            owned |= Q(
                plan__municipality_id=membership.municipality_id,
                owner_kind=membership.organisation_kind,
                owner_name__iexact=membership.organisation,
            )
    return Action.objects.filter(owned)


def is_partner(user) -> bool:
    return any(m.role == roles.Role.PARTNER for m in roles.memberships_of(user).values())


def report_progress(action: Action, *, status: str, current_value: float | None) -> Action:
    """Set the action's status and its indicator's current value; a ValidationError (by
    field) for a status that does not exist or a value without an indicator, and then
    nothing changes."""
    errors = {}
    if status not in ActionStatus.values:
        errors["status"] = [_("Choose one of the listed statuses.")]
    if current_value is not None and not action.indicator:
        errors["current_value"] = [
            _("This action has no indicator: a planner names one before values are reported.")
        ]
    if errors:
        raise ValidationError(errors)
    action.status = status
    action.current_value = current_value
    action.save(update_fields=["status", "current_value", "updated_at"])
    return action

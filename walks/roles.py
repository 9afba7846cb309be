# SPDX-License-Identifier: EUPL-1.2
"""The roles of DESIGN.md and how a user gets one.

Public and walk participant need no account. Department staff and planners are Django
groups (so administrators hand out roles in the admin); administrators are superusers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PLANNERS_GROUP = "planners"
STAFF_GROUP = "department staff"


class Role(models.TextChoices):
    PUBLIC = "public", pgettext_lazy("role", "public")
    PARTICIPANT = "participant", _("walk participant")
    STAFF = "staff", _("department staff")
    PLANNER = "planner", _("planner")
    ADMIN = "admin", _("administrator")


def role_of(user) -> Role:
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.PUBLIC
    if user.is_superuser:
        return Role.ADMIN
    groups = {group.name for group in user.groups.all()}
    if PLANNERS_GROUP in groups:
        return Role.PLANNER
    if STAFF_GROUP in groups:
        return Role.STAFF
    return Role.PUBLIC

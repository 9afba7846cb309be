# SPDX-License-Identifier: EUPL-1.2
"""The demo's people: one account for each role, all sharing the demo password, all at home
in the demo municipality (the map workspace opens on it) and members of it with their role
(walks.roles): the police partner owns the demo plan's police actions."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from walks.models import Membership, PartnerKind, ResponsibleUnit, UserProfile
from walks.roles import PLANNERS_GROUP, STAFF_GROUP, Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    superuser: bool = False
    group: str | None = None
    unit: str | None = None
    organisation: tuple[str, str] = ("", "")  # a partner's kind and name


# The police department the demo plan's police actions name as their owner (demo.plan).
DEMO_POLICE = (PartnerKind.POLICE, "Itä-Suomen poliisilaitos")

DEMO_USERS = [
    DemoUser("demo-admin", Role.ADMIN, superuser=True),
    DemoUser("demo-planner", Role.PLANNER, group=PLANNERS_GROUP),
    DemoUser("demo-lighting", Role.STAFF, group=STAFF_GROUP, unit="street_lighting"),
    DemoUser("demo-streets", Role.STAFF, group=STAFF_GROUP, unit="streets_parks"),
    DemoUser("demo-police", Role.PARTNER, organisation=DEMO_POLICE),
]


def demo_users(
    password: str, municipality
) -> tuple[dict[str, object], list[tuple[DemoUser, bool]]]:
    """One account per role. A password is set only when the account is made here, the
    default municipality only when the account has none, and the membership of the
    demo municipality only when the account has none there (an administrator may change
    them).

    Returns the users by username, and each spec with whether its account was made now.
    """
    user_model = get_user_model()
    users, made = {}, []
    for spec in DEMO_USERS:
        user, was_created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "email": f"{spec.username}@lyhty.example",
                "is_staff": True,
                "is_superuser": spec.superuser,
            },
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            if spec.group:
                user.groups.add(Group.objects.get_or_create(name=spec.group)[0])
            unit = ResponsibleUnit.objects.filter(code=spec.unit).first() if spec.unit else None
            if unit:
                unit.members.add(user)
        UserProfile.objects.get_or_create(user=user, defaults={"municipality": municipality})
        if not spec.superuser:
            kind, organisation = spec.organisation
            Membership.objects.get_or_create(
                user=user,
                municipality=municipality,
                defaults={
                    "role": spec.role,
                    "organisation_kind": kind,
                    "organisation": organisation,
                },
            )
        users[spec.username] = user
        made.append((spec, was_created))
    return users, made

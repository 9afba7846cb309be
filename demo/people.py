# SPDX-License-Identifier: EUPL-1.2
"""The demo's people: one account for each role, all sharing the demo password, all at home
in the demo municipality (the map workspace opens on it)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from walks.models import ResponsibleUnit, UserProfile
from walks.roles import PLANNERS_GROUP, STAFF_GROUP


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    superuser: bool = False
    group: str | None = None
    unit: str | None = None


DEMO_USERS = [
    DemoUser("demo-admin", "admin", superuser=True),
    DemoUser("demo-planner", "planner", group=PLANNERS_GROUP),
    DemoUser("demo-lighting", "staff", group=STAFF_GROUP, unit="street_lighting"),
    DemoUser("demo-streets", "staff", group=STAFF_GROUP, unit="streets_parks"),
]


def demo_users(
    password: str, municipality
) -> tuple[dict[str, object], list[tuple[DemoUser, bool]]]:
    """One account per role. A password is set only when the account is made here, and the
    default municipality only when the account has none (an administrator may change it).

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
        users[spec.username] = user
        made.append((spec, was_created))
    return users, made

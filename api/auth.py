# SPDX-License-Identifier: EUPL-1.2
"""How API callers prove who they are.

Staff, planners and integrations: a session (the pages) or a DRF token
(`Authorization: Token <key>`, made with `manage.py drf_create_token USER`).
Walk participants have no account: joining a walk gives a key scoped to that walk,
sent as `Authorization: Participant <key>`. The request's user stays anonymous and
`request.auth` is the WalkParticipant, so nothing that checks a user's role lets them in.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from walks.models import WalkParticipant


class ParticipantAuthentication(TokenAuthentication):
    keyword = "Participant"

    def authenticate_credentials(self, key):
        participant = WalkParticipant.objects.select_related("walk").filter(key=key).first()
        if participant is None:
            raise AuthenticationFailed(_("This walk key is not valid. Join the walk again."))
        return (AnonymousUser(), participant)


def participant_of(request) -> WalkParticipant | None:
    return request.auth if isinstance(request.auth, WalkParticipant) else None


class ParticipantAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the participant key."""

    target_class = ParticipantAuthentication
    name = "participantKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Participant <key>`, the key POST /api/v1/walks/join/ returned.",
        }

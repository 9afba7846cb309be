# SPDX-License-Identifier: EUPL-1.2
"""The join-code throttle, shared by the API's join and the logger's pages.

Join codes are short enough to read aloud, so every lookup by code counts against the
caller's address: `POST /api/v1/walks/join/`, `/walk/?code=` and `/walk/join/<code>/`.

The address is REMOTE_ADDR. `X-Forwarded-For` is believed only when the request comes from
one of TRUSTED_PROXIES (settings, from the environment), and then only as far as the chain
of trusted proxies goes: the client is the right-most address not itself a trusted proxy.
Anything further left was written by the client and proves nothing; a client rotating the
header must not get a fresh allowance per request.
"""

import ipaddress

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_address(request) -> str:
    """The caller's address, through trusted proxies only."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not _trusted(address):
        return address
    for hop in reversed(forwarded.split(",")):
        hop = hop.strip()
        if not hop:
            continue
        address = hop
        if not _trusted(hop):
            break
    return address


class JoinThrottle(SimpleRateThrottle):
    """JOIN_THROTTLE_RATE lookups by join code per address (cache: CACHE_URL, shared)."""

    scope = "join"

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def refuses(self, request) -> bool:
        """For plain Django views: count this lookup; True when it is one too many."""
        return not self.allow_request(request, None)

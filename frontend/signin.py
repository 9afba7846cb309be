# SPDX-License-Identifier: EUPL-1.2
"""Signing in, throttled: too many failed attempts for one account or from one address.

Both the site's sign-in page and the admin's use these forms. Failures are counted in the
shared cache for LOGIN_FAILURE_WINDOW seconds, per account (LOGIN_FAILURES_PER_ACCOUNT) and
per address (LOGIN_FAILURES_PER_ADDRESS, through trusted proxies only); past either, the
form refuses before checking the password, with a message that says when to try again, so
guessing costs the guesser time and tells nothing. A successful sign-in clears the account's
count.
"""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from api.throttling import client_address


def _keys(request, username: str) -> list[tuple[str, int]]:
    account = (username or "").strip().casefold()
    return [
        (f"signin-failures:account:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"signin-failures:address:{client_address(request)}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def too_many_failures(request, username: str) -> bool:
    return any(cache.get(key, 0) >= limit for key, limit in _keys(request, username))


def count_failure(request, username: str):
    for key, _limit in _keys(request, username):
        # add() starts the window; incr() keeps its expiry (database, Redis and memory caches).
        if not cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW)


class ThrottledSignIn:
    """For an AuthenticationForm: refuse after too many failures, count each failure."""

    throttled = False

    def clean(self):
        username = self.data.get("username", "")
        if too_many_failures(self.request, username):
            self.throttled = True
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW // 60)
            raise ValidationError(
                ngettext(
                    "Too many failed sign-ins for this account or from this network. "
                    "Try again in %(minutes)d minute.",
                    "Too many failed sign-ins for this account or from this network. "
                    "Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            count_failure(self.request, username)
            raise
        finally:
            if self.user_cache is not None:
                cache.delete(_keys(self.request, username)[0][0])


class SignInForm(ThrottledSignIn, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    pass

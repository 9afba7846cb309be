# SPDX-License-Identifier: EUPL-1.2
"""JSON request bodies, refused with a 400 when nested too deep to parse safely.

Python's json module recurses once per level of nesting, so a body of 100,000 `[` (100 KB,
anyone may send it to `/api/v1/walks/join/`) ends in a RecursionError, a 500. Every
document the API reads is a few levels deep (a FeatureCollection of LineStrings is seven),
so the depth is measured first, in a few regular-expression passes at C speed, and a body
deeper than MAX_DEPTH is refused before it is parsed.
"""

import io
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64

STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
NOT_A_BRACKET = re.compile(r"[^\[\]{}]++")
INNERMOST = re.compile(r"\[\]|\{\}")


def nested_deeper_than(text: str, limit: int) -> bool:
    """True if brackets outside strings nest more than `limit` levels.

    Each pass removes the innermost pairs, so what is `limit` levels deep is gone after
    `limit` passes. Unbalanced text stops early and is left to the parser to refuse.
    """
    brackets = NOT_A_BRACKET.sub("", STRING.sub("", text))
    for _pass in range(limit):
        if not brackets:
            return False
        brackets, removed = INNERMOST.subn("", brackets)
        if not removed:
            return False
    return bool(brackets)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(
                _("The request body is not valid %(encoding)s text.") % {"encoding": encoding}
            ) from None
        if nested_deeper_than(text, MAX_DEPTH):
            raise ParseError(
                _("The JSON is nested more than %(max)d levels deep.") % {"max": MAX_DEPTH}
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)

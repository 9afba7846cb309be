# SPDX-License-Identifier: EUPL-1.2
"""JSON answers that survive what the request put in them."""

import copy

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's renderer, UTF-8 as usual; an answer that echoes a lone UTF-16 surrogate from the
    request (an unknown property name, a refused code), which UTF-8 cannot encode, is
    written with ASCII escapes instead (`\\ud800`), still valid JSON."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            escaping = copy.copy(self)
            escaping.ensure_ascii = True
            return renderers.JSONRenderer.render(
                escaping, data, accepted_media_type, renderer_context
            )

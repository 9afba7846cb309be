# SPDX-License-Identifier: EUPL-1.2
"""Static files in production: hashed names, compressed copies (WhiteNoise)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(CompressedManifestStaticFilesStorage):
    """Also rewrites `import … from "./x.js"` in ES modules to the hashed name.

    The phone logger's and the map workspace's modules import each other (no cycles: the
    hashes of a cycle never settle), and the logger's service worker caches the
    hashed names that {% static %} gives; without the rewrite an offline reload would ask
    for the unhashed module, which is not in the cache.
    """

    support_js_module_import_aggregation = True

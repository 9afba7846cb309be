# SPDX-License-Identifier: EUPL-1.2
"""The REST API v1, one module per group of endpoints."""

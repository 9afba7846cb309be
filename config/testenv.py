# SPDX-License-Identifier: EUPL-1.2
# Loaded by pytest (-p config.testenv) before pytest-django starts Django: tests run
# with the development defaults (a dev secret key, local hosts), never production secrets.
import os

os.environ.setdefault("DEBUG", "1")
# Tests join walks many times from one address; the throttle has its own test.
os.environ.setdefault("JOIN_THROTTLE_RATE", "10000/minute")
# Reports likewise; tests/api/test_report_abuse.py sets the rates it tests.
os.environ.setdefault("REPORT_THROTTLE_RATE", "10000/minute")
os.environ.setdefault("REPORT_DEVICE_THROTTLE_RATE", "10000/minute")

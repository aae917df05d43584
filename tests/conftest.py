"""Shared pytest configuration for the library tests."""

import os

from hypothesis import HealthCheck, settings

# A fixed, derandomised profile keeps the suite reproducible and fast; run with
# HYPOTHESIS_PROFILE=thorough for a longer randomised search.
settings.register_profile(
    "default", max_examples=150, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

"""Shared test set-up. Fixture modules live beside this file (tests/ is on sys.path)."""

import os

from hypothesis import settings

pytest_plugins = ["fixtures_env", "fixtures_lab"]

# In CI the fuzz tests replay a fixed set of examples, so a run is reproducible and a red CI
# always means a change broke something; locally they explore new random examples each run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

"""Shared test set-up. Fixture modules live beside this file (tests/ is on sys.path)."""

pytest_plugins = ["fixtures_env", "fixtures_lab"]

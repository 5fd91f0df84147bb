"""lint (TLS106) and doctor read a variable's value the same way (core/verify_switches.py)."""

from __future__ import annotations

import pytest

from tlsdoctor.core.doctor import INSECURE_VARIABLES
from tlsdoctor.core.lint.python_ast import ENV_VARIABLES, env_value_disables
from tlsdoctor.core.verify_switches import switches_off

VALUES = ["", "0", "1", "t", "true", "True", "TRUE", "false", "no", "off", "yes", "disabled"]


@pytest.mark.parametrize("name", sorted(ENV_VARIABLES & {v.name for v in INSECURE_VARIABLES}))
def test_lint_and_doctor_agree_on_each_value(name: str) -> None:
    for value in VALUES:
        assert env_value_disables(name, value) == switches_off(name, value), (name, value)


def test_consul_skips_the_check_for_any_value_that_is_not_true() -> None:
    """Consul's client: ParseBool error or false -> InsecureSkipVerify (hashicorp/consul
    api/api.go); doctor said so, lint only knew the false words."""
    assert env_value_disables("CONSUL_HTTP_SSL_VERIFY", "disabled")
    assert env_value_disables("CONSUL_HTTP_SSL_VERIFY", False)
    assert not env_value_disables("CONSUL_HTTP_SSL_VERIFY", True)
    assert not env_value_disables("CONSUL_HTTP_SSL_VERIFY", "true")

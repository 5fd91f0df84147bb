"""Environment variables that switch certificate verification off, and the values that do.

One table for ``doctor`` (the variables set in the user's environment) and ``lint`` (TLS106:
Python code that sets them), so both read a value the way the tool reading it does.
"""

from __future__ import annotations

from collections.abc import Callable

FALSE_WORDS = frozenset({"false", "no", "off", "0"})
# Go's strconv.ParseBool true, which Vault's and Nomad's API clients apply to *_SKIP_VERIFY.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def _is_zero(value: str) -> bool:
    return value.strip() == "0"


def _is_false_word(value: str) -> bool:
    return value.strip().lower() in FALSE_WORDS


def _is_go_true(value: str) -> bool:
    return value in GO_TRUE


def _is_not_go_true(value: str) -> bool:
    """Consul: any value set that does not parse as true ("no", "off" too) skips the checks."""
    return value != "" and not _is_go_true(value)


def _is_set(value: str) -> bool:
    return bool(value)


def _is_set_at_all(value: str) -> bool:
    return True  # git only asks getenv(): "0", "false" and "" switch it off too


def _is_empty(value: str) -> bool:
    return value.strip() == ""  # requests < 2.28 then verifies nothing (psf/requests#6071)


def _is_true_word(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")


def _is_perl_false(value: str) -> bool:
    return value in ("", "0")  # LWP reads the variable as a Perl boolean when it is set at all


def _is_govc_true(value: str) -> bool:
    return value.strip().lower() in ("1", "true")  # govc lowercases the value


# name -> whether that value (given as the process sees it: "" when set empty) switches off
SWITCHES_OFF: dict[str, Callable[[str], bool]] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": _is_zero,
    "PYTHONHTTPSVERIFY": _is_zero,
    "GIT_SSL_NO_VERIFY": _is_set_at_all,
    "PIP_TRUSTED_HOST": _is_set,
    "CONDA_SSL_VERIFY": _is_false_word,
    "npm_config_strict_ssl": _is_false_word,
    "NPM_CONFIG_STRICT_SSL": _is_false_word,
    "VAULT_SKIP_VERIFY": _is_go_true,
    "NOMAD_SKIP_VERIFY": _is_go_true,
    "CONSUL_HTTP_SSL_VERIFY": _is_not_go_true,
    "GOVC_INSECURE": _is_govc_true,
    "PERL_LWP_SSL_VERIFY_HOSTNAME": _is_perl_false,
    "UV_INSECURE_HOST": _is_set,
    "CURL_CA_BUNDLE": _is_empty,
    "AZURE_CLI_DISABLE_CONNECTION_VERIFICATION": _is_true_word,
}


def switches_off(name: str, value: str) -> bool:
    """Whether ``name=value`` in a process's environment turns its certificate checks off."""
    check = SWITCHES_OFF.get(name)
    return check is not None and check(value)

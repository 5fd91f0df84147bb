"""The twin of verify_setdefault.py: the default keeps the checks (or sets another key)."""

import os

import httpx


class PatchedAsyncClient(httpx.AsyncClient):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verify", "/etc/ssl/company-bundle.pem")
        kwargs.setdefault("follow_redirects", False)
        os.environ.setdefault("verify", "0")
        super().__init__(*args, **kwargs)

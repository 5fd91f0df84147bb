"""A real monkey-patch (public httpx helper, search corpus): every client defaults to verify=False."""

import httpx

_original_client = httpx.AsyncClient


class PatchedAsyncClient(httpx.AsyncClient):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verify", False)
        super().__init__(*args, **kwargs)


httpx.AsyncClient = PatchedAsyncClient

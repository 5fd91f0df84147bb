"""A "verify" key sent as the request body, query or header is data, not the client's option."""

import requests


def submit(url: str) -> None:
    requests.post(url, data={"verify": False})
    requests.post(url, json={"verify": False, "name": "x"})
    requests.get(url, params={"verify": 0})
    requests.get(url, headers={"verify": False}, timeout=5)
    requests.post(url, json={"options": {"verify": False}})

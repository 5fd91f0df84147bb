"""verify=False on a JWT decode checks no signature; it is not a TLS setting."""

import jwt
from google.cloud import storage


def claims(token: str) -> dict:
    client = storage.Client()
    del client
    unverified = jwt.decode(token, verify=False)
    header = jwt.get_unverified_header(token)
    return {"claims": unverified, "header": header, "again": decode(token, "k", verify=False)}


def decode(token: str, key: str, verify: bool = True) -> dict:
    return jwt.decode(token, key, verify=verify)

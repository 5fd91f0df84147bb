"""verify=False kept in a dict of keyword arguments, 0 instead of False, an aliased CERT_NONE."""

import ssl
from ssl import CERT_NONE as NOCHECK

import requests

options = {"timeout": 3, "verify": False}
requests.get("https://internal.example.com/api", **options)
requests.get("https://internal.example.com/api", **{"verify": False})
extra = {}
extra["verify"] = False
extra.update({"verify": False})
extra.update(verify=False)
params = dict(url="https://internal.example.com", verify=False)
requests.get("https://internal.example.com/api", verify=0)
context = ssl.create_default_context()
context.verify_mode = NOCHECK

"""Near misses: "verify" keys that keep checking, and a "verify" flag outside HTTP code."""

import ssl
from ssl import CERT_REQUIRED as MUST_CHECK

import requests

options = {"timeout": 3, "verify": True}
requests.get("https://internal.example.com/api", **options)
requests.get("https://internal.example.com/api", **{"verify": "/etc/ssl/company-bundle.pem"})
extra = {}
extra["verify"] = "/etc/ssl/company-bundle.pem"
extra.update({"verify": True})
requests.get("https://internal.example.com/api", verify=1)
context = ssl.create_default_context()
context.verify_mode = MUST_CHECK
if extra.get("verify") == 0:
    raise SystemExit("verification is required")

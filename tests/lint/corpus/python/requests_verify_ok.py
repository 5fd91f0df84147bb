"""Near misses: verify=False only in a docstring, comments and strings; real calls verify."""

import httpx
import requests

# Do not write requests.get(url, verify=False) here.
HELP = "if it fails, people try verify=False; don't"
r1 = requests.get("https://internal.example.com/api")
r2 = requests.get("https://internal.example.com/api", verify=True)
r3 = requests.get("https://internal.example.com/api", verify="/etc/ssl/company-bundle.pem")
client = httpx.Client(verify="/etc/ssl/company-bundle.pem")
verify = False
if verify is False:
    raise SystemExit("verification is required")
settings = {"verify": True}


def fetch(url, verify=True):
    return requests.get(url, verify=verify)

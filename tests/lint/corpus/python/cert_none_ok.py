import ssl

import urllib3

context = ssl.create_default_context()
context.verify_mode = ssl.CERT_REQUIRED
if context.verify_mode == ssl.CERT_NONE:
    raise RuntimeError("verification is off")
assert context.verify_mode != ssl.CERT_NONE
pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs="/etc/ssl/company-bundle.pem")
MODES = "CERT_NONE CERT_OPTIONAL CERT_REQUIRED"
BY_NAME = {"none": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED}
ALL_MODES = [ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED]
context.verify_mode = 2  # CERT_REQUIRED
mode = 0

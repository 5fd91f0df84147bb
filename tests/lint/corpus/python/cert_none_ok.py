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


class Verify(enum.Enum):  # names for the modes (mitmproxy), not settings
    VERIFY_NONE = SSL.VERIFY_NONE
    VERIFY_PEER = SSL.VERIFY_PEER


CERT_NONE = ssl.CERT_NONE
# A server does not ask its clients for certificates by default (aioquic):
verify_mode = ssl.CERT_REQUIRED if is_client else ssl.CERT_NONE
server_mode = ssl.CERT_NONE if self._is_server else ssl.CERT_REQUIRED
side_mode = ssl.CERT_NONE if not self.client_side else ssl.CERT_REQUIRED
conn.cert_reqs = "CERT_REQUIRED"

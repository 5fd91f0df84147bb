import ssl

import urllib3
from OpenSSL import SSL

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
pool = urllib3.PoolManager(cert_reqs="CERT_NONE")
redis_client = redis.Redis(host="cache", ssl=True, ssl_cert_reqs="none")
ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
ctx.set_verify(SSL.VERIFY_NONE, None)
options = {"cert_reqs": ssl.CERT_NONE}
context.verify_mode = 0
pool = urllib3.PoolManager(cert_reqs=0)
conn.cert_reqs = "CERT_NONE"
cert_reqs = "NONE"
pool_kwargs["cert_reqs"] = "CERT_NONE"
mode = ssl.CERT_NONE if insecure else ssl.CERT_REQUIRED
client_mode = ssl.CERT_NONE if is_client else ssl.CERT_REQUIRED

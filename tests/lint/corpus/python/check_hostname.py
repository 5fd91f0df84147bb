import ssl

import urllib3

context = ssl.create_default_context()
context.check_hostname = False
other = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
other.check_hostname = 0
pool = urllib3.PoolManager(assert_hostname=False)
conn = make_connection(check_hostname=False)

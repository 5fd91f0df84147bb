import socket
import ssl
from ssl import wrap_socket as legacy_wrap

raw = socket.create_connection(("internal.example.com", 443))
tls = ssl.wrap_socket(raw)
tls2 = ssl.wrap_socket(raw, cert_reqs=ssl.CERT_REQUIRED, ca_certs="/etc/ssl/bundle.pem")
tls3 = legacy_wrap(raw)

import socket
import ssl
from ssl import wrap_socket as legacy_wrap

raw = socket.create_connection(("internal.example.com", 443))
tls = ssl.wrap_socket(raw)
tls2 = ssl.wrap_socket(raw, ca_certs="/etc/ssl/bundle.pem")  # a CA file, but cert_reqs stays NONE
tls3 = legacy_wrap(raw)

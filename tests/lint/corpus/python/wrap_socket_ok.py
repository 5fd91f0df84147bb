import socket
import ssl

context = ssl.create_default_context()
raw = socket.create_connection(("internal.example.com", 443))
tls = context.wrap_socket(raw, server_hostname="internal.example.com")
# Legacy ssl.wrap_socket with verification asked for explicitly, and a server socket (servers do
# not verify clients by design).
checked = ssl.wrap_socket(raw, cert_reqs=ssl.CERT_REQUIRED, ca_certs="/etc/ssl/bundle.pem")
server = ssl.wrap_socket(raw, server_side=True, certfile="server.pem", keyfile="server.key")

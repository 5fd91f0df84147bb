import socket
import ssl

context = ssl.create_default_context()
raw = socket.create_connection(("internal.example.com", 443))
tls = context.wrap_socket(raw, server_hostname="internal.example.com")

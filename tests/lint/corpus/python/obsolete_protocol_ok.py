import ssl

from OpenSSL import SSL

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.minimum_version = ssl.TLSVersion.TLSv1_2
modern = SSL.Context(SSL.TLS_CLIENT_METHOD)
if context.protocol == ssl.PROTOCOL_TLSv1:
    raise RuntimeError("obsolete protocol")
_openssl_versions = {ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD, ssl.PROTOCOL_TLS: SSL.SSLv23_METHOD}
supported = has_protocol(ssl.PROTOCOL_SSLv3)
# pyOpenSSL's SSLv23_METHOD negotiates the best version both sides support: not a pin.
negotiated = SSL.Context(SSL.SSLv23_METHOD)

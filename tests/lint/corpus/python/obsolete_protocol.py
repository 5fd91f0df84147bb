import ssl

from OpenSSL import SSL

sock = ssl.wrap_socket(raw, ssl_version=ssl.PROTOCOL_TLSv1)
context = ssl.SSLContext(ssl.PROTOCOL_SSLv3)
legacy = SSL.Context(SSL.TLSv1_METHOD)
old = SSL.Context(method=SSL.TLSv1_1_METHOD)
context.minimum_version = ssl.TLSVersion.TLSv1


def open_socket(version=ssl.PROTOCOL_TLSv1_1):
    return version


def open_pyopenssl(method=SSL.SSLv3_METHOD):
    return method

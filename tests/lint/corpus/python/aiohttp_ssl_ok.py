import ssl

import aiohttp
import redis

context = ssl.create_default_context(cafile="/etc/ssl/company-bundle.pem")
connector = aiohttp.TCPConnector(ssl=context)
cache = redis.Redis(host="localhost", ssl=False)  # plain TCP to a local cache, not a TLS bypass
gl = gitlab.Gitlab("https://gitlab.internal.example.com", ssl_verify="/etc/ssl/company-bundle.pem")

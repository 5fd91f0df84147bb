import aiohttp


async def fetch(url):
    connector = aiohttp.TCPConnector(ssl=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url, ssl=False) as response:
            return await response.text()


legacy = aiohttp.TCPConnector(verify_ssl=False)
es = Elasticsearch("https://search:9200", verify_certs=False)
configuration.verify_ssl = False
gl = gitlab.Gitlab("https://gitlab.internal.example.com", ssl_verify=False)

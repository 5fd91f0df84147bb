import requests


def fetch(url):
    # A reviewed call to a throwaway local server: the comment sits on the call's first line.
    return requests.get(  # tlsdoctor: ignore[TLS101]
        url,
        verify=False,
    )

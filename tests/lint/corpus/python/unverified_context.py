import ssl
import urllib.request
from ssl import _create_unverified_context

ssl._create_default_https_context = ssl._create_unverified_context
context = ssl._create_unverified_context()
urllib.request.urlopen("https://internal.example.com/", context=_create_unverified_context())

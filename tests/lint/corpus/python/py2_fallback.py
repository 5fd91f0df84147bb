import requests
print "python 2 syntax: the file does not parse, plain patterns take over"
r = requests.get("https://internal.example.com", verify=False)
# verify=False in a comment is not a finding


def wrap(sock):
    """Pass a context made with SSL.SSLv3_METHOD, or requests.get(url, verify=False),
    if you must (this docstring is prose)."""
    print "wrapping"

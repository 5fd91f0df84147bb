import requests

# A test double that talks to a throwaway local server, reviewed and suppressed:
r = requests.get("https://127.0.0.1:8443/", verify=False)  # tlsdoctor: ignore[TLS101]
r2 = requests.get("https://127.0.0.1:8443/", verify=False)  # tlsdoctor: ignore[TLS1]

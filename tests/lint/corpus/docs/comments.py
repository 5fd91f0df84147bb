import requests

# Workaround: pass verify=False if the proxy breaks this call
r = requests.get("https://internal.example.com/api", verify="/etc/ssl/company-bundle.pem")

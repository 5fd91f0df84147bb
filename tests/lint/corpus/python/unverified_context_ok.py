import ssl
import urllib.request

# ssl._create_unverified_context() would switch verification off: not used here.
context = ssl.create_default_context(cafile="/etc/ssl/company-bundle.pem")
default = ssl._create_default_https_context
urllib.request.urlopen("https://internal.example.com/", context=context)

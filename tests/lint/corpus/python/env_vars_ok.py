import os

os.environ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/company-bundle.pem"
os.environ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/company-ca.pem"
os.environ["NODE_TLS_REJECT_UNAUTHORIZED"] = "1"
os.environ.pop("GIT_SSL_NO_VERIFY", None)
if os.environ.get("PYTHONHTTPSVERIFY") == "0":
    raise SystemExit("PYTHONHTTPSVERIFY=0 turns verification off; unset it")
os.environ["VAULT_CACERT"] = "/etc/ssl/company-ca.pem"
os.environ["VAULT_SKIP_VERIFY"] = "false"
os.environ["NOMAD_SKIP_VERIFY"] = "0"
os.environ["CONSUL_HTTP_SSL_VERIFY"] = "true"
os.environ.pop("VAULT_SKIP_VERIFY", None)
if os.environ.get("VAULT_SKIP_VERIFY") == "true":
    raise SystemExit("VAULT_SKIP_VERIFY turns verification off; set VAULT_CACERT instead")
os.environ["GOVC_TLS_CA_CERTS"] = "/etc/pki/vcenter-ca.pem"
os.putenv("GOVC_INSECURE", str(False))
os.environ["PERL_LWP_SSL_VERIFY_HOSTNAME"] = "1"

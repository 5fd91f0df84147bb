import os
import subprocess

os.environ["PYTHONHTTPSVERIFY"] = "0"
os.environ["CURL_CA_BUNDLE"] = ""
os.environ.setdefault("NODE_TLS_REJECT_UNAUTHORIZED", "0")
os.putenv("GIT_SSL_NO_VERIFY", "1")
subprocess.run(["npm", "ci"], env={**os.environ, "NODE_TLS_REJECT_UNAUTHORIZED": "0"})
subprocess.run(["git", "pull"], env=dict(os.environ, GIT_SSL_NO_VERIFY="true"))


def test_insecure(monkeypatch):
    monkeypatch.setenv("CURL_CA_BUNDLE", "")


# HashiCorp clients (Vault and Nomad: strconv.ParseBool; Consul: anything not true).
os.environ["VAULT_SKIP_VERIFY"] = "true"
os.environ.setdefault("NOMAD_SKIP_VERIFY", "1")
subprocess.run(["consul", "members"], env={**os.environ, "CONSUL_HTTP_SSL_VERIFY": "false"})
os.putenv("GOVC_INSECURE", str("true"))  # as in a public vSphere deployment helper
os.environ["PERL_LWP_SSL_VERIFY_HOSTNAME"] = "0"  # before running a Perl LWP script

vault_skip_tls_verify = true

package main

import (
	"crypto/tls"
	"crypto/x509"
)

// InsecureSkipVerify: true would accept any certificate; we add the CA instead.
func config(insecure bool, pool *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: pool, InsecureSkipVerify: false, MinVersion: tls.VersionTLS12}
}

const doc = `InsecureSkipVerify is documented here`

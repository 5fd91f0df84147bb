package main

import (
	"crypto/tls"
	"net/http"
)

func client() *http.Client {
	cfg := &tls.Config{InsecureSkipVerify: true}
	cfg.InsecureSkipVerify = true
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

#!/bin/sh
# -k inside a quoted argument is a value, not an option
curl -H "X-Opt: -k" https://internal.example.com/api
curl -fsS -d '{"flags": "-k --insecure"}' https://internal.example.com/api
npm install --strict-ssl

#!/bin/sh
# -o, -H, -A, -u, -d, -X... take a value: the rest of the cluster is that value, not -k.
curl -ok https://internal.example.com/a.json
curl -Hk https://internal.example.com/a.json
curl -sSok https://internal.example.com/a.json
curl -Ak https://internal.example.com/a.json
curl -uk:secret https://internal.example.com/a.json
curl -dk=v https://internal.example.com/form
curl -XPOSTk https://internal.example.com/a.json
curl -Lwk https://internal.example.com/a.json
curl -sxkproxy:8080 https://internal.example.com/a.json

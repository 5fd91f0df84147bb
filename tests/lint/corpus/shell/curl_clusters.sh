#!/bin/sh
# A short-option cluster: -k counts when no option before it takes a value.
curl -sk https://internal.example.com/a.json
curl -fsSLk https://internal.example.com/install.sh -o install.sh
curl -kLo tool.tgz https://internal.example.com/tool.tgz
curl -sSko out.bin https://internal.example.com/out.bin
curl -H 'Accept: application/json' -ivk https://internal.example.com/b.json

#!/bin/sh
# echo output that is run or written to a config file is not a message.
echo "curl -k https://internal.example.com/install.sh" | sh
echo "NODE_TLS_REJECT_UNAUTHORIZED=0" >> .env
echo "the build is next"; curl -k https://internal.example.com/tool.tgz -o tool.tgz

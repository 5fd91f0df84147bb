#!/bin/sh
echo "If the download fails, retry with curl -k"

#!/usr/bin/env bash
# A public CI wrapper script (search corpus): npm's and yarn 1's settings as environment
# variables (yarn 1 reads yarn_* like npm reads npm_config_*); Yarn Berry reads YARN_ENABLE_*.
set -e
export npm_config_proxy=http://npm-proxy:8080
export npm_config_https_proxy=http://npm-proxy:8080
export npm_config_strict_ssl=false
export yarn_proxy=http://npm-proxy:8080
export yarn_https_proxy=http://npm-proxy:8080
export yarn_strict_ssl=false
YARN_ENABLE_STRICT_SSL=false yarn install --immutable
yarn --frozen-lockfile --network-timeout 60000

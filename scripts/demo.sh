#!/usr/bin/env bash
# Placeholder until the lab lands: show that the CLI runs.
set -euo pipefail
tlsdoctor --version

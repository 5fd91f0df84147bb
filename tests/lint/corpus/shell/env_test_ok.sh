#!/bin/sh
# Guards that refuse to run with verification off: they read the variables, they set nothing.
if [ "$NODE_TLS_REJECT_UNAUTHORIZED" = "0" ]; then
  echo "NODE_TLS_REJECT_UNAUTHORIZED=0 turns verification off: unset it" >&2
  exit 1
fi
[ "${PYTHONHTTPSVERIFY}" = 0 ] && exit 1
test "$GIT_SSL_NO_VERIFY" = 1 && exit 1

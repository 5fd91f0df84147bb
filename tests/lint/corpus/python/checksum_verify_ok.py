"""A "verify" option that has nothing to do with TLS: no HTTP client is imported here."""

import hashlib

DEFAULTS = {"algorithm": "sha256", "verify": False}
settings = dict(DEFAULTS)
settings["verify"] = False


def digest(data: bytes, **options: object) -> str:
    return hashlib.new(str(options.get("algorithm", "sha256")), data).hexdigest()


print(digest(b"x", **{"verify": False}))

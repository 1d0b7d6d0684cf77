"""Salted scrypt hashes for secrets the store must be able to check but never give back: staff
passwords (bot/console/staff.py) and the 查询码 of tickets (bot/complaints/service.py).

Stored as "scrypt$n$r$p$salt$hash" (hex), a new random salt for every hash; checked in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt cost: 16 MiB of memory, about 50 ms per check on this machine.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(bytes.fromhex(digest))
        )
    except (ValueError, TypeError, AttributeError):
        return False
    return hmac.compare_digest(actual.hex(), digest)

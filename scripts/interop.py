#!/usr/bin/env python3
"""Drives latchkey-interop against PyJWT and argon2-cffi.

Prints one line per check and finally `interop: N passed, M failed`; exits 1 if anything failed.
Secrets here are random per run and never printed.
"""

import json
import secrets
import subprocess
import sys
import time
import warnings

import argon2
import jwt

ISSUER = "https://latchkey.interop"
AUDIENCE = "latchkey-api"

binary = sys.argv[1] if len(sys.argv) > 1 else "latchkey-interop"
results = []


def run(*args):
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
    if done.returncode == 2:
        raise RuntimeError(f"latchkey-interop usage error: {done.stderr.strip()}")
    return done.returncode, done.stdout.strip()


def check(name, function):
    try:
        detail = function()
        ok = detail is None or detail is True
    except Exception as error:  # a crash in a check is a failed check, not a failed run
        ok, detail = False, f"{type(error).__name__}: {error}"
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)


def claims(now, **overrides):
    base = {
        "iss": ISSUER, "sub": "user-7", "aud": AUDIENCE, "exp": now + 600, "iat": now, "nbf": now,
        "jti": secrets.token_urlsafe(16), "sid": secrets.token_urlsafe(16), "role": "user",
        "email": "ad\u00e9 \"quoted\"@example.com",
    }
    base.update(overrides)
    return base


secret = secrets.token_bytes(32)
secret_hex = secret.hex()
_, kid = run("kid", secret_hex)
now = int(time.time())


def expect_rejected(token, reason):
    code, out = run("verify", secret_hex, token, ISSUER, AUDIENCE)
    if code == 1 and out == f"rejected: {reason}":
        return None
    return f"expected rejected: {reason}, got exit {code}: {out}"


def ours_verifies_in_pyjwt():
    ours = claims(now)
    code, token = run("sign", secret_hex, json.dumps(ours))
    if code != 0:
        return f"sign failed: {token}"
    header = jwt.get_unverified_header(token)
    if header != {"alg": "HS256", "typ": "JWT", "kid": kid}:
        return f"unexpected header {header}"
    decoded = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    return decoded == ours or f"claims differ: {decoded}"


def pyjwt_verifies_in_ours():
    theirs = claims(now)
    token = jwt.encode(theirs, secret, algorithm="HS256", headers={"kid": kid})
    code, out = run("verify", secret_hex, token, ISSUER, AUDIENCE)
    if code != 0:
        return out
    return json.loads(out) == theirs or f"claims differ: {out}"


def pyjwt_audience_list_verifies_in_ours():
    token = jwt.encode(claims(now, aud=["other", AUDIENCE]), secret, algorithm="HS256", headers={"kid": kid})
    code, out = run("verify", secret_hex, token, ISSUER, AUDIENCE)
    return code == 0 or out


def pyjwt_alg_none_rejected():
    token = jwt.encode(claims(now), None, algorithm="none", headers={"kid": kid})
    return expect_rejected(token, "unsupportedAlgorithm")


def pyjwt_hs512_rejected():
    with warnings.catch_warnings():  # PyJWT warns that 32 bytes is short for HS512; irrelevant here
        warnings.simplefilter("ignore")
        token = jwt.encode(claims(now), secret, algorithm="HS512", headers={"kid": kid})
    return expect_rejected(token, "unsupportedAlgorithm")


def pyjwt_other_secret_rejected():
    token = jwt.encode(claims(now), secrets.token_bytes(32), algorithm="HS256", headers={"kid": kid})
    return expect_rejected(token, "badSignature")


def pyjwt_without_kid_rejected():
    return expect_rejected(jwt.encode(claims(now), secret, algorithm="HS256"), "unknownKey")


def pyjwt_expired_rejected():
    token = jwt.encode(claims(now, exp=now - 3600, iat=now - 4000, nbf=now - 4000), secret,
                       algorithm="HS256", headers={"kid": kid})
    return expect_rejected(token, "expired")


def pyjwt_wrong_audience_rejected():
    token = jwt.encode(claims(now, aud="someone-else"), secret, algorithm="HS256", headers={"kid": kid})
    return expect_rejected(token, "wrongAudience")


def ours_tampered_rejected_by_pyjwt():
    _, token = run("sign", secret_hex, json.dumps(claims(now)))
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims(now, role="admin")).encode()).decode()
    try:
        jwt.decode(f"{header}.{forged_payload}.{signature}", secret, algorithms=["HS256"],
                   audience=AUDIENCE, issuer=ISSUER)
    except jwt.InvalidSignatureError:
        return None
    return "PyJWT accepted a tampered token"


password = "interop p\u00e4ssword " + secrets.token_urlsafe(8)
cffi_id = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=argon2.Type.ID)
cffi_i = argon2.PasswordHasher(time_cost=3, memory_cost=8192, parallelism=2, type=argon2.Type.I)


def cffi_argon2id_verifies_in_ours():
    code, out = run("verify-password", password, cffi_id.hash(password))
    return code == 0 or out


def cffi_argon2i_verifies_in_ours():
    code, out = run("verify-password", password, cffi_i.hash(password))
    return code == 0 or out


def cffi_wrong_password_rejected_by_ours():
    code, out = run("verify-password", password + "x", cffi_id.hash(password))
    return (code == 1 and out == "mismatch") or f"exit {code}: {out}"


def cffi_argon2i_wrong_password_rejected_by_ours():
    code, out = run("verify-password", "wrong", cffi_i.hash(password))
    return (code == 1 and out == "mismatch") or f"exit {code}: {out}"


def ours_verifies_in_cffi():
    code, encoded = run("hash", password, "19456", "2", "1")
    if code != 0:
        return encoded
    if not encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$"):
        return f"unexpected encoding {encoded[:32]}"
    if argon2.PasswordHasher().verify(encoded, password) is not True:
        return "verify returned false"
    same_costs = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    return same_costs.check_needs_rehash(encoded) is False or "argon2-cffi wants to rehash our hash"


def ours_wrong_password_rejected_by_cffi():
    _, encoded = run("hash", password, "19456", "2", "1")
    try:
        argon2.PasswordHasher().verify(encoded, password + "x")
    except argon2.exceptions.VerifyMismatchError:
        return None
    return "argon2-cffi accepted a wrong password"


checks = [
    ("jwt: our token verifies in PyJWT", ours_verifies_in_pyjwt),
    ("jwt: PyJWT token (kid header) verifies in ours", pyjwt_verifies_in_ours),
    ("jwt: PyJWT token with aud list verifies in ours", pyjwt_audience_list_verifies_in_ours),
    ("jwt: PyJWT alg none rejected by ours", pyjwt_alg_none_rejected),
    ("jwt: PyJWT HS512 rejected by ours", pyjwt_hs512_rejected),
    ("jwt: PyJWT token under another secret rejected by ours", pyjwt_other_secret_rejected),
    ("jwt: PyJWT token without kid rejected by ours", pyjwt_without_kid_rejected),
    ("jwt: PyJWT expired token rejected by ours", pyjwt_expired_rejected),
    ("jwt: PyJWT wrong audience rejected by ours", pyjwt_wrong_audience_rejected),
    ("jwt: our token with tampered payload rejected by PyJWT", ours_tampered_rejected_by_pyjwt),
    ("argon2: argon2-cffi argon2id hash verifies in ours", cffi_argon2id_verifies_in_ours),
    ("argon2: argon2-cffi argon2i hash verifies in ours", cffi_argon2i_verifies_in_ours),
    ("argon2: wrong password rejected by ours (argon2id)", cffi_wrong_password_rejected_by_ours),
    ("argon2: wrong password rejected by ours (argon2i)", cffi_argon2i_wrong_password_rejected_by_ours),
    ("argon2: our hash verifies in argon2-cffi", ours_verifies_in_cffi),
    ("argon2: wrong password rejected by argon2-cffi", ours_wrong_password_rejected_by_cffi),
]

for name, function in checks:
    check(name, function)

passed = sum(results)
failed = len(results) - passed
print(f"interop: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

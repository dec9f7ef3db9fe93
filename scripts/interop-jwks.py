#!/usr/bin/env python3
"""Cross-checks Latchkey's ES256 and EdDSA tokens and its JWKS document against PyJWT, both ways.

Needs PyJWT with the `cryptography` package, e.g. in a venv:
    python3 -m venv .data/venv-jwks && .data/venv-jwks/bin/pip install PyJWT cryptography
    .data/venv-jwks/bin/python scripts/interop-jwks.py [path/to/latchkey-interop-jwks]
Without an argument the driver is built with `swift build`. Prints one line per check and finally
`interop-jwks: N passed, M failed`; exits 1 if anything failed. Keys are random per run.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = []


def driver_path():
    if len(sys.argv) > 1:
        return sys.argv[1]
    args = ["swift", "build", "--package-path", os.path.join(ROOT, "Benchmarks"), "--product",
            "latchkey-interop-jwks"]
    subprocess.run(args, cwd=ROOT, check=True, stdout=sys.stderr)
    bin_dir = subprocess.run(args + ["--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.strip()
    return os.path.join(bin_dir, "latchkey-interop-jwks")


BINARY = driver_path()


def run(*args):
    done = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60)
    if done.returncode == 2:
        raise RuntimeError(f"latchkey-interop-jwks usage error: {done.stderr.strip()}")
    return done.returncode, done.stdout.strip()


def check(name, function):
    try:
        detail = function()
        ok = detail is None or detail is True
    except Exception as error:  # a crash in a check is a failed check, not a failed run
        ok, detail = False, f"{type(error).__name__}: {error}"
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def segment(document):
    return b64(json.dumps(document, separators=(",", ":")).encode())


def ours_verify_with_pyjwt(alg):
    issued = json.loads(run("issue", alg)[1])
    jwks = issued["jwks"]
    (member,) = jwks["keys"]
    expected = {"ES256": {"kty": "EC", "crv": "P-256"}, "EdDSA": {"kty": "OKP", "crv": "Ed25519"}}[alg]
    for name, value in {**expected, "alg": alg, "use": "sig", "kid": issued["kid"]}.items():
        if member.get(name) != value:
            return f"JWK member {name} is {member.get(name)!r}"
    if "d" in member or any("=" in str(value) for value in member.values()):
        return "JWK carries private or padded material"
    key_set = jwt.PyJWKSet.from_dict(jwks)

    def decode(token, typ):
        header = jwt.get_unverified_header(token)
        if header.get("typ") != typ or header.get("alg") != alg or header.get("kid") != issued["kid"]:
            raise AssertionError(f"header {header}")
        key = next(k for k in key_set.keys if k.key_id == header["kid"])
        return jwt.decode(token, key.key, algorithms=[alg], audience=issued["audience"], issuer=issued["issuer"])

    user = decode(issued["user_token"], "JWT")
    if user["sub"] != "user-1" or user["sid"] != "session-1" or user["email"] != "ada@example.com":
        return f"user claims {user}"
    client = decode(issued["client_token"], "at+jwt")
    if client["client_id"] != "client-1" or client["scope"] != "read write" or client["sub"] != "client-1":
        return f"client claims {client}"
    # RFC 7638 thumbprint as kid, recomputed here from the published members.
    members = {k: member[k] for k in (["crv", "kty", "x", "y"] if alg == "ES256" else ["crv", "kty", "x"])}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    if b64(hashlib.sha256(canonical).digest()) != issued["kid"]:
        return "kid is not the RFC 7638 thumbprint"
    return None


def new_key(alg):
    private = ec.generate_private_key(ec.SECP256R1()) if alg == "ES256" else ed25519.Ed25519PrivateKey.generate()
    algorithm = jwt.algorithms.ECAlgorithm if alg == "ES256" else jwt.algorithms.OKPAlgorithm
    public_jwk = json.loads(algorithm.to_jwk(private.public_key()))
    public_jwk["kid"] = "py-" + alg
    return private, public_jwk


def claims(kind):
    now = int(time.time())
    common = {"iss": "https://latchkey.interop", "aud": "latchkey-api", "exp": now + 600, "iat": now,
              "nbf": now, "jti": str(uuid.uuid4())}
    if kind == "client":
        return {**common, "sub": "svc", "client_id": "svc", "scope": "read"}
    return {**common, "sub": "user-9", "sid": "s-9", "role": "user", "email": "bo@example.com"}


def pyjwt_tokens_verify_with_ours(alg):
    private, public_jwk = new_key(alg)
    for kind, typ in (("user", "JWT"), ("client", "at+jwt")):
        body = claims(kind)
        token = jwt.encode(body, private, algorithm=alg, headers={"kid": public_jwk["kid"], "typ": typ})
        status, output = run("verify", json.dumps(public_jwk), token, kind)
        if status != 0:
            return f"{kind} token: {output}"
        if json.loads(output)["jti"] != body["jti"]:
            return f"{kind} token: claims {output}"
        # The other kind's verification refuses it.
        other = "client" if kind == "user" else "user"
        status, output = run("verify", json.dumps(public_jwk), token, other)
        if status != 1 or output != "rejected: wrongType":
            return f"{kind} token accepted as {other}: {output}"
    return None


def forgeries_are_refused(alg):
    private, public_jwk = new_key(alg)
    other_private, _ = new_key(alg)
    body = claims("user")
    public_bytes = base64.urlsafe_b64decode(public_jwk["x"] + "==")
    if alg == "ES256":
        public_bytes = b"\x04" + public_bytes + base64.urlsafe_b64decode(public_jwk["y"] + "==")
    header = {"alg": "HS256", "typ": "JWT", "kid": public_jwk["kid"]}
    signing_input = f"{segment(header)}.{segment(body)}"
    cases = {
        "HS256 keyed with the public key": signing_input + "." + b64(
            hmac.new(public_bytes, signing_input.encode(), hashlib.sha256).digest()),
        "HS256 keyed with the JWK text": signing_input + "." + b64(
            hmac.new(json.dumps(public_jwk).encode(), signing_input.encode(), hashlib.sha256).digest()),
        "alg none": f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': public_jwk['kid']})}.{segment(body)}.",
        "another key under our kid": jwt.encode(
            body, other_private, algorithm=alg, headers={"kid": public_jwk["kid"], "typ": "JWT"}),
        "unknown kid": jwt.encode(body, private, algorithm=alg, headers={"kid": "nope", "typ": "JWT"}),
    }
    expected = {"HS256 keyed with the public key": "unsupportedAlgorithm",
                "HS256 keyed with the JWK text": "unsupportedAlgorithm", "alg none": "unsupportedAlgorithm",
                "another key under our kid": "badSignature", "unknown kid": "unknownKey"}
    for name, token in cases.items():
        status, output = run("verify", json.dumps(public_jwk), token, "user")
        if status != 1 or output != f"rejected: {expected[name]}":
            return f"{name}: {status} {output}"
    return None


for alg in ("ES256", "EdDSA"):
    check(f"{alg}: our tokens and JWKS verify with PyJWT", lambda alg=alg: ours_verify_with_pyjwt(alg))
    check(f"{alg}: PyJWT tokens verify with ours from the JWK alone",
          lambda alg=alg: pyjwt_tokens_verify_with_ours(alg))
    check(f"{alg}: forged tokens are refused", lambda alg=alg: forgeries_are_refused(alg))

passed = sum(results)
print(f"interop-jwks: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)

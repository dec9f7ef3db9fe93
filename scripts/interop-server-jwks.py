#!/usr/bin/env python3
"""Verifies tokens issued by a real `latchkey serve` (ES256, then EdDSA) with PyJWT, from the served
`/.well-known/jwks.json` alone, as a resource server would: PyJWKClient fetches the set and picks the
key by `kid`; the algorithm comes from that key. Both kinds: a user's access token (`typ` `JWT`) and a
client-credentials token (RFC 9068, `typ` `at+jwt`) of a client registered with `latchkey client add`.

    python3 scripts/interop-server-jwks.py path/to/latchkey postgres://…/admin-database

Each algorithm gets a fresh database on that server (created and dropped with psql) and a server on
a free loopback port. Prints one line per check and `interop-server-jwks: N passed, M failed`.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import jwt

BINARY, ADMIN_URL = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = []


def psql(sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", ADMIN_URL, "-c", sql], check=True,
                   capture_output=True)


def database_url(name):
    parts = urllib.parse.urlsplit(ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def environment(alg, url, port, secret):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LATCHKEY_DATABASE_URL": url,
           "LATCHKEY_JWT_SECRET": secret,
           "LATCHKEY_JWT_ALG": alg, "LATCHKEY_PORT": str(port), "LATCHKEY_COOKIE_SECURE": "false",
           "LATCHKEY_ACCESS_LOG": "false", "LATCHKEY_ARGON2_MEMORY_KIB": "1024",
           "LATCHKEY_ARGON2_ITERATIONS": "1", "LATCHKEY_MIGRATIONS_DIR": os.path.join(ROOT, "sql")}


def serve(env, port):
    process = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:  # start-up: wait until the server answers readiness
        if process.poll() is not None:
            raise RuntimeError(f"serve exited {process.returncode}: {process.stderr.read().decode()[-500:]}")
        try:
            if call(base, "GET", "/readyz")[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("serve did not become ready")


def verify(base, token, alg, typ):
    """What a resource server does: the key by kid from the served set, the algorithm from the key."""
    header = jwt.get_unverified_header(token)
    if header.get("alg") != alg or header.get("typ") != typ:
        raise ValueError(f"header {header}")
    key = jwt.PyJWKClient(base + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
    if key.algorithm_name != alg:
        raise ValueError(f"key algorithm {key.algorithm_name}")
    return jwt.decode(token, key.key, algorithms=[key.algorithm_name], audience="latchkey-api",
                      issuer="latchkey")


def user_token(base, alg):
    email = f"interop-{uuid.uuid4().hex[:8]}@example.com"
    if call(base, "POST", "/register", {"email": email, "password": "interop-password-1"})[0] != 201:
        return "register failed"
    status, _, body = call(base, "POST", "/login", {"email": email, "password": "interop-password-1"})
    if status != 200:
        return f"login: {status} {body}"
    status, headers, jwks = call(base, "GET", "/.well-known/jwks.json")
    cache = {k.lower(): v for k, v in headers.items()}.get("cache-control", "")
    if status != 200 or not cache.startswith("public, max-age=") or len(jwks.get("keys", [])) != 1:
        return f"jwks: {status} {cache!r} {jwks}"
    claims = verify(base, body["access_token"], alg, "JWT")
    return None if claims.get("email") == email else f"claims {claims}"


def client_token(base, alg, env):
    added = subprocess.run([BINARY, "client", "add", "interop", "--scope", "reports:read"], env=env,
                           check=True, capture_output=True, text=True)
    client = json.loads(added.stdout)
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client["client_id"],
                                   "client_secret": client["client_secret"]}).encode()
    request = urllib.request.Request(base + "/oauth/token", data=form, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.loads(response.read())["access_token"]
    claims = verify(base, token, alg, "at+jwt")
    if claims.get("client_id") != client["client_id"] or claims.get("sub") != client["client_id"] \
            or claims.get("scope") != "reports:read":
        return f"claims {claims}"
    return None


def with_server(alg, body):
    name = "interop_" + uuid.uuid4().hex[:12]
    psql(f"create database {name}")
    process = None
    try:
        port = free_port()
        env = environment(alg, database_url(name), port, "interop-" + uuid.uuid4().hex + uuid.uuid4().hex)
        process, base = serve(env, port)
        return body(base, env)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        psql(f"drop database if exists {name} with (force)")


def check(name, function):
    try:
        detail = function()
        ok = detail is None
    except Exception as error:  # a crash in a check is a failed check, not a failed run
        ok, detail = False, f"{type(error).__name__}: {error}"
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)


for alg in ("ES256", "EdDSA"):
    check(f"{alg}: a user's token verifies with PyJWT from the served JWKS",
          lambda alg=alg: with_server(alg, lambda base, env: user_token(base, alg)))
    check(f"{alg}: a client-credentials token (at+jwt) verifies with PyJWT from the served JWKS",
          lambda alg=alg: with_server(alg, lambda base, env: client_token(base, alg, env)))

passed = sum(results)
print(f"interop-server-jwks: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)

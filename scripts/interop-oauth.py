#!/usr/bin/env python3
"""Cross-checks Latchkey's OAuth endpoints against Authlib's client (docs/oauth.md).

Against a live server, with Authlib's OAuth2Session as the client:
client credentials with client_secret_basic and with client_secret_post, introspection
(active, then inactive after revocation), revocation (RFC 7009), a wrong secret, and the
RFC 8414 metadata through Authlib's validator. When LATCHKEY_JWT_SECRET is set (HS256), the
client token is also verified with authlib.jose.

`scripts/interop-oauth` does all of this (a server on a free port, the venv) given a throwaway
database; `scripts/interop` calls it when LATCHKEY_TEST_DATABASE_URL is set (as in scripts/test).
By hand: it registers its own clients with `latchkey client add`, so it needs the server's database:

    python3 -m venv .data/venv-oauth && .data/venv-oauth/bin/pip install Authlib requests
    LATCHKEY_DATABASE_URL=postgres://... LATCHKEY_JWT_SECRET=... .build/debug/latchkey serve &
    LATCHKEY_DATABASE_URL=postgres://... LATCHKEY_JWT_SECRET=... \
      .data/venv-oauth/bin/python scripts/interop-oauth.py http://127.0.0.1:8080 [path/to/latchkey]

The binary defaults to .build/debug/latchkey. Prints one line per check and finally
`interop-oauth: N passed, M failed`; exits 1 if anything failed.
"""

import json
import os
import subprocess
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition or not detail else f": {detail}"))


def add_client(binary, name, scope):
    out = subprocess.run(
        [binary, "client", "add", name, "--scope", scope], check=True, capture_output=True, text=True
    ).stdout
    created = json.loads(out)
    return created["client_id"], created["client_secret"]


def session(client, method):
    client_id, secret = client
    return OAuth2Session(
        client_id, secret, token_endpoint_auth_method=method, revocation_endpoint_auth_method=method
    )


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    base = sys.argv[1].rstrip("/")
    binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, ".build/debug/latchkey")
    token_url, revoke_url, introspect_url = (
        base + "/oauth/token", base + "/oauth/revoke", base + "/oauth/introspect")

    service = add_client(binary, "interop-service", "read write")
    resource = add_client(binary, "interop-resource-server", "introspect")

    # Metadata: every field Authlib checks, but `response_types_supported: []` (required to be
    # present by RFC 8414, empty until an authorization endpoint exists; Authlib wants it
    # non-empty) and an issuer that is not an https URL (LATCHKEY_ISSUER's default).
    metadata = AuthorizationServerMetadata(requests.get(base + "/.well-known/oauth-authorization-server").json())
    for field in ["token_endpoint", "jwks_uri", "scopes_supported", "grant_types_supported",
                  "token_endpoint_auth_methods_supported", "revocation_endpoint",
                  "revocation_endpoint_auth_methods_supported", "introspection_endpoint",
                  "introspection_endpoint_auth_methods_supported"]:
        try:
            getattr(metadata, "validate_" + field)()
            check(f"metadata {field}", True)
        except ValueError as error:
            check(f"metadata {field}", False, str(error))
    check("metadata response_types_supported is a list",
          isinstance(metadata.get("response_types_supported"), list))
    check("metadata token_endpoint is ours", metadata.get("token_endpoint", "").endswith("/oauth/token"))

    tokens = {}
    for method in ["client_secret_basic", "client_secret_post"]:
        client = session(service, method)
        token = client.fetch_token(token_url, grant_type="client_credentials", scope="read")
        check(f"{method}: client_credentials", token.get("token_type") == "Bearer"
              and token.get("scope") == "read" and "refresh_token" not in token, token)
        tokens[method] = token["access_token"]

    jwt_secret = os.environ.get("LATCHKEY_JWT_SECRET")
    if jwt_secret:
        import warnings

        # authlib.jose still works; its successor (joserfc) is a separate package.
        warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
        from authlib.jose import jwt
        claims = jwt.decode(tokens["client_secret_basic"], jwt_secret.encode())
        claims.validate()
        check("authlib.jose verifies the client token", claims["client_id"] == service[0]
              and claims["sub"] == service[0] and claims.header.get("typ") == "at+jwt", dict(claims))

    for method in ["client_secret_basic", "client_secret_post"]:
        rs = session(resource, method)
        answer = rs.introspect_token(introspect_url, token=tokens[method], token_type_hint="access_token")
        body = answer.json()
        check(f"{method}: introspection active", answer.status_code == 200 and body.get("active") is True
              and body.get("client_id") == service[0] and body.get("scope") == "read", body)
        check(f"{method}: introspection no-store", answer.headers.get("Cache-Control") == "no-store")

        revoked = session(service, method).revoke_token(
            revoke_url, token=tokens[method], token_type_hint="access_token")
        check(f"{method}: revocation 200", revoked.status_code == 200, revoked.text)
        after = rs.introspect_token(introspect_url, token=tokens[method]).json()
        check(f"{method}: introspection inactive after revocation", after == {"active": False}, after)

    bad = OAuth2Session(service[0], "wrong-secret", token_endpoint_auth_method="client_secret_basic")
    try:
        bad.fetch_token(token_url, grant_type="client_credentials")
        check("wrong secret refused", False, "a token was issued")
    except Exception as error:  # Authlib raises OAuthError with the server's error code
        check("wrong secret refused (invalid_client)", getattr(error, "error", "") == "invalid_client", error)

    unknown = session(resource, "client_secret_basic").introspect_token(introspect_url, token="garbage")
    check("garbage introspects as exactly {active: false}", unknown.json() == {"active": False}, unknown.text)

    passed, failed = results.count(True), results.count(False)
    print(f"interop-oauth: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

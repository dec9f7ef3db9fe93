#!/usr/bin/env python3
"""Cross-checks Latchkey's OAuth endpoints against Authlib's client (docs/oauth.md).

Against a live server, with Authlib's OAuth2Session as the client:
client credentials with client_secret_basic and with client_secret_post, introspection
(active, then inactive after revocation), revocation (RFC 7009), a wrong secret, and the
RFC 8414 metadata through Authlib's validator. When LATCHKEY_JWT_SECRET is set (HS256), the
client token is also verified with authlib.jose. Then, as a public client: the authorization
code flow with PKCE (S256), its single-use code and refresh-token rotation, and the device
flow (RFC 8628). Their browser part is played with plain `requests` against Latchkey's HTML
forms, as a user agent without script would; the user comes from `latchkey user add`.

`scripts/interop-oauth` does all of this (a server on a free port, the venv) given a throwaway
database; `scripts/interop` calls it when LATCHKEY_TEST_DATABASE_URL is set (as in scripts/test).
By hand: it registers its own clients and user with `latchkey client add` and `latchkey user add`,
so it needs the server's database (and LATCHKEY_COOKIE_SECURE=false on plain http, else the
browser part's cookies are Secure and `requests` never sends them back):

    python3 -m venv .data/venv-oauth && .data/venv-oauth/bin/pip install Authlib requests
    LATCHKEY_DATABASE_URL=postgres://... LATCHKEY_JWT_SECRET=... .build/debug/latchkey serve &
    LATCHKEY_DATABASE_URL=postgres://... LATCHKEY_JWT_SECRET=... \
      .data/venv-oauth/bin/python scripts/interop-oauth.py http://127.0.0.1:8080 [path/to/latchkey]

The binary defaults to .build/debug/latchkey. Prints one line per check and finally
`interop-oauth: N passed, M failed`; exits 1 if anything failed.
"""

import html.parser
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
import uuid

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
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


def add_public_client(binary, name, grants, scope, redirect_uri=None):
    arguments = [binary, "client", "add", name, "--public", "--scope", scope]
    for grant in grants:
        arguments += ["--grant", grant]
    if redirect_uri:
        arguments += ["--redirect-uri", redirect_uri]
    created = json.loads(subprocess.run(arguments, check=True, capture_output=True, text=True).stdout)
    return created["client_id"]


def add_user(binary):
    email, password = f"interop-{uuid.uuid4().hex[:10]}@example.com", secrets.token_urlsafe(18)
    subprocess.run([binary, "user", "add", email], input=password + "\n", check=True, capture_output=True,
                   text=True)
    return email, password


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

    # Metadata: every field Authlib checks but the issuer, which is not an https URL
    # (LATCHKEY_ISSUER's default).
    metadata = AuthorizationServerMetadata(requests.get(base + "/.well-known/oauth-authorization-server").json())
    for field in ["authorization_endpoint", "response_types_supported", "code_challenge_methods_supported",
                  "token_endpoint", "jwks_uri", "scopes_supported", "grant_types_supported",
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

    user = add_user(binary)
    for flow in [code_flow, device_flow]:
        try:
            flow(base, binary, metadata, user)
        except (AssertionError, OAuthError, requests.RequestException, ValueError, KeyError) as error:
            # A step the server could not take: the rest of that flow cannot run.
            check(f"{flow.__name__} ran to its end", False, f"{type(error).__name__}: {error}")

    passed, failed = results.count(True), results.count(False)
    print(f"interop-oauth: {passed} passed, {failed} failed")
    return 1 if failed else 0


class Page(html.parser.HTMLParser):
    """What a user agent without script needs of one of Latchkey's pages (docs/oauth.md): its
    forms (action, fields with their values, submit buttons) and the element ids it shows."""

    def __init__(self, response):
        super().__init__()
        self.response, self.forms, self.ids, self.form = response, [], set(), None
        self.feed(response.text)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "form":
            self.form = {"action": attrs.get("action", ""), "fields": {}, "buttons": []}
            self.forms.append(self.form)
        elif self.form is not None and tag == "input" and attrs.get("name"):
            self.form["fields"][attrs["name"]] = attrs.get("value", "")
        elif self.form is not None and tag == "button" and attrs.get("name"):
            self.form["buttons"].append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None

    def submit(self, browser, action, **typed):
        """Posts the form that has the button `action=ACTION`: its fields as the page set them
        (the hidden `request` or `user_code` and `csrf`), what the user typed, and the button.
        Redirects are not followed: the caller looks at each answer."""
        form = next((f for f in self.forms if ("action", action) in f["buttons"]), None)
        if form is None:
            path = urllib.parse.urlsplit(self.response.url).path
            raise AssertionError(f"no form with action={action} on {path} (status {self.response.status_code})")
        data = dict(form["fields"], **typed, action=action)
        url = urllib.parse.urljoin(self.response.url, form["action"] or self.response.url)
        return browser.post(url, data=data, allow_redirects=False)


def settle(browser, response, leaving):
    """Follows Latchkey's own redirects (a sign-in may answer with one) to the next page; stops
    at a redirect to `leaving` (the client's redirect URI), which is the client's to read."""
    for _ in range(5):
        location = response.headers.get("Location")
        if response.status_code not in (301, 302, 303) or not location:
            return response
        location = urllib.parse.urljoin(response.url, location)
        if leaving and location.startswith(leaving):
            return response
        response = browser.get(location, allow_redirects=False)
    return response


def shape(location):
    """A redirect's target and parameter names: what a failed check may print (never a code)."""
    parts = urllib.parse.urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{sorted(urllib.parse.parse_qs(parts.query))}"


def oauth_error(call):
    """The OAuth error code a call raised, or None when it succeeded."""
    try:
        call()
        return None
    except OAuthError as error:
        return error.error


def code_flow(base, binary, metadata, user):
    """The authorization code flow with PKCE as Authlib drives it; the browser is `requests`."""
    token_url = base + "/oauth/token"
    authorize_url = metadata.get("authorization_endpoint") or base + "/oauth/authorize"
    # Never contacted: the client reads the redirect's Location instead of following it.
    redirect_uri = "http://127.0.0.1:9/interop-callback"
    client_id = add_public_client(binary, "interop-code", ["authorization_code", "refresh_token"], "read write",
                                  redirect_uri)
    client = OAuth2Session(client_id, redirect_uri=redirect_uri, code_challenge_method="S256",
                           token_endpoint_auth_method="none")
    verifier = generate_token(64)
    url, state = client.create_authorization_url(authorize_url, code_verifier=verifier, scope="read")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    check("code flow: Authlib asks with an S256 challenge", query.get("code_challenge_method") == ["S256"]
          and len(query.get("code_challenge", [""])[0]) == 43, url)

    browser = requests.Session()
    page = Page(browser.get(url, allow_redirects=False))
    check("code flow: the sign-in page", page.response.status_code == 200
          and {"email", "password", "signin"} <= page.ids, (page.response.status_code, sorted(page.ids)))
    wrong = Page(page.submit(browser, "signin", email=user[0], password=user[1] + "x"))
    check("code flow: a wrong password is 401 on the sign-in page", wrong.response.status_code == 401
          and "email" in wrong.ids, wrong.response.status_code)
    page = Page(settle(browser, wrong.submit(browser, "signin", email=user[0], password=user[1]), redirect_uri))
    check("code flow: signed in, the consent page", page.response.status_code == 200
          and {"approve", "deny", "scopes"} <= page.ids, (page.response.status_code, sorted(page.ids)))
    approved = page.submit(browser, "approve")
    location = approved.headers.get("Location", "")
    check("code flow: Allow redirects to the client", approved.status_code in (302, 303)
          and location.startswith(redirect_uri + "?"), (approved.status_code, shape(location)))
    answer = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    check("code flow: the redirect carries code, state and iss (RFC 9207)", "code" in answer
          and answer.get("state") == [state] and answer.get("iss") == [metadata.get("issuer")], shape(location))

    try:
        token = client.fetch_token(token_url, authorization_response=location, state=state,
                                   code_verifier=verifier)
    except OAuthError as error:
        check("code flow: Authlib exchanges the code", False, error)
        return
    check("code flow: Authlib exchanges the code", token.get("token_type") == "Bearer"
          and token.get("scope") == "read" and token.get("refresh_token") and token.get("expires_in", 0) > 0,
          {k: v for k, v in token.items() if "token" not in k or k == "token_type"})
    first_refresh = token["refresh_token"]
    try:
        refreshed = client.refresh_token(token_url, refresh_token=first_refresh)
        check("code flow: Authlib refreshes, and the refresh token rotates",
              refreshed.get("refresh_token") not in (None, first_refresh) and refreshed.get("scope") == "read")
    except OAuthError as error:
        check("code flow: Authlib refreshes", False, error)
        refreshed = {}
    replay = oauth_error(lambda: client.fetch_token(token_url, authorization_response=location, state=state,
                                                    code_verifier=verifier))
    check("code flow: a replayed code is invalid_grant", replay == "invalid_grant", replay)
    if refreshed.get("refresh_token"):
        after = oauth_error(lambda: client.refresh_token(token_url, refresh_token=refreshed["refresh_token"]))
        check("code flow: the replay revoked the tokens the code gave", after == "invalid_grant", after)

    # The browser is signed in and consented to `read`: a second request goes straight through.
    verifier = generate_token(64)
    url, state = client.create_authorization_url(authorize_url, code_verifier=verifier, scope="read")
    again = browser.get(url, allow_redirects=False)
    location = again.headers.get("Location", "")
    check("code flow: signed in and consented, straight back with a code", again.status_code in (302, 303)
          and location.startswith(redirect_uri + "?") and "code=" in location, (again.status_code, shape(location)))
    wrong_verifier = oauth_error(lambda: client.fetch_token(token_url, authorization_response=location,
                                                            state=state, code_verifier=generate_token(64)))
    check("code flow: a wrong code_verifier is invalid_grant", wrong_verifier == "invalid_grant", wrong_verifier)


def device_flow(base, binary, metadata, user):
    """RFC 8628 with Authlib's session for the HTTP; Authlib has no device-flow helper."""
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    token_url = base + "/oauth/token"
    client_id = add_public_client(binary, "interop-device", [grant, "refresh_token"], "read")
    client = OAuth2Session(client_id, token_endpoint_auth_method="none")
    endpoint = metadata.get("device_authorization_endpoint") or base + "/oauth/device_authorization"
    started = client.post(endpoint, data={"client_id": client_id, "scope": "read"}, withhold_token=True)
    body = started.json() if started.headers.get("Content-Type", "").startswith("application/json") else {}
    check("device: authorization started", started.status_code == 200 and {
        "device_code", "user_code", "verification_uri", "verification_uri_complete", "expires_in", "interval"}
        <= set(body), (started.status_code, body.get("error")))
    if started.status_code != 200:
        return

    def poll():
        return client.fetch_token(token_url, grant_type=grant, device_code=body["device_code"])

    pending = oauth_error(poll)
    check("device: authorization_pending before the user acts", pending == "authorization_pending", pending)
    polled = time.monotonic()

    # The user, in a browser of their own: the code page (pre-filled), sign-in, consent.
    browser = requests.Session()
    page = Page(browser.get(body["verification_uri_complete"], allow_redirects=False))
    check("device: the code page, pre-filled", page.response.status_code == 200 and any(
        f["fields"].get("user_code") == body["user_code"] for f in page.forms), page.response.status_code)
    page = Page(settle(browser, page.submit(browser, "code"), None))
    if "email" in page.ids:
        page = Page(settle(browser, page.submit(browser, "signin", email=user[0], password=user[1]), None))
    check("device: the consent page", page.response.status_code == 200 and "approve" in page.ids,
          (page.response.status_code, sorted(page.ids)))
    done = Page(settle(browser, page.submit(browser, "approve"), None))
    check("device: the done page", done.response.status_code == 200 and "done" in done.ids,
          (done.response.status_code, sorted(done.ids)))

    # Never sooner than the interval, five seconds more after a slow_down (RFC 8628 §3.5).
    interval, deadline, token, errors = int(body["interval"]), time.monotonic() + 90, None, []
    while token is None and time.monotonic() < deadline:
        time.sleep(max(0.0, polled + interval - time.monotonic()))
        try:
            token = poll()
        except OAuthError as error:
            errors.append(error.error)
            if error.error == "slow_down":
                interval += 5
            elif error.error != "authorization_pending":
                break
        polled = time.monotonic()
    check("device: Authlib polls the tokens out", token is not None and token.get("token_type") == "Bearer"
          and token.get("scope") == "read" and token.get("refresh_token"), errors)
    check("device: no slow_down while the interval was kept", "slow_down" not in errors, errors)
    spent = oauth_error(poll)
    check("device: a poll after the tokens is invalid_grant", spent == "invalid_grant", spent)
    if token is not None:
        refreshed = oauth_error(lambda: client.refresh_token(token_url, refresh_token=token["refresh_token"]))
        check("device: its refresh token works with Authlib", refreshed is None, refreshed)


if __name__ == "__main__":
    sys.exit(main())

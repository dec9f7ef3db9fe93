#!/usr/bin/env python3
"""Fault tests: the real `latchkey` binary against a real PostgreSQL, on loopback.

  kill-storm    SIGKILL in the middle of a refresh storm, restart, then check
                every token family in the database and that every client
                carries on with the newest cookie it holds.
  db-restart    PostgreSQL stopped and started under a mixed load: only 200 or
                503, never a 500, never a cookie-clearing 503, and recovery
                without a restart.
  sigterm       start/SIGTERM cycles with requests in flight: exit code 0,
                no abort, complete answers.

Usage: faults.py --binary PATH --database-url URL --db-port PORT --dev-db PATH
                 [--cycles N] [--only NAME ...]
Synchronisation is by counters, conditions and polling with deadlines, never
by sleeping for a guessed time. Prints `faults: N passed, N failed`.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "correct horse battery staple"
COOKIE_NAME = "latchkey_refresh"


class Failure(Exception):
    pass


def log(message):
    print(message, flush=True)


def free_port():
    """A free port below the ephemeral range (32768-60999 on Linux). A port in
    that range can be picked as the source port of our own readiness probe
    while nothing listens yet, and TCP then connects the probe to itself."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


class Server:
    """One `latchkey serve` process; stderr goes to a file for the abort check."""

    def __init__(self, binary, database_url, extra_env=None):
        self.binary = binary
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.proc = None
        self.port = None
        self.stderr_file = None

    def start(self, port=None):
        self.port = port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LATCHKEY_")}
        env.update(
            {
                "LATCHKEY_DATABASE_URL": self.database_url,
                "LATCHKEY_JWT_SECRET": "fault-tests-secret-0123456789abcdefghijklmnopqrstuvwxyz",
                "LATCHKEY_PORT": str(self.port),
                "LATCHKEY_HOST": "127.0.0.1",
                "LATCHKEY_COOKIE_SECURE": "false",
                "LATCHKEY_ACCESS_LOG": "false",
                "LATCHKEY_ARGON2_MEMORY_KIB": "1024",
                "LATCHKEY_ARGON2_ITERATIONS": "1",
            }
        )
        env.update(self.extra_env)
        if self.stderr_file is None:
            self.stderr_file = tempfile.TemporaryFile()
        else:
            self.stderr_file.seek(0)
            self.stderr_file.truncate()
        self.proc = subprocess.Popen(
            [self.binary, "serve"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr_file,
        )

    def wait_ready(self, timeout=30.0):
        """Polls /readyz until 200, the process dies, or the deadline passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"server exited with {self.proc.returncode} before ready: {self.stderr()[-500:]}")
            try:
                status, _, _ = request(self.port, "GET", "/readyz", timeout=2)
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.005)  # polling interval, not synchronisation
        raise Failure(f"server not ready within {timeout}s")

    def stderr(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(port, method, path, body=None, headers=None, timeout=10, conn=None):
    """One request; returns (status, headers as a list of pairs, body bytes)."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        payload = response.read()
        return response.status, response.getheaders(), payload
    finally:
        if own:
            conn.close()


def set_cookies(headers):
    return [v for k, v in headers if k.lower() == "set-cookie"]


def refresh_cookie(headers):
    """The refresh token a response sets, '' when it clears it, None when it sets none."""
    for value in set_cookies(headers):
        name, _, rest = value.partition("=")
        if name == COOKIE_NAME:
            return rest.split(";", 1)[0]
    return None


def register_and_login(port, email):
    status, _, body = request(port, "POST", "/register", {"email": email, "password": PASSWORD})
    if status != 201:
        raise Failure(f"register {email}: {status} {body[:200]!r}")
    return login(port, email)


def login(port, email):
    status, headers, body = request(port, "POST", "/login", {"email": email, "password": PASSWORD})
    if status != 200:
        raise Failure(f"login {email}: {status} {body[:200]!r}")
    return json.loads(body)["access_token"], refresh_cookie(headers)


def psql(url, sql):
    result = subprocess.run(
        ["psql", url, "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode != 0:
        raise Failure(f"psql failed: {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line]


def check_families(url, session_ids):
    """Every token family is one chain: at most one unused token, and every
    rotated token's successor exists and names it as its parent."""
    ids = ",".join(f"'{s}'" for s in session_ids)
    problems = []
    rows = psql(
        url,
        f"select session_id, count(*) from refresh_tokens where session_id in ({ids})"
        " and used_at is null group by session_id having count(*) > 1",
    )
    problems += [f"two or more unused tokens in session {r}" for r in rows]
    rows = psql(
        url,
        "select t.id, t.session_id from refresh_tokens t left join refresh_tokens s on s.id = t.successor_id"
        f" where t.session_id in ({ids}) and t.used_at is not null"
        " and (t.successor_id is null or s.id is null or s.parent_id is distinct from t.id"
        " or s.session_id <> t.session_id)",
    )
    problems += [f"rotated token without its successor: {r}" for r in rows]
    rows = psql(
        url,
        f"select s.id from sessions s where s.id in ({ids}) and not exists"
        " (select 1 from refresh_tokens t where t.session_id = s.id and t.used_at is null)",
    )
    problems += [f"session without an unused token: {r}" for r in rows]
    return problems


def session_ids_of(url, emails):
    quoted = ",".join(f"'{e}'" for e in emails)
    return psql(url, f"select s.id from sessions s join users u on u.id = s.user_id where u.email in ({quoted})")


# --- a. SIGKILL mid refresh storm --------------------------------------------


def test_kill_storm(args):
    clients_count = 20
    rounds = 3
    target = 400
    run = secrets.token_hex(4)
    # A generous reuse interval: the restart must come inside it, on a shared
    # machine that may be slow.
    server = Server(args.binary, args.database_url, {"LATCHKEY_REFRESH_REUSE_INTERVAL": "30"})
    server.start()
    try:
        server.wait_ready()
        emails = [f"storm{i}-{run}@example.com" for i in range(clients_count)]
        clients = []
        for email in emails:
            _, cookie = register_and_login(server.port, email)
            clients.append({"email": email, "cur": cookie})
        sessions = session_ids_of(args.database_url, emails)
        if len(sessions) != clients_count:
            raise Failure(f"expected {clients_count} sessions, found {len(sessions)}")
        committed_total = 0
        for round_number in range(1, rounds + 1):
            committed_total += kill_storm_round(args, server, clients, sessions, target)
            log(f"  round {round_number}: families consistent, every client continued")
        log(
            f"  {committed_total} refreshes committed unanswered at a kill; their clients"
            " continued through the grace window"
        )
    finally:
        server.stop()


def kill_storm_round(args, server, clients, sessions, target):
    """One storm, SIGKILL, checks, restart; returns how many in-flight
    refreshes had committed before the kill."""
    progress = threading.Condition()
    counts = {"ok": 0, "errors": 0}
    stop = threading.Event()
    for c in clients:
        c.update(inflight=False, error=None)

    def storm(client):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        while not stop.is_set():
            client["inflight"] = True
            try:
                status, headers, body = request(
                    server.port, "POST", "/refresh", headers={"Cookie": f"{COOKIE_NAME}={client['cur']}"}, conn=conn
                )
            except (OSError, http.client.HTTPException):
                # The process is gone; whether this request committed is unknown.
                return
            client["inflight"] = False
            new = refresh_cookie(headers)
            with progress:
                if status == 200 and new:
                    client["cur"] = new
                    counts["ok"] += 1
                else:
                    client["error"] = f"refresh answered {status} {body[:120]!r}"
                    counts["errors"] += 1
                progress.notify_all()
            if client["error"]:
                return

    threads = [threading.Thread(target=storm, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    with progress:
        reached = progress.wait_for(lambda: counts["ok"] >= target or counts["errors"] > 0, timeout=60)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=15)
    if not reached:
        raise Failure(f"the storm made only {counts['ok']} refreshes in 60s")
    errors = [c["error"] for c in clients if c["error"]]
    if errors:
        raise Failure(f"refresh failed before the kill: {errors[0]}")
    inflight = sum(1 for c in clients if c["inflight"])

    problems = check_families(args.database_url, sessions)
    if problems:
        raise Failure("after SIGKILL: " + "; ".join(problems[:5]))

    # Which in-flight refreshes committed before the kill: their token is
    # already rotated, so the client's newest cookie is, for the server, the
    # previous one and must be honoured through the grace window.
    committed = 0
    for c in clients:
        digest = hashlib.sha256(c["cur"].encode()).hexdigest()
        used = psql(
            args.database_url,
            f"select used_at is not null from refresh_tokens where token_hash = '\\x{digest}'::bytea",
        )
        if used not in (["t"], ["f"]):
            raise Failure(f"{c['email']}: its newest token is not in the database ({used})")
        c["committed"] = used == ["t"]
        if c["committed"] and not c["inflight"]:
            raise Failure(f"{c['email']}: its newest token was rotated, but no request of it was in flight")
        committed += c["committed"]
    log(f"  storm: {counts['ok']} refreshes, SIGKILL with {inflight} in flight, {committed} of them committed")

    server.start(server.port)
    server.wait_ready()
    for c in clients:
        for attempt in ("first", "second"):
            status, headers, body = request(
                server.port, "POST", "/refresh", headers={"Cookie": f"{COOKIE_NAME}={c['cur']}"}
            )
            new = refresh_cookie(headers)
            if status != 200 or not new:
                raise Failure(
                    f"{c['email']}: {attempt} refresh after the restart answered {status} {body[:120]!r}"
                    f" (its last refresh before the kill committed unanswered: {c['committed']})"
                )
            c["cur"] = new
    quoted = ",".join(f"'{s}'" for s in sessions)
    revoked = psql(args.database_url, f"select count(*) from sessions where revoked_at is not null and id in ({quoted})")
    if revoked != ["0"]:
        raise Failure(f"{revoked[0]} sessions were revoked (a reuse was detected)")
    problems = check_families(args.database_url, sessions)
    if problems:
        raise Failure("after the restart: " + "; ".join(problems[:5]))
    return committed


# --- b. PostgreSQL stopped and started under load ----------------------------


def test_db_restart(args):
    run = secrets.token_hex(4)
    server = Server(args.binary, args.database_url, {"LATCHKEY_REFRESH_REUSE_INTERVAL": "30"})
    server.start()
    try:
        server.wait_ready()
        me_token, _ = register_and_login(server.port, f"me-{run}@example.com")
        login_email = f"login-{run}@example.com"
        register_and_login(server.port, login_email)
        refreshers = [register_and_login(server.port, f"refresh{i}-{run}@example.com")[1] for i in range(2)]

        lock = threading.Condition()
        phase = ["up"]
        # (kind, phase) -> {status: count}
        seen = {}
        problems = []
        stop = threading.Event()

        def record(kind, status, problem=None):
            with lock:
                bucket = seen.setdefault((kind, phase[0]), {})
                bucket[status] = bucket.get(status, 0) + 1
                if problem:
                    problems.append(f"{kind} during {phase[0]}: {problem}")
                lock.notify_all()

        def worker(kind, send):
            conn = None
            while not stop.is_set():
                reused = conn is not None
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
                try:
                    status, headers, body = send(conn)
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = None
                    if reused:
                        continue  # a keep-alive connection the server closed; retry fresh
                    record(kind, "transport", f"transport error {error!r}")
                    return
                if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
                    conn.close()
                    conn = None
                problem = None
                if status not in (200, 503):
                    problem = f"answered {status} {body[:120]!r}"
                elif status == 503 and not any(k.lower() == "retry-after" for k, _ in headers):
                    problem = "503 without Retry-After"
                elif status == 503 and set_cookies(headers):
                    problem = f"503 with Set-Cookie {set_cookies(headers)}"
                record(kind, status, problem)

        def me(conn):
            return request(server.port, "GET", "/api/me", headers={"Authorization": f"Bearer {me_token}"}, conn=conn)

        def readyz(conn):
            return request(server.port, "GET", "/readyz", conn=conn)

        def do_login(conn):
            return request(server.port, "POST", "/login", {"email": login_email, "password": PASSWORD}, conn=conn)

        def refresher(index):
            def send(conn):
                result = request(
                    server.port,
                    "POST",
                    "/refresh",
                    headers={"Cookie": f"{COOKIE_NAME}={refreshers[index]}"},
                    conn=conn,
                )
                new = refresh_cookie(result[1])
                if result[0] == 200 and new:
                    refreshers[index] = new
                return result

            return send

        kinds = {"me": me, "readyz": readyz, "login": do_login, "refresh0": refresher(0), "refresh1": refresher(1)}
        threads = [threading.Thread(target=worker, args=(k, f), daemon=True) for k, f in kinds.items()]
        threads.append(threading.Thread(target=worker, args=("me", me), daemon=True))
        for t in threads:
            t.start()

        def count(kind, ph, status=None):
            bucket = seen.get((kind, ph), {})
            return sum(bucket.values()) if status is None else bucket.get(status, 0)

        try:
            with lock:
                if not lock.wait_for(lambda: problems or all(count(k, "up", 200) >= 3 for k in kinds), timeout=30):
                    raise Failure("the load did not get going before the stop")
            subprocess.run([args.dev_db, "stop", str(args.db_port)], check=True, stdout=subprocess.DEVNULL)
            with lock:
                phase[0] = "down"
            down_started = time.monotonic()
            with lock:
                if not lock.wait_for(
                    # The outage lasts until every route was tried 20 times and
                    # 2 s have passed, so pool and listener both notice it.
                    lambda: problems
                    or all(count(k, "down") >= 20 for k in kinds)
                    and count("readyz", "down", 503) > 0
                    and time.monotonic() - down_started >= 2,
                    timeout=30,
                ):
                    raise Failure(f"load stalled while PostgreSQL was down: {dict(seen)}")
            down_seconds = time.monotonic() - down_started
            with lock:
                phase[0] = "back"
            back_started = time.monotonic()
            start_database(args)
            with lock:
                recovered = lock.wait_for(lambda: problems or all(count(k, "back", 200) >= 1 for k in kinds), timeout=30)
            recovery = time.monotonic() - back_started
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=20)
            if phase[0] == "down":
                start_database(args)  # the later tests need it
        if problems:
            raise Failure("; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""))
        if not recovered:
            missing = [k for k in kinds if count(k, "back", 200) == 0]
            raise Failure(f"no 200 within 30s of PostgreSQL's return for {missing}")
        summary = ", ".join(
            f"{k} {count(k, 'down', 200)}x200/{count(k, 'down', 503)}x503" for k in kinds
        )
        log(f"  PostgreSQL down {down_seconds:.1f}s: {summary}; every route answered 200 again {recovery:.2f}s after the restart began")
        if server.proc.poll() is not None:
            raise Failure("the server exited")
    finally:
        server.stop()


def start_database(args):
    """Starts the stopped cluster again. While it was down its port was free,
    and a client socket of the load may have taken it as its ephemeral port
    (its TIME_WAIT then blocks the bind for up to 60 s): retry until a deadline."""
    deadline = time.monotonic() + 90
    while True:
        result = subprocess.run(
            [args.dev_db, "start", str(args.db_port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise Failure(f"PostgreSQL did not start again: {result.stderr.strip()}")
        time.sleep(0.5)  # polling interval between start attempts


# --- c. start/SIGTERM cycles with requests in flight -------------------------


def read_response(sock):
    """Reads one complete HTTP response; returns its status or raises Failure
    naming how many bytes arrived."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise Failure(f"connection ended after {len(data)} bytes, before the headers were complete")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise Failure(f"malformed status line {lines[0]!r}")
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise Failure("response without Content-Length")
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise Failure(f"body ended after {len(body)} of {length} bytes")
        body += chunk
    return int(parts[1])


def raw_request(method, path, body=None):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload


def test_sigterm_cycles(args):
    run = secrets.token_hex(4)
    email = f"cycle-{run}@example.com"
    server = Server(args.binary, args.database_url)
    server.start()
    try:
        server.wait_ready()
        register_and_login(server.port, email)
    finally:
        server.stop()
    requests = {
        "login": raw_request("POST", "/login", {"email": email, "password": PASSWORD}),
        "healthz": raw_request("GET", "/healthz"),
    }
    # Two lanes of cycles at once: half the wall time (a stop takes about
    # 0.5 s), and two processes starting and stopping side by side.
    lanes = int(os.environ.get("LATCHKEY_FAULTS_LANES", "2"))
    failures = []
    late = {"refused": 0, "answered": 0}
    lock = threading.Lock()

    def lane(index):
        server = Server(args.binary, args.database_url)
        for cycle in range(index, args.cycles, lanes):
            problems, late_outcome = sigterm_cycle(server, requests)
            with lock:
                if late_outcome:
                    late[late_outcome] += 1
                if problems:
                    failures.append(f"cycle {cycle}: " + "; ".join(problems))

    started = time.monotonic()
    threads = [threading.Thread(target=lane, args=(i,), daemon=True) for i in range(lanes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    log(
        f"  {args.cycles} cycles in {elapsed:.0f}s, {len(failures)} failed;"
        f" a request sent after SIGTERM: {late['refused']} refused, {late['answered']} answered"
    )
    if failures:
        for line in sorted(failures, key=lambda f: int(f.split()[1].rstrip(":")))[:10]:
            log(f"    {line}")
        raise Failure(f"{len(failures)} of {args.cycles} start/SIGTERM cycles failed")


def sigterm_cycle(server, requests):
    """Start, wait until ready, put requests in flight, SIGTERM, check.
    Returns the problems and how a request sent after the signal fared."""
    problems = []
    server.start()
    try:
        server.wait_ready()
    except Failure as error:
        server.stop()
        return [str(error)], None
    # Sent before the SIGTERM: two fresh connections (connected, so in the
    # kernel's backlog at least) and one kept-alive connection already used
    # once (so MHD has surely accepted it). All must get complete answers.
    inflight = []
    try:
        keep = socket.create_connection(("127.0.0.1", server.port), timeout=15)
        keep.sendall(requests["healthz"])
        if read_response(keep) != 200:
            problems.append("warm-up /healthz not 200")
        for name in ("healthz", "login"):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=15)
            s.sendall(requests[name])
            inflight.append((s, "/" + name))
        keep.sendall(requests["login"])
        inflight.append((keep, "/login (keep-alive)"))
    except (OSError, Failure) as error:
        problems.append(f"could not send before the stop: {error!r}")
    server.proc.send_signal(signal.SIGTERM)
    # Sent after the SIGTERM: refused, or a complete answer if it raced ahead.
    late_outcome = None
    try:
        late = socket.create_connection(("127.0.0.1", server.port), timeout=15)
        late.sendall(requests["healthz"])
    except OSError:
        late = None
        late_outcome = "refused"
    for s, name in inflight:
        try:
            status = read_response(s)
            allowed = (200,) if name == "/healthz" else (200, 503)
            if status not in allowed:
                problems.append(f"{name} in flight answered {status}")
        except (OSError, Failure) as error:
            problems.append(f"{name} in flight got no complete answer: {error}")
        finally:
            s.close()
    if late is not None:
        try:
            status = read_response(late)
            late_outcome = "answered"
            if status != 200:
                problems.append(f"/healthz after the stop answered {status}")
        except (ConnectionResetError, ConnectionRefusedError):
            late_outcome = "refused"
        except Failure as error:
            if "after 0 bytes" in str(error):
                late_outcome = "refused"
            else:
                problems.append(f"/healthz after the stop: {error}")
        except OSError as error:
            problems.append(f"/healthz after the stop: {error!r}")
        finally:
            late.close()
    try:
        code = server.proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        code = server.proc.wait()
        problems.append("did not exit within 40s of SIGTERM")
    if code != 0:
        problems.append(f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}")
    stderr = server.stderr()
    for marker in ("Fatal error", "Failed to remove", "Aborted", "abort"):
        if marker in stderr:
            line = next((ln for ln in stderr.splitlines() if marker in ln), marker)
            problems.append(f"stderr: {line.strip()[:200]}")
            break
    return problems, late_outcome


TESTS = {
    "kill-storm": test_kill_storm,
    "db-restart": test_db_restart,
    "sigterm": test_sigterm_cycles,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--db-port", required=True, type=int)
    parser.add_argument("--dev-db", required=True)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--only", nargs="*", choices=sorted(TESTS))
    args = parser.parse_args()
    passed = failed = 0
    for name, test in TESTS.items():
        if args.only and name not in args.only:
            continue
        log(f"faults: {name}")
        started = time.monotonic()
        try:
            test(args)
            passed += 1
            log(f"  PASS {name} ({time.monotonic() - started:.1f}s)")
        except Exception as error:  # a crash of the test itself is a failure too
            failed += 1
            log(f"  FAIL {name} ({time.monotonic() - started:.1f}s): {error}")
    log(f"faults: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

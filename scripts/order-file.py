"""Prints the link order for scripts/order-file: runs BINARY serve on PORT under callgrind,
drives the routes that start-up, idle and the hot paths use, and lists the functions of BINARY
that ran: first those start-up and idle ran, then those the requests added. In each part the
functions lld can move one by one (a section each, per MAP) come first; of the sections that hold
many functions (lld can only move them whole) one name each follows.

usage: order-file.py BINARY MAP PORT CALLGRIND_OUT  (env: LATCHKEY_DATABASE_URL, LATCHKEY_JWT_SECRET)"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, r.headers.get_all("Set-Cookie") or []


def refresh_cookie(set_cookies, previous=""):
    """The request Cookie header carrying every cookie the answer set (refresh and device)."""
    pairs = [c.split(";")[0] for c in set_cookies if "Max-Age=0" not in c]
    return "; ".join(pairs) or previous


def drive(port):
    password = "order file password 1"
    json_body = {"Content-Type": "application/json"}
    for i in (0, 1, 2, 0):  # the last one is taken
        call(port, "POST", "/register", json.dumps({"email": f"order{i}@example.com", "password": password}), json_body)
    call(port, "POST", "/login", json.dumps({"email": "order0@example.com", "password": "wrong"}), json_body)
    for i in range(6):
        status, data, cookies = call(
            port, "POST", "/login", json.dumps({"email": f"order{i % 3}@example.com", "password": password}), json_body)
        if status != 200:
            sys.exit(f"order-file: login answered {status}")
        token, cookie = json.loads(data)["access_token"], refresh_cookie(cookies)
        for _ in range(4):
            status, data, cookies = call(port, "POST", "/refresh", headers={"Cookie": cookie})
            if status != 200:
                sys.exit(f"order-file: refresh answered {status}")
            token, cookie = json.loads(data)["access_token"], refresh_cookie(cookies, cookie)
            for _ in range(3):
                call(port, "GET", "/api/me", headers={"Authorization": "Bearer " + token})
        call(port, "GET", "/api/me", headers={"Authorization": "Bearer not-a-token"})
        for path in ("/healthz", "/readyz", "/metrics", "/no-such-route"):
            call(port, "GET", path)
    call(port, "POST", "/logout", headers={"Cookie": cookie})


def executed(callgrind_out, binary):
    """Names of BINARY's functions in callgrind's output (--compress-strings=no), first seen first."""
    names, obj = {}, None
    with open(callgrind_out) as f:
        for line in f:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("fn=") and obj == binary:
                name = line[3:].strip()
                if not name.startswith("0x") and "'" not in name and "(" not in name:
                    names.setdefault(name, None)
    return list(names)


def sections(map_path):
    """Symbol -> name of the input section of .text that holds it, from lld's link map."""
    where, current, in_text = {}, None, False
    with open(map_path) as f:
        for line in f:
            fields = line.split(None, 4)
            if len(fields) < 5:
                continue
            name = fields[4].rstrip("\n")
            if fields[3] != "1" and ":(" not in name:  # an output section
                in_text = name == ".text"
            elif in_text and ":(" in name:
                current = name
            elif in_text and current:
                where[name] = current
    return where


def main():
    binary, map_path, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    env = dict(os.environ, LATCHKEY_PORT=str(port))
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--demangle=no", "--dump-instr=no", "--compress-strings=no",
         "--compress-pos=no", f"--callgrind-out-file={out}", binary, "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not ready(port):
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("order-file: the server did not become ready under valgrind")
            time.sleep(0.05)
        time.sleep(2)  # idle: the background timers
        # Start-up and idle in a dump of their own: they come first in the list, so that the
        # pages an idle server holds are the fewest.
        dump = subprocess.run(["callgrind_control", "--dump=startup", str(server.pid)], capture_output=True, text=True)
        if dump.returncode != 0:
            sys.exit("order-file: callgrind_control failed: " + dump.stdout + dump.stderr)
        drive(port)
        time.sleep(1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()

    where = sections(map_path)
    binary = os.path.realpath(binary)
    dumps = sorted(f for f in os.listdir(os.path.dirname(out) or ".") if f.startswith(os.path.basename(out) + "."))
    phases = [executed(os.path.join(os.path.dirname(out), f), binary) for f in dumps] + [executed(out, binary)]
    listed, seen = [], set()
    for names in phases:
        one_by_one, whole = [], []
        for name in names:
            section = where.get(name)
            if section is None or section in seen:
                continue
            seen.add(section)
            (whole if section.endswith(":(.text)") else one_by_one).append(name)
        # Sorted by name: inside a part the order hardly matters, and a stable list diffs well.
        listed += sorted(one_by_one) + sorted(whole)
    print("\n".join(listed))


if __name__ == "__main__":
    main()

"""Start-up time and idle memory: runs `BINARY serve` RUNS times (environment
inherited), timing exec to the first `GET /readyz` answered 200 (polled every
millisecond on a fresh connection), then reads VmRSS one second later, idle,
and stops it with SIGTERM. Prints one JSON line with the medians and each run."""
import json
import os
import signal
import socket
import statistics
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


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    binary, port, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    starts, idles = [], []
    for _ in range(runs):
        began = time.monotonic()
        proc = subprocess.Popen([binary, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not ready(port):
            if proc.poll() is not None or time.monotonic() - began > 20:
                sys.exit(f"startup: {binary} did not become ready")
            time.sleep(0.001)
        starts.append(time.monotonic() - began)
        time.sleep(1)
        idles.append(rss_kib(proc.pid))
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    print(json.dumps({
        "startup_ms": round(statistics.median(starts) * 1000, 1),
        "idle_rss_mib": round(statistics.median(idles) / 1024, 1),
        "runs_ms": [round(s * 1000, 1) for s in starts],
        "runs_rss_mib": [round(i / 1024, 1) for i in idles],
    }))


if __name__ == "__main__":
    main()

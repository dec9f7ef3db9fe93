"""The table scripts/bench prints: each measure next to its ceiling from the same
run, the ratio, CPU time per operation and the aim. Input: the rounds file the
script writes (one line per run: KIND ROUND FIELDS...), CLK_TCK, the start-up,
crypto JSON and the hashing width."""
import json
import statistics
import sys

rounds_path, hz, startup, crypto, width = sys.argv[1:]
hz = int(hz)
startup = json.loads(startup)
crypto = json.loads(crypto)
runs = {}
for line in open(rounds_path):
    kind, _, rest = line.strip().split(" ", 2)
    runs.setdefault(kind, []).append(rest)


def ms(text):
    """wrk's latency text (850.00us, 1.20ms, 1.01s) in milliseconds."""
    for suffix, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float("nan")


def wrk(kind):
    """Per round: rps, p99 ms, non-2xx, requests, server us/op, PostgreSQL us/op."""
    out = []
    for rest in runs.get(kind, []):
        rps, p99, bad, n, sticks, pticks = rest.split()
        n = max(int(n), 1)
        out.append((float(rps), ms(p99), int(bad), n, int(sticks) * 1e6 / hz / n, int(pticks) * 1e6 / hz / n))
    return out


med = statistics.median
ngx, me, flood, login = wrk("ngx"), wrk("me"), wrk("meflood"), wrk("login")
libargon2 = [json.loads(r)["hps"] for r in runs.get("libargon2", [])]
cffi = [json.loads(r)["hps"] for r in runs.get("cffi", [])]
# CPU per hash: what a hash costs whatever else runs on the machine.
libargon2_cpu = [json.loads(r).get("cpu_ms", float("nan")) for r in runs.get("libargon2", [])]
cffi_cpu = [json.loads(r).get("cpu_ms", float("nan")) for r in runs.get("cffi", [])]
refresh = []
for rest in runs.get("refresh", []):
    blob, sticks, pticks = rest.rsplit(" ", 2)
    j = json.loads(blob)
    n = max(j.get("count", 1), 1)
    refresh.append((j["rps"], j["p99_ms"], j["failures"], int(sticks) * 1e6 / hz / n, int(pticks) * 1e6 / hz / n))
pgbench = []
for rest in runs.get("pgbench", []):
    tps, n, latency, failed, pticks = rest.split()
    pgbench.append((float(tps), float(latency), int(failed), int(pticks) * 1e6 / hz / max(int(n), 1)))


def col(rows, i):
    return [r[i] for r in rows]


def p99s(rows, i=1):
    return "/".join(f"{v:.2f}" for v in col(rows, i)) + " ms"


me_rps, ngx_rps = med(col(me, 0)), med(col(ngx, 0))
me_cpu, ngx_cpu = med(col(me, 4)), med(col(ngx, 4))
ceiling_name, ceiling = max((("libargon2, 2 threads", med(libargon2)), ("argon2-cffi, 2 processes", med(cffi))),
                            key=lambda x: x[1])
login_rps = med(col(login, 0))
rf_rps, pg_tps = med(col(refresh, 0)), med(col(pgbench, 0))
flood_rps, flood_p99 = flood[0][0], flood[0][1]
mark = lambda ok: "PASS" if ok else "FAIL"

print()
print("| measure | Latchkey | ceiling, same run | ratio | aim |")
print("| --- | --- | --- | --- | --- |")
print(f"| GET /api/me, 32 connections (median of 3) | {me_rps:,.0f} req/s, {me_cpu:.1f} µs CPU/req, "
      f"p99 {p99s(me)} | nginx, same bytes: {ngx_rps:,.0f} req/s, {ngx_cpu:.1f} µs CPU/req, p99 {p99s(ngx)} | "
      f"{me_rps / ngx_rps:.2f}x | >= 0.8x {mark(me_rps / ngx_rps >= 0.8)}; <= 10 µs {mark(me_cpu <= 10)}; "
      f"p99 < 2 ms {mark(max(col(me, 1)) < 2)} |")
print(f"| GET /api/me during a login flood ({10 * int(width)} clients) | {flood_rps:,.0f} req/s, "
      f"p99 {flood_p99:.2f} ms | /api/me alone: p99 {med(col(me, 1)):.2f} ms | "
      f"{flood_rps / me_rps:.2f}x of alone | p99 < 2 ms {mark(flood_p99 < 2)} |")
print(f"| POST /login, 64 connections (median of 3) | {login_rps:.1f} logins/s, {med(col(login, 4)) / 1000:.1f} ms "
      f"CPU/login (+ PostgreSQL {med(col(login, 5)):.0f} µs), p99 {p99s(login)}, "
      f"non-2xx {sum(col(login, 2))} | raw argon2id: libargon2 {med(libargon2):.1f}/s, argon2-cffi "
      f"{med(cffi):.1f}/s; fastest {ceiling_name}; CPU per raw hash: libargon2 {med(libargon2_cpu):.1f} ms, "
      f"argon2-cffi {med(cffi_cpu):.1f} ms | {login_rps / ceiling:.2f}x (CPU per hash / per login: "
      f"{min(med(libargon2_cpu), med(cffi_cpu)) / (med(col(login, 4)) / 1000):.2f}x) | >= 0.95x "
      f"{mark(login_rps / ceiling >= 0.95)} |")
print(f"| POST /refresh, 32 sessions (median of 3) | {rf_rps:,.0f} refreshes/s, {med(col(refresh, 3)):.0f} µs CPU "
      f"+ PostgreSQL {med(col(refresh, 4)):.0f} µs per refresh, p99 {p99s(refresh)}, failed sessions "
      f"{sum(col(refresh, 2))} | pgbench, the least refresh SQL, 32 clients: {pg_tps:,.0f} tx/s, PostgreSQL "
      f"{med(col(pgbench, 3)):.0f} µs per tx, {med(col(pgbench, 1)):.2f} ms avg | {rf_rps / pg_tps:.2f}x | |")
print(f"| start-up: exec to /readyz 200 (median of 5) | {startup['startup_ms']:.0f} ms "
      f"({', '.join(f'{v:.0f}' for v in startup['runs_ms'])}) | | | < 200 ms {mark(startup['startup_ms'] < 200)} |")
print(f"| idle VmRSS (median of 5) | {startup['idle_rss_mib']:.1f} MiB | | | <= 12 MiB "
      f"{mark(startup['idle_rss_mib'] <= 12)} |")
print(f"| JWT HS256, 1 thread: sign / verify a new token / verify the same token again | "
      f"{crypto['jwt_sign_us']:.2f} µs / {crypto['jwt_verify_us']:.2f} µs / "
      f"{crypto.get('jwt_verify_repeated_us', float('nan')):.2f} µs | | | |")

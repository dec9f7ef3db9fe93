"""Raw argon2id rate of argon2-cffi (Debian's python3-argon2): WORKERS
processes hashing back to back for SECONDS, the parameters Latchkey uses.
Prints one JSON line: {"hps": hashes per second, "cpu_ms": CPU per hash, "workers": n}.
Run with the system python (/usr/bin/python3), where Debian installs it."""
import json
import multiprocessing
import os
import resource
import sys
import time

from argon2.low_level import Type, hash_secret_raw


def worker(seconds, memory_kib, iterations, parallelism, counter):
    salt = os.urandom(16)
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        hash_secret_raw(b"bench-password-123", salt, iterations, memory_kib, parallelism, 32, Type.ID)
        done += 1
    with counter.get_lock():
        counter.value += done


def main():
    seconds = float(sys.argv[1])
    workers = int(sys.argv[2])
    memory_kib, iterations, parallelism = (int(v) for v in sys.argv[3:6])
    counter = multiprocessing.Value("l", 0)
    started = time.monotonic()
    procs = [
        multiprocessing.Process(target=worker, args=(seconds, memory_kib, iterations, parallelism, counter))
        for _ in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000 / max(counter.value, 1)
    print(json.dumps({"hps": round(counter.value / elapsed, 2), "cpu_ms": round(cpu_ms, 2), "workers": workers}))


if __name__ == "__main__":
    main()

"""Load on `peelgraph serve`, on loopback only: concurrent clients for a bounded time, mixing the named
queries, on the seed store and on a 100-report store. Not a test.

    python benchmarks/bench_serve.py [--clients 32] [--seconds 60] [--reports 100] [--timeout 30]

The 100-report store is the seed's graph copied under 100 force names (every IRI and the force's name
rewritten), so it has the size and shape of 100 reports without extracting 100 texts. Prints, per store:
requests, throughput, p50/p95/p99 latency, errors by kind, and the resident memory of the front (peelgraph)
and of the Oxigraph server before and after the load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peelgraph import query, store  # noqa: E402
from peelgraph.build import build  # noqa: E402
from peelgraph.server import free_port  # noqa: E402

SEED = ROOT / "seeds" / "derbyshire-peel-2021-22.txt"


def seed_store(tmp: Path) -> Path:
    path = tmp / "seed"
    build([SEED], path)
    return path


def copies_store(seed: Path, tmp: Path, n: int) -> Path:
    """The seed's report graph under n force names, plus the ontology graph once."""
    data = store.dump_nquads(store.open_store(seed)).decode("utf-8")
    ontology = [line for line in data.splitlines() if line.endswith("<https://w3id.org/peelgraph/graph/ontology> .")]
    report = "\n".join(line for line in data.splitlines() if not line.endswith("/graph/ontology> ."))
    parts = ["\n".join(ontology)]
    for i in range(n):
        parts.append(re.sub(r"derbyshire", f"force{i:03d}", report).replace("Derbyshire", f"Force {i:03d}"))
    path = tmp / f"copies-{n}"
    store.replace(path, ("\n".join(parts) + "\n").encode("utf-8"))
    return path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def backends_mb(pid: int) -> tuple[float, int]:
    """Resident memory of all the Oxigraph server processes of `peelgraph serve` (the current one and any
    being retired), and how many there are."""
    kids = [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    return sum(rss_mb(k) for k in kids if Path(f"/proc/{k}").exists()), len(kids)


def start(path: Path, timeout: float):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "peelgraph.cli", "serve", "--store", str(path), "--port", str(port),
                             "--timeout", str(timeout)], stderr=subprocess.PIPE, text=True)
    banner = proc.stderr.readline()
    if "serving SPARQL" not in banner:
        raise SystemExit(banner + proc.stderr.read())
    backend = int(banner.split("Oxigraph server pid ")[1].split(";")[0])
    return proc, port, backend


def load(port: int, texts: dict[str, str], clients: int, seconds: float):
    latencies: dict[str, list[float]] = {name: [] for name in texts}
    errors: Counter = Counter()
    stop = time.monotonic() + seconds
    names = list(texts)

    def client(seed: int):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < stop:
            name = rnd.choice(names)
            t = time.perf_counter()
            try:
                conn.request("POST", "/query", body=texts[name].encode("utf-8"),
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200:
                    json.loads(body)
                    latencies[name].append(time.perf_counter() - t)
                else:  # by status and the first words of the server's message
                    why = " ".join(body.decode("utf-8", "replace").split()[:5])
                    errors[f"{resp.status} {why}... ({name})"] += 1
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException, ValueError) as e:
                errors[f"{type(e).__name__} {name}"] += 1
                conn.close()
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.monotonic() - started


def report(label: str, path: Path, args, texts):
    proc, port, backend = start(path, args.timeout)
    try:
        # one warm-up pass, which also says how long each query takes alone
        alone = {}
        for name, text in texts.items():
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/query", body=text.encode(), headers={"Content-Type": "application/sparql-query"})
            status = conn.getresponse().status
            conn.close()
            alone[name] = (time.perf_counter() - t, status)
        before, load_before = (rss_mb(proc.pid), *backends_mb(proc.pid)), os.getloadavg()[0]
        peak, done = [0.0, 0.0], threading.Event()

        def sample():  # the most memory the front and the Oxigraph servers held at once, twice a second
            while not done.wait(0.5):
                try:
                    peak[:] = max(peak[0], rss_mb(proc.pid)), max(peak[1], backends_mb(proc.pid)[0])
                except OSError:  # a process ended between listing and reading
                    pass

        threading.Thread(target=sample, daemon=True).start()
        latencies, errors, took = load(port, texts, args.clients, args.seconds)
        done.set()
        after, load_after = (rss_mb(proc.pid), *backends_mb(proc.pid)), os.getloadavg()[0]
    finally:
        proc.terminate()
        proc.wait(20)
    every = sorted(x for v in latencies.values() for x in v)
    q = statistics.quantiles(every, n=100) if len(every) > 1 else [float("nan")] * 99
    print(f"\n== {label}: {len(store.open_store(path)):,} quads, {args.clients} clients, {took:.0f} s "
          f"(load average {load_before:.1f} before, {load_after:.1f} after, {os.cpu_count()} CPUs)")
    print("alone: " + ", ".join(f"{n} {s * 1000:.0f} ms" + ("" if st == 200 else f" ({st})")
                                for n, (s, st) in alone.items()))
    print(f"requests answered {len(every):,} ({len(every) / took:.1f}/s), errors {sum(errors.values())}")
    kinds = Counter()
    for what, n in errors.items():
        kinds[what.rsplit(" (", 1)[0]] += n
    for what, n in kinds.most_common():
        print(f"  {n} x {what} " + ", ".join(f"{k.rsplit(' (', 1)[1][:-1]} {m}" for k, m in sorted(errors.items())
                                          if k.startswith(what + " (")))
    print(f"latency p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms")
    print(f"memory (RSS) front {before[0]:.0f} -> {after[0]:.0f} MB, Oxigraph servers {before[1]:.0f} -> "
          f"{after[1]:.0f} MB ({before[2]} -> {after[2]} processes: the current one and those being retired); "
          f"peak front {peak[0]:.0f} MB, Oxigraph servers {peak[1]:.0f} MB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--reports", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--queries", help="comma-separated names (default: every named query but the checks)")
    args = ap.parse_args()
    names = args.queries.split(",") if args.queries else [n for n in query.available() if not n.startswith("checks/")]
    texts = {n: query.resolve(n) for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seed = seed_store(tmp)
        report("seed store", seed, args, texts)
        if args.reports:
            t = time.perf_counter()
            big = copies_store(seed, tmp, args.reports)
            print(f"\n(built the {args.reports}-report store in {time.perf_counter() - t:.0f} s)")
            report(f"{args.reports}-report store", big, args, texts)


if __name__ == "__main__":
    main()

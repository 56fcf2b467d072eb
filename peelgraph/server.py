"""`peelgraph serve`: a SPARQL 1.1 Protocol endpoint over the store, for colleagues, notebooks and dashboards.

Two processes. The Oxigraph server (PyPI `oxigraph`, same version line as pyoxigraph) runs read-only on
the store, listening on a private loopback port. In front of it, this module's small HTTP layer listens on
the public address and is the only way in, because the Oxigraph server cannot enforce by itself what a
shared endpoint needs:

- it would run federated `SERVICE` calls (requests from this machine to anywhere): the front refuses any
  query that has one, with the same check as `peelgraph query` (query.check_safe), and refuses Update;
- its `--timeout-s` (set to the same limit) cancels most queries, but not every one: an aggregate over a
  cartesian product goes on for minutes. The front stops waiting at `--timeout` and answers 504; then it
  watches the Oxigraph server's CPU, and if that is more than the queries still in flight account for,
  restarts it, which is what stops such a query (queries in flight at that moment get a 502);
- it takes any number of queries at once: the front sends at most WORKERS at a time, the rest wait their
  turn (503 if they wait longer than the time limit); a query that was slow lately (a SLOW share of the time
  limit or more) may take only SLOW_WORKERS of those slots, so slow ones cannot keep the quick ones waiting;
- it keeps a thread for every query it has answered (0.5.13), so under sustained load it runs out and
  resets connections: every RECYCLE_EVERY answers the front starts a fresh one and retires the old one
  once no query runs on it (at most the time limit), and a connection dropped now and then is retried once (queries only read);
- it has no limit on the size of a query or a result: the front refuses a request body over
  MAX_QUERY_BYTES (413) and an answer over `max_result_bytes` (507). The Oxigraph server also runs under a
  memory limit (MEMORY_LIMIT), so a query that needs more ends it rather than the machine; the front starts
  it again.

The front also serves the query page at `/` (plain HTML and script, nothing fetched from elsewhere).
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import query as q
from . import store
from .errors import QueryError, ServeError

MAX_QUERY_BYTES = 64 * 1024
MAX_RESULT_BYTES = 64 * 1024 * 1024
MEMORY_LIMIT = 4 << 30  # bytes of address space for the Oxigraph server
WORKERS = max(4, 2 * (os.cpu_count() or 2))  # queries sent to the Oxigraph server at once; others wait
SLOW_WORKERS = WORKERS - 1  # of those, how many may be slow ones: one is always left for quick ones
SLOW = 0.25  # a query is slow when it took this fraction of the time limit, or more
RECYCLE_EVERY = 500  # queries answered by one Oxigraph server before a fresh one takes over (Backend.served)
MEMORY_BUDGET = 1024  # MB of resident memory for all the Oxigraph server processes together (Backend.guard)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_program() -> str:
    """The Oxigraph server's program, from the same environment as this Python, or on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the Oxigraph server is not installed; run `pip install -e .` (it needs the "
                         "`oxigraph` package).")
    from importlib.metadata import PackageNotFoundError, version

    try:
        server, library = version("oxigraph"), version("pyoxigraph")
    except PackageNotFoundError:
        return found
    if server.split(".")[:2] != library.split(".")[:2]:
        raise ServeError(f"oxigraph {server} and pyoxigraph {library} are not the same version line, so the "
                         "server may not open the store; install matching versions.")
    return found


class Backend:
    """The Oxigraph server, read-only on the store, on a private loopback port; restartable."""

    def __init__(self, location: Path, timeout: float, memory_mb: int = MEMORY_BUDGET):
        self.location, self.timeout, self.memory_mb = location, timeout, memory_mb
        self.stopped_for_memory: set[int] = set()  # ports of servers ended to keep within memory_mb
        self.closing = threading.Event()
        self.program = oxigraph_program()
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.lock = threading.Lock()
        self.restarts = self.recycles = self.answered = 0
        self.count_lock = threading.Lock()
        self.retiring: list[tuple[subprocess.Popen, int]] = []  # (process, port) of old servers ending
        self.busy: dict[int, int] = {}  # port: queries running on it
        # Linux ends the Oxigraph server when the thread that started it ends (PR_SET_PDEATHSIG), so every
        # start happens on this one long-lived thread
        from concurrent.futures import ThreadPoolExecutor

        self.keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="peelgraph-oxigraph")

    def start(self) -> None:
        self.keeper.submit(self._start).result()

    def _start(self) -> None:
        import math

        self.port, self.started = free_port(), time.monotonic()
        self.stopped_for_memory.discard(self.port)
        cmd = [self.program, "serve-read-only", "--location", str(self.location), "--bind",
               f"127.0.0.1:{self.port}", "--union-default-graph", "--timeout-s", str(max(1, math.ceil(self.timeout)))]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, preexec_fn=_limit_memory)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
                raise ServeError(f"the Oxigraph server did not start: {err[-1] if err else 'no message'}")
            try:
                status, _, _ = self.request("GET", "/query?query=ASK%7B%7D", timeout=2)
                if status == 200:
                    threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.proc.kill()
        raise ServeError("the Oxigraph server did not answer within 20 s of starting.")

    @staticmethod
    def _drain(proc):
        for _ in proc.stderr:  # keep its pipe from filling; what it says is not needed
            pass

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        _end(proc)

    def served(self, port: int) -> None:
        """Count a query answered; every RECYCLE_EVERY, recycle (the Oxigraph server keeps a thread for every
        query it has answered, so a long-lived one runs out of threads under load and drops connections)."""
        with self.count_lock:
            self.answered += 1
            due = self.answered >= RECYCLE_EVERY and self.port == port
            if due:
                self.answered = 0
        if due:
            self.recycle(port)

    def recycle(self, port: int) -> None:
        """Start a fresh Oxigraph server for new queries and retire the one on ``port`` once the queries still
        running on it have had their time; unless another thread already did since port was read."""
        with self.lock:
            if self.port != port or self.proc is None:
                return
            old = self.proc
            try:
                self.start()
            except ServeError:  # keep the one that works
                self.proc, self.port = old, port
                return
            self.recycles += 1
            self.retiring.append((old, port))
        with self.count_lock:
            self.answered = 0
        threading.Thread(target=self._retire, args=(old, port), daemon=True).start()

    def processes(self) -> list[tuple[subprocess.Popen, int]]:
        """(process, port) of every Oxigraph server running: those being retired, then the current one."""
        with self.lock:
            return list(self.retiring) + ([(self.proc, self.port)] if self.proc else [])

    def guard(self) -> None:
        """Keep all the Oxigraph servers together within memory_mb of resident memory, checking twice a
        second: a server past half the budget is recycled (its memory grows with the queries it has run
        and is not given back), and when they are past the whole budget, the old ones are ended at once,
        then the current one if it alone is past it; the queries on an ended server get a 503."""
        while not self.closing.wait(0.5):
            running = [(proc, port, _rss_mb(proc)) for proc, port in self.processes()]
            if not running:
                continue
            proc, port, mb = running[-1]
            if mb > self.memory_mb / 2 and (self.busy.get(port) or self.answered) \
                    and time.monotonic() - self.started > 5:  # not a fresh one (a big store's may start big)
                self.recycle(port)
            total = sum(m for _, _, m in running)
            for old, old_port, old_mb in running[:-1]:
                if total <= self.memory_mb:
                    break
                self.stopped_for_memory.add(old_port)
                _end(old)
                total -= old_mb
            if total > self.memory_mb and mb > self.memory_mb:
                self.stopped_for_memory.add(port)
                self.restart(port)

    def _retire(self, proc, port: int) -> None:
        """End an old Oxigraph server once no query runs on it any more (or the time limit has passed)."""
        deadline = time.monotonic() + self.timeout + 2
        while self.busy.get(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        _end(proc)
        with self.lock:
            self.busy.pop(port, None)
            if (proc, port) in self.retiring:
                self.retiring.remove((proc, port))

    def close(self) -> None:
        self.closing.set()
        self.stop()
        for proc, _ in self.processes():
            _end(proc)
        self.keeper.shutdown(wait=False)

    def restart(self, port_seen: int) -> None:
        """Restart it, unless another thread already did since port_seen was read."""
        with self.lock:
            if self.port == port_seen:
                self.stop()
                self.start()
                self.restarts += 1

    def current_port(self) -> int:
        """The port to send a query to, starting the server again first if it has stopped."""
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.stop()
                self.start()
                self.restarts += 1
            return self.port

    def request(self, method, path, body=None, headers=None, timeout=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type", ""), resp.read()
        finally:
            conn.close()


def _cpu_ticks(proc) -> int | None:
    """CPU time a process has used so far, in clock ticks (user and system)."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, AttributeError, IndexError, ValueError):
        return None


def _rss_mb(proc) -> float:
    """Resident memory of a process, in MB (0 once it has ended)."""
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _end(proc) -> None:
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    elif proc:
        proc.wait()


def _limit_memory():
    """In the Oxigraph server's process before it starts: cap its memory, and have Linux end it if
    peelgraph itself is killed."""
    import ctypes
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Refusal(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Front(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, backend: Backend, timeout: float, max_result_bytes: int):
        super().__init__(address, Handler)
        self.backend, self.query_timeout, self.max_result_bytes = backend, timeout, max_result_bytes
        self.slots = threading.BoundedSemaphore(WORKERS)
        self.slow_slots = threading.BoundedSemaphore(SLOW_WORKERS)
        self.slow: dict[str, float] = {}  # query texts that were slow lately: when
        self.in_flight = 0
        self.count_lock = threading.Lock()
        self.watching = threading.Event()
        self.idle: list[http.client.HTTPConnection] = []

    def watch(self, port: int) -> None:
        """After a query timed out: the Oxigraph server cancels most queries itself at its own timeout, but
        not every one (an aggregate over a cartesian product runs on). Watch its CPU for a while, and
        restart it if it uses more than the queries still in flight can account for."""
        if self.watching.is_set():
            return
        self.watching.set()

        def run():
            try:
                ticks = os.sysconf("SC_CLK_TCK")
                time.sleep(2)
                last, at = _cpu_ticks(self.backend.proc), time.monotonic()
                for _ in range(300):
                    time.sleep(1)
                    if self.backend.port != port:
                        return
                    now, t = _cpu_ticks(self.backend.proc), time.monotonic()
                    if now is None or last is None:
                        return
                    cores = (now - last) / ticks / (t - at)
                    busy = self.in_flight
                    if cores > (busy + 0.5 if busy else 0.2):  # idle, it uses next to nothing
                        self.backend.restart(port)
                        return
                    if cores < 0.1:
                        return
                    last, at = now, t
            finally:
                self.watching.clear()

        threading.Thread(target=run, name="peelgraph-watch", daemon=True).start()

    def answer(self, text: str, accept: str) -> tuple[str, bytes]:
        """Check a query, run it on the Oxigraph server, and return (content type, body); raises Refusal."""
        try:
            q.check_safe(text)
        except QueryError as e:
            raise Refusal(400, str(e)) from None
        # a query that was slow lately needs one of SLOW_WORKERS passes before it takes a slot, so that slow
        # queries cannot take every slot and keep the quick ones waiting
        key = hashlib.sha256(text.encode("utf-8")).digest()
        slow = time.monotonic() - self.slow.get(key, -1e9) < 600
        until = time.monotonic() + self.query_timeout
        if slow and not self.slow_slots.acquire(timeout=self.query_timeout):
            raise Refusal(503, f"the server is busy: the slow queries like this one ahead of it took the "
                               f"{self.query_timeout:g} s it may wait; try again later.")
        if not self.slots.acquire(timeout=max(0.0, until - time.monotonic())):
            if slow:
                self.slow_slots.release()
            raise Refusal(503, f"the server is busy: the queries ahead of it took the {self.query_timeout:g} s "
                               "it may wait; try again later.")
        with self.count_lock:
            self.in_flight += 1
        started, timed_out = time.monotonic(), False
        try:
            return self._answer(text, accept)
        except Refusal as e:
            timed_out = e.status == 504
            raise
        finally:
            took = self.query_timeout if timed_out else time.monotonic() - started
            with self.count_lock:
                self.in_flight -= 1
                self.slow.pop(key, None)
                if took >= SLOW * self.query_timeout:
                    self.slow[key] = time.monotonic()
                    if len(self.slow) > 10_000:
                        self.slow.pop(next(iter(self.slow)))
            self.slots.release()
            if slow:
                self.slow_slots.release()

    def _answer(self, text: str, accept: str) -> tuple[str, bytes]:
        kind = accept or "application/sparql-results+json, application/n-triples;q=0.9"
        body = q.with_prefixes(text).encode("utf-8")
        started = time.monotonic()
        for attempt in (1, 2):
            port = self.backend.current_port()
            try:
                answer = self._forward(port, body, kind, started)
                self.backend.served(port)
                return answer
            except (TimeoutError, http.client.IncompleteRead, ConnectionError, http.client.HTTPException):
                if os.environ.get("PEELGRAPH_DEBUG"):
                    import traceback

                    traceback.print_exc()
                if port in self.backend.stopped_for_memory:
                    raise Refusal(503, f"the SPARQL server went past its {self.backend.memory_mb:,} MB memory "
                                       "budget and the queries running on it were stopped; narrow the query "
                                       "or try again when the server is less busy.") from None
                if time.monotonic() - started >= self.query_timeout:
                    self.watch(port)
                    raise Refusal(504, f"the query ran past the {self.query_timeout:g} s time limit and was "
                                       "stopped; narrow it.") from None
                # the Oxigraph server now and then drops a connection under load: a query only reads, so
                # send it once more (on a new server if that one has stopped)
                if attempt == 2:
                    raise Refusal(502, "the SPARQL server closed the connection twice while answering "
                                       "(if it stopped, the query may need more memory than it is "
                                       "allowed); try again.") from None
        raise AssertionError("unreachable")

    def _connection(self, port: int, timeout: float) -> http.client.HTTPConnection:
        """A kept-alive connection to the Oxigraph server (it keeps a thread for every connection it has
        seen for a while, so a new connection per query would pile up thousands of them under load)."""
        with self.count_lock:
            while self.idle:
                conn = self.idle.pop()
                if conn.port == port:
                    break
                conn.close()
            else:
                conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.timeout = timeout
        if conn.sock:
            conn.sock.settimeout(timeout)
        return conn

    def _forward(self, port: int, body: bytes, kind: str, started: float) -> tuple[str, bytes]:
        limit = self.query_timeout
        conn = self._connection(port, max(0.01, limit - (time.monotonic() - started)))
        reusable = False
        backend = self.backend
        with backend.count_lock:
            backend.busy[port] = backend.busy.get(port, 0) + 1
        try:
            conn.request("POST", "/query", body=body,
                         headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": kind})
            resp = conn.getresponse()
            chunks, size = [], 0
            while chunk := resp.read1(1 << 16):
                size += len(chunk)
                if size > self.max_result_bytes:
                    raise Refusal(507, f"the result is larger than the {self.max_result_bytes:,}-byte limit; "
                                       "add a LIMIT or select fewer variables.")
                left = limit - (time.monotonic() - started)
                if left <= 0:
                    raise TimeoutError
                if conn.sock:
                    conn.sock.settimeout(left)
                chunks.append(chunk)
            data = b"".join(chunks)
            if data.rstrip().endswith(b"has been cancelled"):  # the Oxigraph server's own timeout, mid-answer
                raise TimeoutError
            reusable = not resp.will_close
            if resp.status != 200:
                raise Refusal(400 if resp.status < 500 else 502, q.first_line(data.decode("utf-8", "replace"))
                              or resp.reason)
            return resp.getheader("Content-Type", "application/octet-stream"), data
        finally:
            with backend.count_lock:
                backend.busy[port] = backend.busy.get(port, 1) - 1
            if reusable and conn.sock:
                with self.count_lock:
                    self.idle.append(conn)
            else:
                conn.close()


class Handler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"
    server_version = "peelgraph"

    def log_message(self, format, *args):  # noqa: A002 - quiet; errors go back to the client
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query)
        if url.path in ("/", "/index.html"):
            return self.send(200, "text/html; charset=utf-8", page().encode("utf-8"))
        if url.path == "/queries.json":
            return self.send(200, "application/json", json.dumps(named_queries()).encode("utf-8"))
        if url.path in ("/query", "/sparql"):
            if "update" in params:
                return self.refuse(403, "this endpoint is read-only: SPARQL Update is refused.")
            if "query" not in params:
                return self.refuse(400, "no query: pass ?query=SPARQL.")
            return self.run(params["query"][0])
        if url.path == "/update":
            return self.refuse(403, "this endpoint is read-only: SPARQL Update is refused.")
        self.refuse(404, f"nothing at {url.path}; SPARQL queries go to /query, the query page is at /.")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if length > MAX_QUERY_BYTES:
            self.drain(length)
            return self.refuse(413, f"the request is {length:,} bytes; the limit is {MAX_QUERY_BYTES:,}.")
        body = self.rfile.read(length)
        if url.path == "/update" or kind == "application/sparql-update":
            return self.refuse(403, "this endpoint is read-only: SPARQL Update is refused.")
        if url.path not in ("/query", "/sparql"):
            return self.refuse(404, f"nothing at {url.path}; SPARQL queries go to /query.")
        if kind == "application/sparql-query":
            return self.run(body.decode("utf-8", "replace"))
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "update" in params:
            return self.refuse(403, "this endpoint is read-only: SPARQL Update is refused.")
        if "query" not in params:
            return self.refuse(400, "no query: send query=SPARQL as a form, or application/sparql-query.")
        self.run(params["query"][0])

    def do_PUT(self):
        self.drain(int(self.headers.get("Content-Length") or 0))
        self.refuse(405, "this endpoint is read-only.")

    def drain(self, length: int):
        """Read a body that will be refused, so that the client gets to read the answer (up to 16 MiB)."""
        if length <= 256 * MAX_QUERY_BYTES:
            while length > 0:
                got = self.rfile.read(min(length, 1 << 16))
                if not got:
                    break
                length -= len(got)

    do_DELETE = do_PATCH = do_PUT

    def run(self, text: str):
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            return self.refuse(413, f"the query is longer than the {MAX_QUERY_BYTES:,}-byte limit.")
        accept = (self.headers.get("Accept") or "").strip()
        try:
            kind, body = self.server.answer(text, accept)
        except Refusal as e:
            return self.refuse(e.status, str(e))
        self.send(200, kind, body)

    def refuse(self, status: int, message: str):
        self.send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

    def send(self, status: int, kind: str, body: bytes):
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if status >= 400:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def named_queries() -> list[dict]:
    return [{"name": name, "about": q.describe(path), "sparql": path.read_text(encoding="utf-8")}
            for name, path in q.available().items() if not name.startswith("checks/")]


def page() -> str:
    from .querypage import page as render

    return render(named_queries())


def serve(location: Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = q.TIMEOUT,
          allow_remote: bool = False, max_result_bytes: int = MAX_RESULT_BYTES, memory_mb: int = MEMORY_BUDGET,
          say=print) -> None:
    """Run the endpoint until Ctrl-C or SIGTERM; then stop both processes."""
    if not is_loopback(host) and not allow_remote:
        raise ServeError(f"refusing to listen on {host}: only loopback addresses by default; pass "
                         "--allow-remote to share the endpoint beyond this machine.")
    location = Path(location)
    store.require(location)
    try:
        front = Front((host, port), Backend(location, timeout, memory_mb), timeout, max_result_bytes)
    except OSError as e:
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}; pass another --port "
                         "(or stop what is using it).") from None
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        front.backend.start()
        threading.Thread(target=front.backend.guard, name="peelgraph-memory", daemon=True).start()
        if not is_loopback(host):
            say(f"warning: listening on {host}: anyone who can reach this machine can query the graph.")
        shown = f"[{host}]" if ":" in host else host
        say(f"serving SPARQL at http://{shown}:{front.server_address[1]}/query (query page at /), "
            f"read-only, {timeout:g} s time limit, {memory_mb:,} MB memory budget; pid {os.getpid()}, Oxigraph server pid "
            f"{front.backend.proc.pid}; Ctrl-C stops.")
        front.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        say("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        front.server_close()
        front.backend.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt

"""SPARQL endpoints and Graph Stores elsewhere: `query --endpoint URL` (SPARQL 1.1 Protocol) and `push URL`
(SPARQL 1.1 Graph Store HTTP Protocol), over plain HTTP.

The answers come back as the same Result as the embedded store gives, so every format renders the same.
Credentials, when an endpoint needs them, come from the environment (ENV_USER, ENV_PASSWORD), never from the
command line, and are never printed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

from . import query as q
from .errors import EndpointError, QueryError, QueryLimit

ENV_USER = "PEELGRAPH_ENDPOINT_USER"
ENV_PASSWORD = "PEELGRAPH_ENDPOINT_PASSWORD"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


# HTTP authentication, only when a server asks for it: Digest (RFC 7616, what Virtuoso's -auth endpoints
# use) or Basic. A Digest challenge is kept per server and answered again with a growing nonce count, so a
# request with a body (a graph being PUT) goes out with its credentials the first time: a server that
# refuses a body closes the connection while it is still being sent.
_challenges: dict[str, dict | None] = {}  # scheme://host:port/path -> its last challenge (and our nonce count),
# or None when it answered without asking for credentials
_auth_lock = threading.Lock()


def _origin(url: str) -> str:
    """The protection space a challenge is kept for: scheme, host, port and path (Virtuoso protects some
    paths of a server and not others)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}{parts.path}"


def _challenge(header: str) -> dict | None:
    """The Digest (preferred) or Basic challenge of a WWW-Authenticate header, as lower-cased parameters."""
    found = {}
    for m in re.finditer(r"(?:^|,)\s*(Digest|Basic)\s+((?:[^,\"]|\"[^\"]*\"|,(?!\s*(?:Digest|Basic)\s))*)",
                         header or "", re.I):
        params = {k.lower(): v.strip('"') for k, v in re.findall(r'([\w-]+)\s*=\s*("[^"]*"|[^\s,]+)', m.group(2))}
        found.setdefault(m.group(1).lower(), params)
    if "digest" in found:
        return {"scheme": "digest", **found["digest"]}
    return {"scheme": "basic"} if "basic" in found else None


def _authorization(method: str, url: str, user: str, password: str) -> dict:
    """The Authorization header answering the challenge kept for this server (none kept: none sent)."""
    with _auth_lock:
        ch = _challenges.get(_origin(url))
        if not ch:
            return {}
        if ch["scheme"] == "basic":
            return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
        ch["nc"] = ch.get("nc", 0) + 1
        nc = f"{ch['nc']:08x}"
    algorithm = ch.get("algorithm", "MD5")
    h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(algorithm.upper().removesuffix("-SESS"))
    if h is None:
        raise EndpointError(f"{_safe(url)} asks for Digest authentication with {algorithm}, which peelgraph "
                            "does not do (it does MD5 and SHA-256).")
    hx = lambda text: h(text.encode("utf-8")).hexdigest()
    parts = urllib.parse.urlsplit(url)
    uri = parts.path + (f"?{parts.query}" if parts.query else "")
    cnonce = os.urandom(8).hex()
    a1 = hx(f"{user}:{ch.get('realm', '')}:{password}")
    if algorithm.upper().endswith("-SESS"):
        a1 = hx(f"{a1}:{ch['nonce']}:{cnonce}")
    a2 = hx(f"{method}:{uri}")
    fields = {"username": user, "realm": ch.get("realm", ""), "nonce": ch.get("nonce", ""), "uri": uri,
              "algorithm": algorithm}
    if "auth" in [x.strip() for x in ch.get("qop", "").split(",")]:
        fields.update(qop="auth", nc=nc, cnonce=cnonce, response=hx(f"{a1}:{ch['nonce']}:{nc}:{cnonce}:auth:{a2}"))
    else:
        fields["response"] = hx(f"{a1}:{ch.get('nonce', '')}:{a2}")
    if "opaque" in ch:
        fields["opaque"] = ch["opaque"]
    bare = ("qop", "nc", "algorithm")
    return {"Authorization": "Digest " + ", ".join(f'{k}={v}' if k in bare else f'{k}="{v}"'
                                                   for k, v in fields.items())}


def _learn(url: str, header: str, sent: dict) -> bool:
    """Keep a 401's challenge; True when it is worth answering (new, or our nonce went stale), False when
    the credentials just sent were refused."""
    ch = _challenge(header)
    if not ch:
        return False
    with _auth_lock:
        old = _challenges.get(_origin(url))
        _challenges[_origin(url)] = ch
    if not sent.get("Authorization"):
        return True
    return ch["scheme"] == "digest" and (ch.get("stale", "").lower() == "true"
                                         or (old or {}).get("nonce") != ch.get("nonce"))


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only when the request carries no credentials (urllib would send them on to
    wherever it points); otherwise the redirect is the answer."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if req.has_header("Authorization"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _send(method, url, body, headers, timeout):
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.build_opener(_Redirects).open(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float | None = None) -> tuple[int, str, bytes]:
    """One HTTP request: (status, content type, body), with the credentials of the environment when the
    server asks for them. HTTP errors are answers; an unreachable server raises EndpointError."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise EndpointError(f"{url!r} is not an http(s) URL.")
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD) or ""
    try:
        if user and body is not None and _origin(url) not in _challenges:
            # learn whether (and how) the server wants credentials with a request that sends no body and
            # changes nothing
            status, answer, _ = _send("GET", url, None, {}, timeout)
            if status == 401:
                _learn(url, answer.get("WWW-Authenticate", ""), {})
            else:
                _challenges.setdefault(_origin(url), None)
        for attempt in (1, 2, 3):
            auth = _authorization(method, url, user, password) if user else {}
            status, answer, data = _send(method, url, body, {**(headers or {}), **auth}, timeout)
            if status != 401:
                _challenges.setdefault(_origin(url), None)
            if not (status == 401 and user and attempt < 3 and _learn(url, answer.get("WWW-Authenticate", ""), auth)):
                break
        if status == 401:
            data = (b"the server wants credentials: set " + ENV_USER.encode() + b" and " + ENV_PASSWORD.encode()
                    if not user else b"the server refused the credentials of " + ENV_USER.encode() + b" and "
                    + ENV_PASSWORD.encode() + b" (or they lack the right to do this)")
        return status, answer.get("Content-Type", ""), data
    except TimeoutError:
        raise QueryLimit(f"{_safe(url)} did not answer within {timeout:g} s.") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise EndpointError(f"cannot reach {_safe(url)}: {getattr(reason, 'strerror', None) or reason}.") from None


def _safe(url: str) -> str:
    """The URL without any user:password@ part."""
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl() \
        if parts.password or parts.username else url


def run(url: str, text: str, timeout: float | None = q.TIMEOUT, max_rows: int | None = q.MAX_ROWS,
        allow_service: bool = False) -> q.Result:
    """Run a query on a SPARQL endpoint; the same checks as on the embedded store, and the common prefixes
    predeclared."""
    import pyoxigraph as ox

    q.check_safe(text, allow_service)
    body = urllib.parse.urlencode({"query": q.with_prefixes(text)}).encode("utf-8")
    status, kind, data = request("POST", url, body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"}, timeout or None)
    if status != 200:
        raise QueryError(f"{_safe(url)} answered {status}: {q.first_line(data.decode('utf-8', 'replace')) or 'no message'}")
    kind = kind.split(";")[0].strip().lower()
    try:
        if kind in (N_TRIPLES, "text/turtle", "application/rdf+xml"):
            fmt = {N_TRIPLES: ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
                   "application/rdf+xml": ox.RdfFormat.RDF_XML}[kind]
            triples = list(ox.parse(data, fmt))
            rows = [[t.subject, t.predicate, t.object] for t in triples]
            result = q.Result(["subject", "predicate", "object"], rows)
        else:
            fmt = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                   "text/tab-separated-values": ox.QueryResultsFormat.TSV}.get(kind, ox.QueryResultsFormat.JSON)
            parsed = ox.parse_query_results(data, fmt)
            if isinstance(parsed, ox.QueryBoolean):
                return q.Result([], [], bool(parsed))
            variables = [v.value for v in parsed.variables]
            result = q.Result(variables, [[s[v] for v in variables] for s in parsed])
    except (SyntaxError, ValueError) as e:
        raise EndpointError(f"{_safe(url)} answered with results peelgraph cannot read ({kind or 'no type'}): "
                            f"{str(e).splitlines()[0] if str(e) else e}") from None
    if max_rows and len(result.rows) > max_rows:
        raise QueryLimit(f"the query returned more than {max_rows:,} rows; add a LIMIT (or pass a larger --max-rows).")
    return result


# ---- pushing the store's named graphs to a SPARQL 1.1 Graph Store HTTP Protocol endpoint ----

def graph_url(store_url: str, graph: str) -> str:
    """The indirect graph identification of the Graph Store Protocol: STORE?graph=IRI."""
    sep = "&" if "?" in store_url else "?"
    return f"{store_url}{sep}{urllib.parse.urlencode({'graph': graph})}"


def _ntriples(triples) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


RDF_TYPES = {"application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES", "text/turtle": "TURTLE",
             "application/rdf+xml": "RDF_XML", "application/n-quads": "N_QUADS", "application/trig": "TRIG"}


def _as_ntriples(data: bytes, kind: str) -> bytes:
    """A graph as a server sent it, written again as N-Triples by the same writer as ours."""
    import pyoxigraph as ox

    kind = kind.split(";")[0].strip().lower()
    fmt = getattr(ox.RdfFormat, RDF_TYPES.get(kind, "N_TRIPLES"))
    try:
        return _ntriples(ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(data, fmt))
    except (SyntaxError, ValueError) as e:
        raise EndpointError(f"the Graph Store sent a graph peelgraph cannot read ({kind or 'no type'}): "
                            f"{q.first_line(str(e))}") from None


def _same(ours: bytes, theirs: bytes) -> bool:
    a, b = set(ours.splitlines()), set(theirs.splitlines())
    if a == b:
        return True
    if len(a) != len(b) or (b"_:" not in ours and b"_:" not in theirs):
        return False
    from rdflib import Graph
    from rdflib.compare import isomorphic

    return isomorphic(Graph().parse(data=ours, format="nt"), Graph().parse(data=theirs, format="nt"))


def push(store, url: str, say=lambda message: None, timeout: float = 300) -> list[dict]:
    """PUT every named graph of the store to the Graph Store at ``url``, one graph at a time, skipping those
    the server already holds exactly; returns one record per graph: graph, triples, before (None when it
    was not there) and action (created, replaced or unchanged). Other graphs on the server are left alone."""
    import pyoxigraph as ox

    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    out = []
    for i, graph in enumerate(graphs, 1):
        ours = _ntriples(ox.Triple(x.subject, x.predicate, x.object)
                         for x in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        triples = ours.count(b"\n")
        status, kind, theirs = request("GET", graph_url(url, graph), headers={"Accept": N_TRIPLES}, timeout=timeout)
        if status == 200:
            theirs = _as_ntriples(theirs, kind)
            before = theirs.count(b"\n")
        elif status == 404:
            before = None
        else:
            raise EndpointError(f"{_safe(url)} answered {status} to reading {graph}: "
                                f"{q.first_line(theirs.decode('utf-8', 'replace')) or 'no message'}")
        if before is not None and _same(ours, theirs):
            action = "unchanged"
        else:
            status, _, body = request("PUT", graph_url(url, graph), ours, {"Content-Type": N_TRIPLES}, timeout)
            if status not in (200, 201, 204):
                raise EndpointError(f"{_safe(url)} answered {status} to writing {graph}: "
                                    f"{q.first_line(body.decode('utf-8', 'replace')) or 'no message'}")
            action = "created" if before is None else "replaced"
        say(f"[{i}/{len(graphs)}] {graph}: {action} ({triples:,} triples"
            + (f", was {before:,})" if action == "replaced" else ")"))
        out.append({"graph": graph, "triples": triples, "before": before, "action": action})
    return out


def push_summary(records: list[dict]) -> str:
    changed = [r for r in records if r["action"] != "unchanged"]
    if not changed:
        return f"nothing changed: the {len(records)} graphs on the server already equal the store's."
    counts = {a: sum(r["action"] == a for r in records) for a in ("created", "replaced", "unchanged")}
    return ", ".join(f"{n} {a}" for a, n in counts.items() if n) + f" ({sum(r['triples'] for r in changed):,} triples written)."

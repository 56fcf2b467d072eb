"""SPARQL over the store: ready-made queries by name, files, or text; results as tables, CSV, TSV, JSON,
JSON lines and SPARQL JSON results; the guard that refuses federated SERVICE calls and SPARQL Update."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import resources
from .errors import QueryError, QueryLimit, QueryRefused
from .vocab import PREFIXES

SPARQL_START = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE|"
                          r"INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
TIMEOUT = 30.0  # seconds, default for `query` and `serve`
MAX_ROWS = 100_000  # default result limit of `query`

# SPARQL tokens, the first alternative that matches at each position winning, so that a keyword inside a
# comment, a string, an IRI, a prefixed name or a variable is never read as a keyword.
_TOKENS = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3} | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
              | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>[\w.-]*:(?:[\w.:%-]|\\.)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S)
""", re.X)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def keywords(text: str) -> list[str]:
    """The bare words of a SPARQL text (keywords and function names), upper-cased, in order; nothing from
    comments, string literals, IRIs, prefixed names or variables."""
    return [m.group().upper() for m in _TOKENS.finditer(text) if m.lastgroup == "word"]


def check_safe(text: str, allow_service: bool = False) -> None:
    """Refuse SPARQL Update (always: queries here only read) and federated SERVICE calls (unless allowed).

    The check reads SPARQL's tokens, so the words of a comment, a string, an IRI or a name do not count;
    such a keyword anywhere else does, which errs on the side of refusing."""
    words = set(keywords(text))
    if words & _UPDATE_WORDS:
        raise QueryRefused("SPARQL Update is refused: queries here only read the graph "
                           "(rebuild the store with `peelgraph build`, or push it with `peelgraph push`).")
    if "SERVICE" in words and not allow_service:
        raise QueryRefused("SERVICE (federated query) is refused: it would make this machine send requests "
                           "to other servers; pass --allow-service if you mean it.")


def available() -> dict[str, Path]:
    """Named queries: the file stem of every queries/*.rq (checks as 'checks/NAME')."""
    root = resources.queries_dir()
    out = {p.stem: p for p in sorted(root.glob("*.rq"))}
    out.update({f"checks/{p.stem}": p for p in sorted((root / "checks").glob("*.rq"))})
    return out


def describe(path: Path) -> str:
    """The header comment of a query file: what question it answers."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").strip())
    return " ".join(lines)


def resolve(query: str) -> str:
    """QUERY is a file, a name from queries/, or SPARQL text."""
    named = available()
    if query in named:
        return named[query].read_text(encoding="utf-8")
    if query.removesuffix(".rq") in named:
        return named[query.removesuffix(".rq")].read_text(encoding="utf-8")
    if SPARQL_START.match(query) or "{" in query:
        return query
    p = Path(query)
    if p.is_file():
        try:
            return p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as e:
            raise QueryError(f"cannot read query file {p}: {e}") from None
    names = ", ".join(n for n in named if not n.startswith("checks/"))
    raise QueryError(f"unknown query {query!r}: not a file, not SPARQL, and not one of: {names}.")


def first_line(message: str, width: int = 240) -> str:
    """The first line of a message, cut to a width that fits an error line."""
    lines = message.strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= width else line[: width - 1] + "\u2026"


def with_prefixes(text: str) -> str:
    """The query with the predeclared prefixes written out, for servers that do not know them (a query's
    own PREFIX lines come after, so they win), all on its first line so that error line numbers stay right."""
    return "".join(f"PREFIX {k}: <{v}> " for k, v in PREFIXES.items()) + text  # one line: error lines stay right


@dataclass
class Result:
    variables: list[str]
    rows: list[list[object]]  # pyoxigraph terms, plain str / int / float values, or None
    boolean: bool | None = None


def run(store, text: str, timeout: float | None = None, max_rows: int | None = None,
        allow_service: bool = False, exits: bool = False) -> Result:
    """Run a query on the embedded store: an open Store, or a store folder. Refuses Update and SERVICE (see
    check_safe); with ``max_rows`` raises QueryLimit when the answer has more rows, and with ``timeout``
    (seconds) when it takes longer.

    Oxigraph cannot stop a query once it runs, so a query with a timeout runs in a child process, which is
    ended at the timeout: nothing goes on running after it. The child opens the folder read-only; given an
    open Store instead, it gets a copy of the store's quads first (slower for a big store: pass the folder).
    A caller whose process ends right after a timeout (``exits``, the command line) needs no child: the query
    runs in a thread that ends with the process, which saves starting an interpreter for every query."""
    check_safe(text, allow_service)
    if not timeout or exits:
        if not hasattr(store, "query"):
            from .store import open_store

            store = open_store(store)
        return _in_thread(store, text, timeout, max_rows) if timeout else _evaluate(store, text, max_rows)
    return _in_child(store, text, timeout, max_rows)


def _in_thread(store, text: str, timeout: float, max_rows: int | None) -> Result:
    import threading

    box: list = []

    def work():
        try:
            box.append(_evaluate(store, text, max_rows))
        except BaseException as e:  # noqa: BLE001 - handed back to the caller's thread
            box.append(e.with_traceback(None))

    worker = threading.Thread(target=work, name="peelgraph-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if not box:
        raise QueryLimit(f"the query ran past the {timeout:g} s time limit; narrow it (or pass a larger --timeout).")
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def _in_child(store, text: str, timeout: float, max_rows: int | None) -> Result:
    import subprocess
    import sys

    import pyoxigraph as ox

    from .errors import PeelgraphError

    if hasattr(store, "query"):
        job, quads = {"location": None}, store.dump(format=ox.RdfFormat.N_QUADS)
    else:
        from .store import require

        job, quads = {"location": str(require(store))}, b""
    job.update(text=text, max_rows=max_rows)
    here = str(Path(__file__).resolve().parent.parent)  # so the child imports this peelgraph
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen([sys.executable, "-c", "from peelgraph.query import _child; _child()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             preexec_fn=_end_with_parent)
    try:
        out, err = child.communicate(json.dumps(job).encode("utf-8") + b"\n" + quads, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise QueryLimit(f"the query ran past the {timeout:g} s time limit; narrow it (or pass a larger "
                         "--timeout).") from None
    finally:
        if child.poll() is None:  # timed out, or interrupted (Ctrl-C in a notebook)
            child.kill()
            child.communicate()
    answer = json.loads(out or b"null") or {}
    if "error" in answer:
        from . import errors

        kind = getattr(errors, answer["error"], None)
        raise (kind if isinstance(kind, type) and issubclass(kind, PeelgraphError) else QueryError)(answer["message"])
    if "result" not in answer:
        raise QueryError(f"the query stopped without an answer: {first_line(err.decode('utf-8', 'replace')) or 'no message'}")
    parsed = ox.parse_query_results(json.dumps(answer["result"]), ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return Result([], [], bool(parsed))
    variables = [v.value for v in parsed.variables]
    return Result(variables, [[s[v] for v in variables] for s in parsed])


def _end_with_parent():
    """In the child before it starts: have Linux end it if the process that started it ends."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child() -> None:
    """The child process of a query with a timeout: a job line (JSON) on stdin, then the quads of a store
    when it has no folder; the result (SPARQL JSON) or the error on stdout."""
    import sys

    import pyoxigraph as ox

    from .errors import PeelgraphError

    job = json.loads(sys.stdin.buffer.readline())
    try:
        if job["location"]:
            from .store import open_store

            store = open_store(job["location"])
        else:
            store = ox.Store()
            store.bulk_load(sys.stdin.buffer.read(), format=ox.RdfFormat.N_QUADS)
        answer = {"result": sparql_json(_evaluate(store, job["text"], job["max_rows"]))}
    except PeelgraphError as e:
        answer = {"error": type(e).__name__, "message": str(e)}
    sys.stdout.write(json.dumps(answer))


def _evaluate(store, text: str, max_rows: int | None) -> Result:
    import pyoxigraph as ox

    try:
        res = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            return Result([], [], bool(res))
        variables = [v.value for v in res.variables] if isinstance(res, ox.QuerySolutions) else None
        got = _take(res, max_rows)
        del res  # pyoxigraph results must be dropped on the thread that made them
    except SyntaxError as e:
        msg = str(e).splitlines()[0] if str(e) else "syntax error"
        raise QueryError(f"malformed SPARQL: {msg}") from None
    except (OSError, ValueError) as e:
        raise QueryError(f"the query failed: {e}") from None
    if got is None:
        raise QueryLimit(f"the query returned more than {max_rows:,} rows; add a LIMIT (or pass a larger --max-rows).")
    if variables is not None:
        return Result(variables, [[sol[v] for v in variables] for sol in got])
    return Result(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in got])


def _take(iterator, max_rows: int | None) -> list | None:
    """All the items, or None when there are more than max_rows."""
    import itertools

    if not max_rows:
        return list(iterator)
    got = list(itertools.islice(iterator, max_rows + 1))
    return None if len(got) > max_rows else got


def rows(store, text: str) -> list[dict]:
    """A SELECT's solutions as dicts of plain values (IRI and literal text; None where unbound)."""
    res = run(store, text)
    return [{v: (t.value if t is not None else None) for v, t in zip(res.variables, row)} for row in res.rows]


def _plain(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _short(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        for k, v in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(v):
                return f"{k}:{term.value[len(v):]}"
    return _plain(term)


def json_value(term):
    import pyoxigraph as ox

    if term is None or isinstance(term, (bool, int, float)):
        return term
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1]
        if dt in ("integer", "int", "long"):
            return int(term.value)
        if dt in ("decimal", "double", "float"):
            return float(term.value)
        if dt == "boolean":
            return term.value in ("true", "1")  # both are xsd:boolean; Virtuoso writes 1 and 0
    return _plain(term)


FORMATS = ["table", "csv", "tsv", "json", "jsonl", "sparql-json"]


def sparql_json_term(term) -> dict:
    """One RDF term as the W3C SPARQL 1.1 Query Results JSON Format writes it."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {k: sparql_json_term(getattr(term, k))
                                            for k in ("subject", "predicate", "object")}}
    return {"type": "literal", "value": str(term)}


def sparql_json(result: Result) -> dict:
    """The result as application/sparql-results+json (unbound variables are left out of a binding)."""
    if result.boolean is not None:
        return {"head": {}, "boolean": result.boolean}
    bindings = [{v: sparql_json_term(t) for v, t in zip(result.variables, row) if t is not None}
                for row in result.rows]
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def render(result: Result, fmt: str = "table", max_width: int = 80) -> str:
    if fmt == "sparql-json":
        return json.dumps(sparql_json(result), ensure_ascii=False)
    if result.boolean is not None:
        if fmt in ("json", "jsonl"):
            return json.dumps({"boolean": result.boolean})
        return "yes" if result.boolean else "no"
    if fmt in ("json", "jsonl"):
        rows = [{v: json_value(t) for v, t in zip(result.variables, row)} for row in result.rows]
        if fmt == "jsonl":
            return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
        return json.dumps({"variables": result.variables, "rows": rows}, ensure_ascii=False, indent=1)
    if fmt in ("csv", "tsv"):
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow([_plain(t).replace("\n", " ") if fmt == "tsv" else _plain(t) for t in row])
        return buf.getvalue().rstrip("\n")
    cells = [[_cell(_short(t), max_width) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()
    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


def _cell(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"

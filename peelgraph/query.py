"""SPARQL over the store: ready-made queries by name, files, or text; results as tables, CSV, TSV, JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import resources
from .errors import QueryError
from .vocab import PREFIXES

SPARQL_START = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


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


@dataclass
class Result:
    variables: list[str]
    rows: list[list[object]]  # pyoxigraph terms, plain str / int / float values, or None
    boolean: bool | None = None


def run(store, text: str) -> Result:
    import pyoxigraph as ox

    try:
        res = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as e:
        msg = str(e).splitlines()[0] if str(e) else "syntax error"
        raise QueryError(f"malformed SPARQL: {msg}") from None
    except (OSError, ValueError) as e:
        raise QueryError(f"the query failed: {e}") from None
    if isinstance(res, ox.QueryBoolean):
        return Result([], [], bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        return Result(variables, [[sol[v] for v in variables] for sol in res])
    triples = list(res)
    return Result(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in triples])


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
            return term.value == "true"
    return _plain(term)


def render(result: Result, fmt: str = "table", max_width: int = 80) -> str:
    if result.boolean is not None:
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else ("yes" if result.boolean else "no")
    if fmt == "json":
        rows = [{v: json_value(t) for v, t in zip(result.variables, row)} for row in result.rows]
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

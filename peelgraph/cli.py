"""The peelgraph command line: thin commands over the library; the only place errors become exit codes.

Exit codes: 0 success, 1 a check failed, 2 bad usage or bad input, 3 an internal error.
"""

from __future__ import annotations

import os
import sys

import click

from .errors import PeelgraphError

STORE_HELP = "Store folder (default .peelgraph, or $PEELGRAPH_STORE)."


class Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PeelgraphError as e:
            click.echo(f"peelgraph: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("peelgraph: interrupted", err=True)
            ctx.exit(130)
        except Exception as e:  # noqa: BLE001 - the one place internal errors become an exit code
            if os.environ.get("PEELGRAPH_DEBUG"):
                raise
            click.echo(f"peelgraph: internal error: {type(e).__name__}: {e} (set PEELGRAPH_DEBUG=1 for details)", err=True)
            ctx.exit(3)


def store_option(f):
    return click.option("--store", "store_dir", envvar="PEELGRAPH_STORE", default=".peelgraph", show_default=True,
                        type=click.Path(file_okay=False), help=STORE_HELP)(f)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="peelgraph")
def main():
    """Turn PEEL police inspection reports into an exact, auditable knowledge graph."""


def jobs_option(f):
    f = click.option("--stats", is_flag=True, help="Print on stderr how many sentences the parser parsed and how "
                     "many identical ones it took from a parse cache (a worker's own, or the one on disk).")(f)
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                        help="Worker processes extracting reports (default: one per core).")(f)


def _stats(report) -> None:
    click.echo(f"parser: {report.parsed} sentences parsed, {report.reused} identical ones reused from a parse cache", err=True)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path())
@store_option
@click.option("--out", type=click.Path(dir_okay=False), help="Also write the graph: .ttl, .trig, .nq or .jsonld.")
@jobs_option
def build(sources, store_dir, out, jobs, stats):
    """Extract every report in SOURCES (files or folders; default seeds/) into the store, replacing it. A
    progress bar shows on stderr when it is a terminal."""
    from .build import build as run, summary

    report = run(list(sources) or None, store_dir, out, jobs)
    click.echo(summary(report))
    if stats:
        _stats(report)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@store_option
@jobs_option
def add(sources, store_dir, jobs, stats):
    """Add the reports in SOURCES (files or folders) to the store, replacing any of the same force and cycle;
    files the store already holds (same sha256) are skipped, and links across cycles are made again for the
    forces changed. On any error the store is left as it was."""
    from .build import add as run, summary

    report = run(list(sources), store_dir, jobs)
    click.echo(summary(report))
    if stats:
        _stats(report)


@main.command()
@click.argument("report", metavar="FORCE/CYCLE")
@store_option
def remove(report, store_dir):
    """Drop one report from the store, and its links across cycles (FORCE/CYCLE as `peelgraph reports` lists
    it, e.g. wessex/2021-22)."""
    from .build import remove as run, summary

    click.echo(summary(run(report, store_dir)))


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
def reports(store_dir, fmt):
    """List the reports the store holds: key, force, cycle, source file, sha256 and counts."""
    from .build import reports as run
    from .query import render

    click.echo(render(run(store_dir), fmt, max_width=64))


@main.command()
@click.argument("query_text", metavar="QUERY")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "sparql-json"]),
              default="table", show_default=True,
              help="jsonl: one JSON object a row; sparql-json: application/sparql-results+json.")
@click.option("--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds before the query is stopped (0: no limit).")
@click.option("--max-rows", type=click.IntRange(min=0), default=100_000, show_default=True,
              help="Refuse answers with more rows than this (0: no limit).")
@click.option("--allow-service", is_flag=True,
              help="Allow federated SERVICE calls to other servers (refused by default; Update always is).")
@click.option("--endpoint", metavar="URL", envvar="PEELGRAPH_ENDPOINT",
              help="Ask this SPARQL endpoint instead of the store (or $PEELGRAPH_ENDPOINT); credentials, if "
                   "needed, from $PEELGRAPH_ENDPOINT_USER and $PEELGRAPH_ENDPOINT_PASSWORD.")
def query(query_text, store_dir, fmt, timeout, max_rows, allow_service, endpoint):
    """Run QUERY: a name from queries/ such as grades, a .rq file, or SPARQL text."""
    from . import query as q, store

    text = q.resolve(query_text)
    q.check_safe(text, allow_service)
    if endpoint:
        from . import remote

        result = remote.run(endpoint, text, timeout, max_rows, allow_service)
    else:
        # the process ends after a timeout, so the query needs no child process (see q.run)
        result = q.run(store.location(store_dir), text, timeout, max_rows, allow_service, exits=True)
    click.echo(q.render(result, fmt))


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=1024, show_default=True, metavar="MB",
              help="Resident memory the SPARQL server may use; past half it starts afresh, past the whole "
                   "the queries using it are stopped (503).")
@click.option("--allow-remote", is_flag=True, help="Allow a --host that is not loopback (a warning is printed).")
def serve(store_dir, host, port, timeout, memory_mb, allow_remote):
    """A read-only SPARQL 1.1 endpoint over the store (the Oxigraph server behind a guard that refuses
    SERVICE and Update and enforces the time and size limits), with a query page at /."""
    from . import store
    from .server import serve as run

    run(store.location(store_dir), host, port, timeout, allow_remote, memory_mb=memory_mb,
        say=lambda m: click.echo(m, err=True))


@main.command()
@click.argument("url")
@store_option
def push(url, store_dir):
    """Write every named graph of the store (one per report, and the ontology) to the SPARQL 1.1 Graph Store
    HTTP Protocol endpoint URL with PUT, one at a time, skipping graphs the server already holds exactly.
    Credentials, if needed, from $PEELGRAPH_ENDPOINT_USER and $PEELGRAPH_ENDPOINT_PASSWORD."""
    from . import remote, store

    records = remote.push(store.open_store(store.location(store_dir)), url, say=lambda m: click.echo(m, err=True))
    click.echo(remote.push_summary(records))


@main.command()
@store_option
def queries(store_dir):
    """List the ready-made queries and the question each answers (--store is accepted for uniformity)."""
    from . import query as q

    for name, path in q.available().items():
        click.echo(f"{name:40} {q.describe(path)}")


@main.command()
@click.argument("source", type=click.Path())
@store_option
def text(source, store_dir):
    """Print the text of SOURCE as peelgraph reads it: the text every passage offset refers to."""
    from pathlib import Path

    from .errors import InputError
    from .parse import text_of

    try:
        data = Path(source).read_bytes()
    except OSError as e:
        raise InputError(f"{source}: cannot read ({e.strerror or e}).") from None
    click.echo(text_of(data, source), nl=False)


@main.command()
@click.argument("source", required=False, metavar="[FILE|-]")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "tsv"]), default="table", show_default=True)
@store_option
def claims(source, fmt, store_dir):
    """Every causal claim in FILE (or stdin, for - or no FILE): cause, effect, cue, modality and sentence, with
    character offsets into the text as read (decoded as reports are). Needs no store (--store is accepted for
    uniformity)."""
    import hashlib
    import time

    from . import claims as c
    from .extract import grammar

    started = time.monotonic()
    name, text = c.read(source, sys.stdin.buffer)
    grammar.prestart([hashlib.sha256(text.encode("utf-8")).hexdigest()])  # the parser loads while the rules run
    progress = sys.stderr.isatty() or len(text) > c.LONG
    if progress:
        click.echo(f"claims: parsing {len(text):,} characters of {name}", err=True)
    recs = c.records(text, name, progress)
    click.echo(c.render(recs, fmt))
    if progress:
        click.echo(c.summary(recs, text, time.monotonic() - started), err=True)


@main.command()
@store_option
def validate(store_dir):
    """Check the store against the SHACL shapes and the violation queries (exit 1 on failure)."""
    from . import store
    from .errors import CheckFailed
    from .validate import validate as run

    v = run(store.open_store(store.location(store_dir)))
    click.echo(v.text())
    if not v.conforms:
        raise CheckFailed("validation failed (see above)")


def asserted_option(f):
    return click.option("--asserted-only", is_flag=True,
                        help="Walk asserted causal claims only, ignoring hedged and predicted ones.")(f)


@main.command()
@click.argument("text")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@asserted_option
def trace(text, store_dir, fmt, asserted_only):
    """Every causal path from the factors TEXT names to the areas they reach, with grades and quotes;
    hedged and predicted steps are marked."""
    import json

    from . import store
    from .trace import render_text, trace as run

    result = run(store.open_store(store.location(store_dir)), text, asserted_only)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if fmt == "json" else render_text(result))


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@asserted_option
def causes(store_dir, fmt, asserted_only):
    """Root causes ranked by the graded areas (poor grades weigh most) and statements their chains reach."""
    from . import query as q, store
    from .trace import root_causes

    click.echo(q.render(root_causes(store.open_store(store.location(store_dir)), asserted_only), fmt))


@main.command()
@store_option
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The file to write: .csv or .xlsx.")
def tracker(store_dir, out):
    """Write the AFI tracker: one row per area for improvement, cause of concern and recommendation in the store,
    with force, cycle, area, grade, text, page, figures, factors and status against the previous cycle."""
    from . import store
    from .tracker import write

    path, n = write(store.open_store(store.location(store_dir)), out)
    click.echo(f"wrote {path} ({n} rows)", err=True)


@main.command()
@store_option
@click.option("--out", type=click.Path(dir_okay=False), default="peelgraph.html", show_default=True)
@click.option("--trace", "trace_text", help="Focus on the causal paths from the factors this text names.")
@click.option("--national", is_flag=True, help="Write the national page (grades by force and area, root causes by force) to --out and each report's page beside it.")
def viz(store_dir, out, trace_text, national):
    """Write one self-contained, offline, interactive HTML view of the graph."""
    from . import store
    from . import viz as render
    from .view import page, write_national

    opened = store.open_store(store.location(store_dir))
    path = write_national(opened, out) if national else render.write(out, page(opened, trace_text))
    click.echo(f"wrote {path}", err=True)


if __name__ == "__main__":
    sys.exit(main())

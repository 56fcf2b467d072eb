"""The one exception family of peelgraph.

Library code raises these with a message that says what went wrong and what to do next; only the CLI
turns them into exit codes (2 for bad input or usage, 1 for a failed check).
"""


class PeelgraphError(Exception):
    """Base class: anything peelgraph reports to a user."""

    exit_code = 2


class InputError(PeelgraphError):
    """A source file cannot be read as a PEEL report (empty, binary, wrong encoding, not a report)."""


class ReportError(PeelgraphError):
    """A report was read but its content is inconsistent or incomplete (no grades, conflicting grades,
    truncated)."""


class QueryError(PeelgraphError):
    """A SPARQL query is malformed, or a named query does not exist."""


class QueryRefused(QueryError):
    """A query asks for something peelgraph will not do here: federated SERVICE calls or SPARQL Update."""


class QueryLimit(QueryError):
    """A query ran past its time limit, returned more than the result limit, or is too long."""


class EndpointError(PeelgraphError):
    """A SPARQL endpoint or Graph Store cannot be reached, or answered with an error."""


class ServeError(PeelgraphError):
    """The SPARQL server cannot start: port taken, host refused, server program missing."""


class StoreError(PeelgraphError):
    """The store is missing, locked or unreadable."""


class NotFoundError(PeelgraphError):
    """A lookup (e.g. a trace text) matched nothing."""


class CheckFailed(PeelgraphError):
    """Validation ran and found violations."""

    exit_code = 1

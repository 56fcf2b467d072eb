"""peelgraph: PEEL police inspection reports to an exact, auditable knowledge graph."""

__version__ = "0.1.0"

"""Validation: SHACL shapes (ontology/shapes.ttl) and the queries/checks/*-violation.rq queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import query, resources


@dataclass
class Validation:
    conforms: bool
    shacl_report: str = ""
    violations: dict[str, int] = field(default_factory=dict)  # check name -> rows returned

    def text(self) -> str:
        lines = [f"SHACL: {'conforms' if not self.shacl_report else 'VIOLATIONS'}"]
        if self.shacl_report:
            lines.append(self.shacl_report.strip())
        for name, n in sorted(self.violations.items()):
            lines.append(f"{name}: {'ok' if n == 0 else f'{n} violation(s)'}")
        lines.append("valid" if self.conforms else "INVALID")
        return "\n".join(lines)


def validate(store) -> Validation:
    from pyshacl import validate as shacl
    from rdflib import Dataset, Graph

    from .store import dump_nquads

    ds = Dataset()
    ds.parse(data=dump_nquads(store), format="nquads")
    data = Graph()
    for ctx in ds.graphs():
        for t in ctx:
            data.add(t)
    shapes = Graph().parse(resources.ontology("shapes.ttl"), format="turtle")
    conforms, _, report = shacl(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    v = Validation(conforms=bool(conforms), shacl_report="" if conforms else report)
    for name, path in query.available().items():
        if name.startswith("checks/") and name.endswith("-violation"):
            rows = query.run(store, path.read_text(encoding="utf-8")).rows
            v.violations[name.removeprefix("checks/")] = len(rows)
            if rows:
                v.conforms = False
    return v

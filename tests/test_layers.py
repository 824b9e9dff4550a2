"""The layout stays true: every module's imports (module level and inside functions alike) go
down the floors, never up, and no modules import each other in a circle.

Floors, lowest first (a module may import its own floor and any floor below):
  pricing base (errors, money, values, city_key, document_font) < pricing.fileio
  < pricing.tables < pricing.rules < pricing.equipment, pricing.reports, pricing.batch,
  pricing.quote < pricing.analysis
  < invoices.ledger < invoices.receivables < invoices.billing < invoices.documents
  < invoices.workflows < pricing.cli (the application edge) and pricing.__main__.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS: tuple[tuple[str, ...], ...] = (
    ("pricing", "pricing.errors", "pricing.money", "pricing.values", "pricing.city_key",
     "pricing.document_font", "pricing.document_font_ranges"),
    ("pricing.fileio",),
    ("pricing.tables",),
    ("pricing.rules",),
    ("pricing.equipment", "pricing.reports", "pricing.batch", "pricing.quote"),
    ("pricing.analysis",),
    ("invoices", "invoices.ledger"),
    ("invoices.receivables",),
    ("invoices.billing",),
    ("invoices.documents",),
    ("invoices.workflows",),
    ("pricing.cli", "pricing.__main__"),
)


def floor_of(module: str) -> int:
    """The floor of a module: the longest prefix named in FLOORS."""
    best, found = -1, None
    for index, names in enumerate(FLOORS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    if found is None:
        raise AssertionError(f"{module} is on no floor: add it to FLOORS")
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(roots=("pricing", "invoices")) -> dict[str, Path]:
    return {module_name(p): p for root in roots for p in (ROOT / root).rglob("*.py")
            if "migrations" not in p.parts}


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """Every project module `path` imports, at module level or in a function. `from X import
    a` counts X.a when that is a module, else X (a name defined in X)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in found if m.split(".")[0] in ("pricing", "invoices")}


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (a name that is a package's attribute, not a
    module, counts as its package)."""
    modules = project_modules()
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(path, name, set(modules)):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        edges[name] = targets
    return edges


def wrong_directions(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{source} (floor {floor_of(source)}) imports {target} (floor {floor_of(target)})"
                  for source, targets in edges.items() for target in targets
                  if floor_of(target) > floor_of(source))


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_module_is_on_a_floor():
    for name in project_modules():
        floor_of(name)


def test_imports_go_down_the_floors():
    assert wrong_directions(graph()) == []


def test_no_modules_import_each_other_in_a_circle():
    assert circles(graph()) == []


def test_nothing_in_billing_or_receivables_imports_a_document_writer():
    edges = graph()
    assert sorted(f"{s} -> {t}" for s, t_ in edges.items() for t in t_
                  if s.startswith(("invoices.billing", "invoices.receivables"))
                  and t.startswith("invoices.documents")) == []


@pytest.mark.parametrize("source, planted, floor_break", [
    ("invoices.billing.drafts", "from invoices.documents.workbooks import write_invoice", True),
    ("pricing.rules.hours", "from invoices.ledger.store import Ledger", True),
    ("pricing.rules.hours", "from pricing.analysis.review import review", True),
    ("invoices.receivables.terms", "import invoices.receivables.accounts", False),
])
def test_a_planted_back_import_fails(source, planted, floor_break):
    """The checks can fail: a back-import planted in a module's source is found."""
    edges = graph()
    path = project_modules()[source]
    tree = ast.parse(path.read_text(encoding="utf-8") + "\n" + planted + "\n")
    planted_edges = {**edges, source: edges[source] | {
        m for m in _names(tree) if m in project_modules() and m != source}}
    if floor_break:
        assert any(line.startswith(f"{source} ") for line in wrong_directions(planted_edges))
    else:
        assert circles(planted_edges)


def _names(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found

"""Every notebook runs top to bottom on the bundled examples (nbclient), so none can rot, and
each is stored without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


# Key figures each executed notebook must show, worked by hand from the contract (see each
# notebook's Answer): the example cities' total as of 2001-10-01 and its largest component;
# Exhibit C's new grand total with shipping charged alike; Huntsville's levels by period; and
# the explorer's Small city (198,000.00 + two 1,500-hour blocks at 121,500.00).
KEY_FIGURES = {
    "city_budget": ["36 cities, total 20,106,270.25",
                    "largest component: hours 11,036,270.25 (54.9% of the cities' total), then "
                    "services 8,270,000.00"],
    "exhibit_c": ["new grand total 6,937,686.90 instead of 6,912,687; reduction -14.43%"],
    "explorer": ["Small 441,000.00 -> Very Small 406,000.00: 35,000.00 less",
                 # the explorer's display, in the widget state the executed notebook keeps:
                 "Small: 198,000.00 for the annual period 2001-10-01 to 2002-09-30"],
    "growth": ["Huntsville AL"],
    "renegotiation": ["36 cities: 20,106,270.25 -> 20,518,270.25 (+412,000.00)",
                      "the draft adds 412,000.00 a year for the example cities",
                      "meeting 2002-08-01"],
}


def test_there_are_the_five_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["city_budget", "exhibit_c", "explorer", "growth",
                                           "renegotiation"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    assert book.cells[0].cell_type == "markdown" and book.cells[-1].cell_type == "markdown"
    assert "## Answer" in book.cells[-1].source
    assert all(not c.get("outputs") and not c.get("execution_count")
               for c in book.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in book.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    shown = "\n".join(_text(o) for c in book.cells for o in c.get("outputs", []))
    shown += json.dumps(book.metadata.get("widgets", {}))
    for figure in KEY_FIGURES[path.stem]:
        assert figure in shown, figure
    if path.stem == "explorer":               # the widgets rendered, with their state
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for c in book.cells for o in c.get("outputs", []))


def _text(output) -> str:
    """What an output shows: printed text, a result's plain text, or its HTML."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    return data.get("text/plain", "") + data.get("text/html", "")

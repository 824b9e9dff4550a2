"""The Dask engine: a glob of city lists priced on a cluster, equal to the plain command to the
cent, with repeated names found across files (a distributed.LocalCluster in the test)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pricing.batch.run import run_batch
from pricing.cli import app

distributed = pytest.importorskip("distributed")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
AS_OF = dt.date(2001, 10, 1)
runner = CliRunner()


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def split(tmp_path: Path, kind: str = "csv") -> tuple[Path, Path]:
    """The example list in three files, the last repeating the first file's Huntsville AL and
    holding a bad row; and the same rows in one file for the plain command."""
    rows = list(csv.reader((EXAMPLES / "cities.csv").open()))
    header, body = rows[0], rows[1:]
    parts = [body[:12], body[12:24], body[24:] + [body[0], ["Bad City", "x", "1", "1", "1", "1", "1", "0", "0"]]]
    folder = tmp_path / "in"
    folder.mkdir()
    for n, part in enumerate(parts):
        path = folder / f"part{n}.csv"
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows([header] + part)
        if kind == "parquet":
            pq.write_table(pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
                column_types={"gateway_elements": "string", "hours": "string"})),
                folder / f"part{n}.parquet")
            path.unlink()
    whole = tmp_path / "whole.csv"
    with whole.open("w", newline="") as handle:
        csv.writer(handle).writerows([header] + parts[0] + parts[1] + parts[2])
    return folder, whole


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_totals_and_repeats_equal_the_plain_command(tmp_path, tables, scheduler, kind):
    from pricing.batch.dask_engine import run_dask

    folder, whole = split(tmp_path, kind)
    plain = run_batch(whole, tmp_path / "plain.csv", tables, AS_OF)
    summary = run_dask(str(folder / f"*.{kind}"), tmp_path / "out", tables, AS_OF,
                       tmp_path / "out.rejects.csv", scheduler)
    # The example list: 20,106,270.25 in all (README); the repeat and the bad row add nothing.
    assert summary.totals["total"] == plain.totals["total"] == D("20106270.25")
    assert (summary.priced, summary.rejected) == (plain.priced, plain.rejected) == (36, 2)
    assert summary.by_level == plain.by_level
    rejects = list(csv.DictReader((tmp_path / "out.rejects.csv").open()))
    assert [(Path(r["file"]).name, r["row"], r["city"]) for r in rejects] == [
        ("part2.{}".format(kind), "14", "Huntsville AL"), ("part2.{}".format(kind), "15", "Bad City")]
    assert rejects[0]["reason"] == f"city: duplicate name (first in {folder / ('part0.' + kind)}, row 2)"
    dataset = pq.read_table(tmp_path / "out")
    assert dataset.num_rows == 36 and sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]


def test_one_csv_out_and_the_cli_on_a_given_scheduler(tmp_path, scheduler):
    folder, _ = split(tmp_path)
    made = runner.invoke(app, ["batch", str(folder / "*.csv"), "--engine", "dask", "--scheduler",
                               scheduler, "-o", str(tmp_path / "priced.csv"), "--as-of", "2001-10-01"])
    assert made.exit_code == 1 and "priced 36 of 38 cities in 3 file(s)" in made.output
    assert "2 row(s) rejected" in made.output
    lines = (tmp_path / "priced.csv").read_text().splitlines()
    assert len(lines) == 37 and lines[0].startswith('"city"')          # one header
    assert not any(p.name.endswith(".parts") for p in tmp_path.iterdir())


def test_refusals(tmp_path, scheduler):
    folder, _ = split(tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    for args, message in (
            ([str(tmp_path / "nothing*.csv"), "-o", str(tmp_path / "o")], "no file matches"),
            ([str(folder / "*.csv"), "-o", str(tmp_path / "full")], "new or empty directory"),
            ([str(folder / "*.csv"), "-o", str(tmp_path / "o.xlsx")], "a directory (a Parquet dataset) or a .csv")):
        refused = runner.invoke(app, ["batch", *args, "--engine", "dask", "--scheduler", scheduler,
                                      "--as-of", "2001-10-01"])
        assert refused.exit_code in (1, 2) and message in " ".join(refused.output.replace("│", " ").split())
    plain = runner.invoke(app, ["batch", str(EXAMPLES / "cities.csv"), "-o", str(tmp_path / "p.csv"),
                                "--scheduler", scheduler])
    assert plain.exit_code == 2 and "--scheduler goes with --engine dask" in plain.output


def test_outputs_never_land_on_the_inputs(tmp_path, scheduler):
    folder, _ = split(tmp_path)
    (folder / "sub.csv").mkdir()
    before = {p.name: p.read_bytes() for p in folder.glob("part*.csv")}
    for args, message in (
            ([str(folder / "part*.csv"), "-o", str(folder / "part1.csv")], "that is the input"),
            ([str(folder / "part0.csv"), "-o", str(tmp_path / "x.csv"), "--rejects",
              str(folder / "part0.csv")], "that is the input"),
            ([str(folder / "part*.csv"), "-o", str(tmp_path)], "the inputs are inside it"),
            ([str(folder / "*.csv"), "-o", str(tmp_path / "o.csv")], "not a regular file")):
        refused = runner.invoke(app, ["batch", *args, "--engine", "dask", "--scheduler", scheduler,
                                      "--as-of", "2001-10-01"])
        assert refused.exit_code in (1, 2) and message in refused.output, refused.output
    assert {p.name: p.read_bytes() for p in folder.glob("part*.csv")} == before

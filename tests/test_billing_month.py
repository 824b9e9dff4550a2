"""The billing month as the contract says (issue 29): levels set by the two-component rule as
`relevel` sets them, a new city at Very Small, hours never lost, late hours priced as their own
month would have priced them. Amounts are worked by hand from PSA Amendment 1, Appendix A
(file 001): Very Small $163,000 a year (L96-105), so $13,583.33 a month (the twelfth month
$13,583.37); a 1500-hour block $121,500, $81 an hour after the tenth block or from the tenth
month, one hour minimum (L139-153)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from invoices.ledger.store import Ledger
from invoices.workflows import run_month
from pricing.cli import app
from pricing.rules.components import Counts
from pricing.reports.levels import city_level
from pricing.reports.load import Reports

D = Decimal
HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
III = '"KMC Telecom III, Inc."'          # a PSA customer from 2000-09-29 (PSA Amendment 2)
KMC = '"KMC Telecom Inc."'               # a PSA customer from the start
HOUR_KINDS = ("hour_block", "hourly")
runner = CliRunner()


def months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    found = []
    while f"{y:04d}-{m:02d}" <= last:
        found.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return found


def cities_file(folder: Path, rows: list[str], name: str = "cities.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows))
    return path


def hours_file(folder: Path, rows: dict[tuple[str, str], Decimal], name: str = "hours.csv") -> Path:
    path = folder / name
    path.write_text("city,month,hours\n" + "".join(f"{c},{m},{h}\n" for (c, m), h in rows.items()))
    return path


def bill(folder: Path, tables, month: str, cities: Path, hours: Path | None = None):
    with Ledger(folder / "ledger.sqlite3") as ledger:
        return run_month(month, cities, folder / "out", tables, ledger, hours)


def cli(folder: Path, *args: str):
    return runner.invoke(app, [*args, "--ledger", str(folder / "ledger.sqlite3")])


# --- 1. The two-component rule (PSA Amendment 1 Appendix A, note 3, 001 L118-125) ------------

def test_a_level_carries_over_when_no_two_components_changed(tmp_path, tables):
    # Huntsville AL, 20/1/10/1/1/1 every month, billed from 1999-08 (the first annual period,
    # Very Small for every city). In period 1999 no component changed, so Very Small carries
    # over: 1999-10 bills $13,583.33, not Small's $16,500.00.
    city = cities_file(tmp_path, [f"Huntsville AL,{KMC},20,1,10,1,1,1,"])
    for month in ("1999-08", "1999-09"):
        bill(tmp_path, tables, month, city)
    october = bill(tmp_path, tables, "1999-10", city)
    assert october.issued[0].total == D("13583.33")
    (level,) = october.levels
    assert (level.level, level.rule) == ("Very Small", "carried over")
    assert "no component changed" in level.reason


def test_two_components_changed_re_evaluates_the_level(tmp_path, tables):
    # Gateway elements 12 -> 20 and SLCs 6 -> 10 during period 1999 (2000-08 to 2000-09: two
    # components): from 2000-10 the level is re-evaluated from the counts at the period's end,
    # Small (20 > 15 gateway elements, 10 > 8 SLCs): $198,000 / 12 = $16,500.00. One component
    # alone (the gateway elements of Mobile AL, 12 -> 20) keeps Very Small. A change in 2000-10
    # itself counts only for the period after.
    for month, huntsville, mobile in (("2000-08", "12,1,6", "12,1,6"),
                                      ("2000-09", "20,1,10", "20,1,6"),
                                      ("2000-10", "30,1,18", "30,1,18")):
        rows = [f"Huntsville AL,{KMC},{huntsville},1,1,1,", f"Mobile AL,{KMC},{mobile},1,1,1,"]
        result = bill(tmp_path, tables, month, cities_file(tmp_path, rows))
    amounts = {line.city: line.amount for line in result.issued[0].lines}
    assert amounts == {"Huntsville AL": D("16500.00"), "Mobile AL": D("13583.33")}
    rules = {level.city: level.rule for level in result.levels}
    assert rules == {"Huntsville AL": "re-evaluated: 2 components changed (gateway_elements, slc)",
                     "Mobile AL": "carried over"}


# --- 2. A new city starts at Very Small (note 4, 001 L127-133) -------------------------------

def test_a_new_city_starts_at_very_small_and_a_given_level_overrides(tmp_path, tables):
    # The ledger starts in 1999-09 with Huntsville; Mobile AL (30/1/18/2/1/1, Medium by its
    # counts) is first billed in 2000-10: a new city, Very Small, $13,583.33. Savannah GA, new
    # too, has the level agreed for it in the level column: Small, $16,500.00.
    bill(tmp_path, tables, "1999-09", cities_file(tmp_path, [f"Huntsville AL,{KMC},20,1,10,1,1,1,"]))
    rows = [f"Huntsville AL,{KMC},20,1,10,1,1,1,", f"Mobile AL,{KMC},30,1,18,2,1,1,",
            f"Savannah GA,{KMC},22,1,11,1,1,1,Small"]
    result = bill(tmp_path, tables, "2000-10", cities_file(tmp_path, rows))
    amounts = {line.city: line.amount for line in result.issued[0].lines}
    assert amounts == {"Huntsville AL": D("13583.33"), "Mobile AL": D("13583.33"),
                       "Savannah GA": D("16500.00")}
    rules = {level.city: (level.level, level.rule) for level in result.levels}
    assert rules == {"Huntsville AL": ("Very Small", "carried over"),
                     "Mobile AL": ("Very Small", "new city"),
                     "Savannah GA": ("Small", "given")}


def test_the_run_prints_each_level_set_and_its_rule_and_a_dry_run_records_nothing(tmp_path):
    city = cities_file(tmp_path, [f"Mobile AL,{III},30,1,18,2,1,1,"])
    dry = cli(tmp_path, "invoice", "run", "--month", "2000-10", "--cities", str(city), "--out",
              str(tmp_path / "out"), "--no-hours", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "level: Mobile AL  Very Small  (a new city starts at Very Small)" in dry.output
    assert "would issue  KMC Telecom III, Inc.         13,583.33" in dry.output
    assert not (tmp_path / "ledger.sqlite3").exists() and not (tmp_path / "out").exists()
    done = cli(tmp_path, "invoice", "run", "--month", "2000-10", "--cities", str(city), "--out",
               str(tmp_path / "out"), "--no-hours")
    assert done.exit_code == 0 and "level: Mobile AL  Very Small  (a new city" in done.output


# The run and `relevel` agree on every city-month, over three annual periods -----------------

COUNT_RANGES = {"gateway_elements": (0, 60), "slc": (0, 30), "sm": (0, 4), "dacs_ii": (0, 2),
                "dacs_iv": (0, 2)}


@st.composite
def histories(draw):
    """2-3 cities, each starting in a month of periods 2000-2002 and billed every month after,
    its counts changing now and then (one 5ESS each)."""
    all_months = months("2000-10", "2003-09")
    cities = {}
    for name in ("Huntsville AL", "Mobile AL", "Savannah GA")[:draw(st.integers(2, 3))]:
        start = draw(st.integers(0, len(all_months) - 1))
        counts = {c: draw(st.integers(*r)) for c, r in COUNT_RANGES.items()}
        history = {}
        for month in all_months[start:]:
            for component in draw(st.lists(st.sampled_from(sorted(COUNT_RANGES)), max_size=3)):
                low, high = COUNT_RANGES[component]
                counts[component] = draw(st.integers(low, high))
            history[month] = Counts(five_ess=1, **counts)
        cities[name] = history
    return cities


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories())
def test_every_city_month_is_billed_at_the_level_relevel_gives(tmp_path_factory, tables, cities):
    folder = tmp_path_factory.mktemp("levels")
    billed: dict[tuple[str, str], str] = {}
    for month in months("2000-10", "2003-09"):
        rows = [f"{city},{III}," + ",".join(str(v) for v in history[month].as_dict().values()) + ","
                for city, history in cities.items() if month in history]
        if not rows:
            continue
        result = bill(folder, tables, month, cities_file(folder, rows))
        for invoice in result.issued:
            for entry in invoice.inputs["cities"]:
                billed[(entry["city"], month)] = entry["billed_level"]
    reports = Reports({city: [(tuple(map(int, m.split("-"))), c) for m, c in sorted(h.items())]
                       for city, h in cities.items()})
    for (city, month), level in billed.items():
        year = int(month[:4]) - (int(month[5:]) < 10)
        assert level == city_level(reports, city, year, tables).decision.level.level, (city, month)


# --- 3. Hours are never lost (design rule 3) -------------------------------------------------

def test_a_run_without_hours_is_refused_unless_it_says_there_were_none(tmp_path):
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,Small"])
    args = ("invoice", "run", "--month", "2000-10", "--cities", str(city), "--out", str(tmp_path / "out"))
    refused = cli(tmp_path, *args)
    assert refused.exit_code == 2 and "--no-hours" in refused.output
    assert not (tmp_path / "ledger.sqlite3").exists()
    assert cli(tmp_path, *args, "--no-hours").exit_code == 0


def test_hours_of_a_month_already_invoiced_are_billed_on_the_next_run(tmp_path, tables):
    # 2000-10 is invoiced with no hours; the November run's file gives 1,600 h for 2000-10 and
    # 100 h for 2000-11. Timely, October would have bought two blocks (1,600 h > 1,500 h, month
    # 1 of the period): $243,000, leaving 1,400 h that cover November's 100 h. So November's
    # invoice bills its Very Small share $13,583.33 and two blocks of 2000-10, $243,000.00.
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    bill(tmp_path, tables, "2000-10", city)
    late = hours_file(tmp_path, {("Huntsville AL", "2000-10"): D(1600), ("Huntsville AL", "2000-11"): D(100)})
    (november,) = bill(tmp_path, tables, "2000-11", city, late).issued
    assert [(l.kind, l.quantity, l.amount) for l in november.lines] == [
        ("service_level", D(1), D("13583.33")),
        ("late_hour_block:2000-10", D(2), D("243000.00"))]
    assert november.lines[1].description == (
        "1,500-hour blocks for 2000-10, billed late: 2 more than billed before (2 in all; "
        "2000-10 now has 1,600 hours reported, 0 hours when it was invoiced)")
    # The same file again in December bills nothing more for those months.
    (december,) = bill(tmp_path, tables, "2000-12", city, late).issued
    assert [l.kind for l in december.lines] == ["service_level"]
    assert cli(tmp_path, "ledger", "check").exit_code == 0
    assert cli(tmp_path, "invoice", "explain", "2").exit_code == 0
    # In the journal the late blocks are hour block revenue like any other.
    journal = cli(tmp_path, "ledger", "export", "--from", "2000-11-01", "--to", "2000-11-30")
    assert journal.exit_code == 0
    assert "Hour block revenue,,243000.00,invoice 000002" in journal.stdout


def test_hours_of_a_month_before_a_citys_first_invoice_are_not_called_late(tmp_path, tables):
    # Huntsville is first invoiced for 2000-12 (month 3 of the period from 2000-10-01); the
    # file gives 1,600 h for 2000-10: two blocks bought in month 1, $243,000.00, billed on the
    # December invoice as blocks of a month never invoiced, not as "0 hours when invoiced".
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    hours = hours_file(tmp_path, {("Huntsville AL", "2000-10"): D(1600)})
    (december,) = bill(tmp_path, tables, "2000-12", city, hours).issued
    assert [(l.kind, l.quantity, l.amount) for l in december.lines] == [
        ("service_level", D(1), D("13583.33")),
        ("late_hour_block:2000-10", D(2), D("243000.00"))]
    assert december.lines[1].description == (
        "1,500-hour blocks for 2000-10, a month not invoiced before: 2 "
        "(1,600 hours reported for 2000-10)")
    explained = cli(tmp_path, "invoice", "explain", "1")
    assert explained.exit_code == 0 and "worded otherwise" not in explained.output, explained.output
    assert cli(tmp_path, "ledger", "check").exit_code == 0


def test_hours_of_the_last_month_of_a_period_are_billed_in_the_next_one(tmp_path, tables):
    # 2000-09 (month 12 of period 1999: hourly, $81 an hour, one hour minimum) is invoiced
    # without hours; the 2000-10 run's file gives it 0.5 h: billed as one hour, $81.00.
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    bill(tmp_path, tables, "2000-09", city)
    late = hours_file(tmp_path, {("Huntsville AL", "2000-09"): D("0.5")})
    (october,) = bill(tmp_path, tables, "2000-10", city, late).issued
    assert [(l.kind, l.quantity, l.amount) for l in october.lines] == [
        ("late_hourly:2000-09", D(1), D("81.00")), ("service_level", D(1), D("13583.33"))]
    assert october.lines[0].description == (
        "Hours at the hourly rate for 2000-09, billed late: 1 hour more than billed before "
        "(1 hour in all; 2000-09 now has 0.5 hours reported, 0 hours when it was invoiced)")


def test_late_hours_that_change_no_charge_say_so(tmp_path, tables):
    # 2000-09 (hourly, one-hour minimum) is invoiced with 0.5 h, billed as one hour, $81.00.
    # October's file gives 2000-09 a full hour: the ledger now holds 1 hour, and nothing more
    # is billed for it; the run says so rather than "billed now ...: 0".
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    bill(tmp_path, tables, "2000-09", city, hours_file(tmp_path, {("Huntsville AL", "2000-09"): D("0.5")}))
    late = hours_file(tmp_path, {("Huntsville AL", "2000-09"): D(1)}, "late.csv")
    result = bill(tmp_path, tables, "2000-10", city, late)
    (october,) = result.issued
    assert [l.kind for l in october.lines] == ["service_level"]
    assert ("Huntsville AL: hours that arrived late for 2000-09 change no charge (what was "
            "billed covers them); the ledger keeps them as the hours of their months") in \
        result.notes


def test_fewer_hours_than_billed_are_refused_at_the_hours_files_row(tmp_path, tables):
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    bill(tmp_path, tables, "2000-10", city, hours_file(tmp_path, {("Huntsville AL", "2000-10"): D(1600)}))
    fewer = hours_file(tmp_path, {("Huntsville AL", "2000-11"): D(5), ("Huntsville AL", "2000-10"): D(1500)},
                       "fewer.csv")
    refused = cli(tmp_path, "invoice", "run", "--month", "2000-11", "--cities", str(city), "--out",
                  str(tmp_path / "out"), "--hours", str(fewer))
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert (f"{fewer}, row 3, column hours: Huntsville AL 2000-10: 1500 hours, fewer than the "
            f"1600 hours invoice 000001 billed") in said
    assert "pricing ar credit 1 AMOUNT" in said


def test_a_rerun_of_an_invoiced_month_with_more_hours_says_the_next_run_bills_them(tmp_path):
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    args = ("invoice", "run", "--month", "2000-10", "--cities", str(city), "--out", str(tmp_path / "out"))
    assert cli(tmp_path, *args, "--no-hours").exit_code == 0
    more = hours_file(tmp_path, {("Huntsville AL", "2000-10"): D(1600)})
    again = cli(tmp_path, *args, "--hours", str(more))
    assert again.exit_code == 0 and "already issued 000001" in again.output
    assert "more hours for 2000-10 than the ledger billed" in again.output


@st.composite
def hour_histories(draw):
    """A period's hours by month (two decimals at most) and the month each arrives in."""
    hours = {m: D(draw(st.integers(0, 200_000))) / 100 for m in range(1, 13)
             if draw(st.booleans())}
    arrives = {m: draw(st.integers(m, 13)) for m in hours}        # 13: the next period's first run
    return hours, arrives


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hour_histories())
def test_late_hours_end_where_timely_hours_would_have_put_the_periods_charges(tmp_path_factory, tables, history):
    hours, arrives = history
    period = months("2000-10", "2001-10")
    charges = {}
    for way in ("timely", "late"):
        folder = tmp_path_factory.mktemp(way)
        city = cities_file(folder, [f"Huntsville AL,{III},20,1,10,1,1,1,Small"])
        total = D(0)
        for number, month in enumerate(period, start=1):
            given = {("Huntsville AL", period[m - 1]): h for m, h in hours.items()
                     if m <= number and (way == "timely" or arrives[m] <= number)}
            for invoice in bill(folder, tables, month, city, hours_file(folder, given)).issued:
                total += sum(l.amount for l in invoice.lines if l.kind != "service_level")
        charges[way] = total
    assert charges["late"] == charges["timely"]


# --- 11. One problem, said once ---------------------------------------------------------------

def test_an_unknown_level_is_reported_once(tmp_path):
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,Gigantic"])
    refused = cli(tmp_path, "invoice", "run", "--month", "2001-01", "--cities", str(city), "--out",
                  str(tmp_path / "out"), "--no-hours")
    assert refused.exit_code == 1
    assert "1 problem(s)" in refused.output
    assert refused.output.count("unknown service level 'Gigantic'") == 1


def test_hours_of_a_month_before_the_first_annual_period_name_their_row(tmp_path):
    city = cities_file(tmp_path, [f"Huntsville AL,{III},20,1,10,1,1,1,"])
    early = hours_file(tmp_path, {("Huntsville AL", "1997-01"): D(3)})
    refused = cli(tmp_path, "invoice", "run", "--month", "2000-10", "--cities", str(city), "--out",
                  str(tmp_path / "out"), "--hours", str(early))
    assert refused.exit_code == 1, refused.output
    assert f"{early}, row 2, column month" in " ".join(refused.output.split())
    assert not (tmp_path / "ledger.sqlite3").exists()


def test_the_bundled_example_sets_levels_by_the_rule_and_bills_late_hours(tmp_path, tables):
    # README "Monthly invoices": April 2001 bills Huntsville's 1,600 h of 2000-10 late, two
    # blocks ($243,000); in October 2001 Montgomery AL (14 -> 20 gateway elements, 6 -> 10 SLCs
    # during period 2000) is re-evaluated to Small, $16,500, beside Huntsville's Small carried
    # over: KMC Telecom III is billed $33,000.00.
    examples = Path(__file__).resolve().parent.parent / "examples"
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        april = run_month("2001-04", examples / "invoice_cities.csv", tmp_path / "out", tables,
                          ledger, examples / "invoice_hours.csv", examples / "invoice_events.csv")
        run_month("2001-05", examples / "invoice_cities_later.csv", tmp_path / "out", tables, ledger)
        october = run_month("2001-10", examples / "invoice_cities_later.csv", tmp_path / "out",
                            tables, ledger)
    huntsville = [l for l in april.issued[1].lines if l.city == "Huntsville AL"]
    assert [(l.kind, l.amount) for l in huntsville] == [
        ("service_level", D("16500.00")), ("late_hour_block:2000-10", D("243000.00"))]
    rules = {l.city: (l.level, l.rule) for l in october.levels}
    assert rules["Montgomery AL"] == ("Small", "re-evaluated: 2 components changed (gateway_elements, slc)")
    assert rules["Huntsville AL"] == ("Small", "carried over")
    assert rules["Roanoke VA"] == ("Medium", "carried over")
    assert october.issued[1].total == D("33000.00")

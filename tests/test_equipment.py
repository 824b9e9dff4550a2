"""Equipment pricing, worked by hand from GA Amendments 2-3 (file 004), around each date."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.equipment.names import product_key
from pricing.equipment.order import OrderLine
from pricing.equipment.packet_solution import check_packet_solution
from pricing.equipment.price import price_line, read_order_csv
from pricing.equipment.training import Purchase, training_seats
from pricing.equipment.warranty import warranty_for
from pricing.errors import MissingPriceError, PricingError
from pricing.quote import price_city

D = Decimal
REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def line(product, kind="hardware", quantity="1", price="1000.00", on="2000-03-01", **extra):
    return OrderLine(1, product, kind, D(quantity), D(price), dt.date.fromisoformat(on), **extra)


def net(tables, *args, **kwargs):
    priced = price_line(line(*args, **kwargs), tables)
    return priced.discount.pct, priced.net_amount


def test_names_ignore_case_spacing_and_marks():
    assert product_key("SLC-2000 Access System - Software") == \
        product_key("SLC(R)-2000 Access System - Software")
    assert product_key("pathstar\u2122  access server (PSAS)") == \
        product_key("PathStar(TM) Access Server (PSAS)")


@pytest.mark.parametrize("args, kwargs, pct, amount", [
    # Transmission table from 1998-06-30 (004 L55): DDM PLUS 27%: 3 x $10,000 x 0.73 = $21,900.
    (("DDM PLUS", "hardware", "3", "10000.00", "1998-06-30"), {}, 27, "21900.00"),
    # DDM-2000 OC-12 Shelf 85%: $12,345.67 x 0.15 = $1,851.8505 -> $1,851.85.
    (("DDM-2000 OC-12 Shelf", "hardware", "1", "12345.67", "1999-01-01"), {}, 85, "1851.85"),
    # OC-3 "hardware & Software" 45% on software too: $2,000 x 0.55 = $1,100.
    (("DDM-2000 OC-3 hardware & Software", "software", "1", "2000.00", "1999-01-01"), {}, 45, "1100.00"),
    # SLC-2000 Access System - Software: explicitly 00%.
    (("SLC-2000 Access System - Software", "software", "2", "750.00", "1999-01-01"), {}, 0, "1500.00"),
    # Cables used in those systems: 20% (footnote *): 10 x $12.50 x 0.80 = $100.
    (("DDM PLUS", "cable", "10", "12.50", "1999-01-01"), {}, 20, "100.00"),
    # ED8C902-30 G-3: 70% (footnote **): $250,000 x 0.30 = $75,000.
    (("Dual 2Fiber OC-48 A/D Ring Term", "hardware", "1", "250000.00", "1999-01-10"),
     {"order_code": "ED8C902-30 G-3"}, 70, "75000.00"),
    # FT-2000 OC-48 commons ordered singly: 50%.
    (("FT-2000 OC-48 Lightwave System Commons (spares)", "hardware", "2", "30000.00", "1999-01-10"),
     {}, 50, "30000.00"),
    # Access products from 1999-11-15 (004 L314): VINA ConnectReach 50%.
    (("VINA ConnectReach", "hardware", "1", "999.99", "1999-11-15"), {}, 50, "500.00"),
    # Data networking from 1998-12-22 (004 L106): PathStar 40%, hardware and software.
    (("PathStar Access Server (PSAS)", "software", "1", "5000.00", "1998-12-22"), {}, 40, "3000.00"),
    # Added 1999-11-15 (004 L292): PSAX 2300 45%.
    (("PacketStar PSAX 2300 Access Concentrator", "hardware", "1", "10000.00", "1999-11-15"), {}, 45, "5500.00"),
    # Optical from 1999-11-15 (004 L331): WaveStar TDM 2.5G 50%.
    (("WaveStar TDM 2.5G", "hardware", "4", "25000.00", "2000-01-01"), {}, 50, "50000.00"),
    # 5ESS from 1999-10-01 (004 L290): initial 83%: $2,000,000 x 0.17 = $340,000.
    (("5ESS VCDX Switch", "hardware", "1", "2000000.00", "1999-10-01"), {"order_kind": "initial"},
     83, "340000.00"),
    # Large growth, 7 STSX-1 cards: 77%; 6 cards: peripheral 25%.
    (("5ESS Switch", "hardware", "1", "100000.00", "2000-03-01"),
     {"order_kind": "growth", "stsx1_cards": 7}, 77, "23000.00"),
    (("5ESS Switch", "hardware", "1", "100000.00", "2000-03-01"),
     {"order_kind": "growth", "stsx1_cards": 6}, 25, "75000.00"),
    (("5ESS CDX Switch", "software", "1", "40000.00", "2000-03-01"), {"order_kind": "pri"}, 77, "9200.00"),
])
def test_discount_and_net_by_hand(tables, args, kwargs, pct, amount):
    assert net(tables, *args, **kwargs) == (D(pct), D(amount))


@pytest.mark.parametrize("args, kwargs, message", [
    # The day before each schedule takes effect.
    (("DDM PLUS", "hardware", "1", "1.00", "1998-06-29"), {}, "first takes effect 1998-06-30"),
    (("PathStar Access Server (PSAS)", "hardware", "1", "1.00", "1998-12-21"), {},
     "first takes effect 1998-12-22"),
    (("VINA ConnectReach", "hardware", "1", "1.00", "1999-11-14"), {}, "listed only from 1999-11-15"),
    (("PacketStar PSAX 2300 Access Concentrator", "hardware", "1", "1.00", "1999-11-14"), {},
     "listed only from 1999-11-15"),
    (("WaveStar TDM 2.5G", "hardware", "1", "1.00", "1999-11-14"), {}, "first takes effect 1999-11-15"),
    (("5ESS Switch", "hardware", "1", "1.00", "1999-09-30"), {"order_kind": "initial"},
     "first takes effect 1999-10-01 \\(GA Amendment 3, Section A-1.7 table and paragraph replaced"),
    # After the GA term.
    (("DDM PLUS", "hardware", "1", "1.00", "2003-03-06"), {}, "after the GA expires \\(2003-03-05"),
    # Unknown discounts and rules.
    (("DACS IV 2000 Systems", "hardware", "1", "1.00", "1999-01-01"), {}, "1.15.1"),
    (("DDM PLUS", "software", "1", "1.00", "1999-01-01"), {}, "hardware only"),
    (("Dual 2Fiber OC-48 A/D Ring Term", "hardware", "1", "1.00", "1999-01-01"), {},
     "applies only to order code ED8C902-30 G-3"),
    (("5ESS Switch", "hardware", "1", "1.00", "2000-01-01"), {}, "order_kind: a 5ESS line needs"),
    (("5ESS Switch", "hardware", "1", "1.00", "2000-01-01"), {"order_kind": "growth"},
     "stsx1_cards: a 5ESS growth line needs"),
    (("Flux Capacitor", "hardware", "1", "1.00", "2000-01-01"), {}, "in none of the contract's"),
    (("PathStar Access Server (PSAS)", "cable", "1", "1.00", "2000-01-01"), {},
     "cables used in transmission systems"),
])
def test_lines_that_cannot_be_priced(tables, args, kwargs, message):
    with pytest.raises(PricingError, match=message):
        net(tables, *args, **kwargs)


def test_unknown_discount_is_a_missing_price(tables):
    with pytest.raises(MissingPriceError):
        net(tables, "DACS IV 2000 Systems", "hardware", "1", "1.00", "1999-01-01")


@pytest.mark.parametrize("product, kind, ship, end", [
    # Data networking default: 12 months hardware, 90 days software (004 L292).
    ("PathStar Access Server (PSAS)", "hardware", "1999-12-01", "2000-11-30"),
    ("PathStar Access Server (PSAS)", "software", "2000-02-01", "2000-04-30"),
    # CopperEdge: 12 months, hardware and software alike.
    ("Copper Mountain CopperEdge 200", "software", "2000-01-31", "2001-01-30"),
    # 7 R/E Connection Gateway: 18 months software.
    ("7 R/E Connection Gateway (previously PacketStar Connection Gateway (PCG))", "software",
     "2000-02-29", "2001-08-28"),
])
def test_warranty_end(tables, product, kind, ship, end):
    # The Connection Gateway's software has a warranty but no discount (transmission discounts
    # are hardware only), so the warranty is asked for directly, not through pricing.
    ordered = line(product, kind, on="2000-01-01", ship_date=dt.date.fromisoformat(ship))
    assert warranty_for(ordered, tables).end == dt.date.fromisoformat(end)


def test_warranty_unknown_is_said_not_guessed(tables):
    priced = price_line(line("DDM PLUS", ship_date=dt.date(2000, 5, 1)), tables)
    assert priced.warranty.end is None and "in the filed texts" in priced.warranty.note


def test_order_csv_prices_valid_rows_and_lists_rejects(tables):
    result = read_order_csv(REPO / "examples" / "order.csv", tables)
    rejects = dict(result.rejects)
    assert set(rejects) == {4, 6, 7, 12, 13, 16, 19, 20}
    assert "quantity: expected zero or more, got -1" in rejects[20]
    assert "1.15.1" in rejects[7]
    assert len(result.lines) == 11
    assert result.total_net == sum(p.net_amount for p in result.lines)


def test_quote_with_equipment_lines(tables):
    city = {"city": "Huntsville", "bill_to": "KMC Telecom III, Inc.", "period": 2000,
            "counts": {"gateway_elements": 20, "five_ess": 1, "slc": 10, "sm": 1, "dacs_ii": 1,
                       "dacs_iv": 1},
            "equipment": [{"product": "5ESS Switch", "kind": "hardware", "quantity": 1,
                           "list_price": "100000.00", "order_date": "2000-11-01",
                           "order_kind": "growth", "stsx1_cards": 8}]}
    quote = price_city(city, tables)
    # Small $198,000 + large growth 77% off $100,000 = $23,000.
    assert [l.amount for l in quote.lines] == [D("198000.00"), D("23000.00")]
    assert quote.lines[1].source.table == "switch_discounts"
    assert quote.total == D("221000.00")


def test_quote_with_unpriceable_equipment_names_the_line(tables):
    city = {"city": "X", "period": 2000,
            "counts": {"gateway_elements": 1, "five_ess": 1, "slc": 1, "sm": 1, "dacs_ii": 1,
                       "dacs_iv": 1},
            "equipment": [{"product": "DACS IV 2000 Systems", "kind": "hardware", "quantity": 1,
                           "list_price": "1", "order_date": "2000-11-01"}]}
    with pytest.raises(PricingError, match="equipment\\[0\\]: .*1.15.1"):
        price_city(city, tables)


def test_training_seats_by_hand(tables):
    # Pool a (PathStar): $800,000 then $500,000 = $1,300,000: one threshold crossed on
    # 1999-06-01 -> 2 seats, to be used by 2000-05-31.
    # Pool b: $700,000 + $600,000 (crosses $1.25M on 1999-08-10) + $1,300,000 (crosses $2.5M
    # on 2000-01-05) -> 4 seats. PacketStar AC 10 is in no pool.
    purchases = [Purchase(2, "PathStar Access Server (PSAS)", D("800000"), dt.date(1999, 3, 15)),
                 Purchase(3, "PathStar Access Server (PSAS)", D("500000"), dt.date(1999, 6, 1)),
                 Purchase(4, "PortMaster 4 Integrated Access Concentrator (PM4)", D("700000"),
                          dt.date(1999, 4, 20)),
                 Purchase(5, "PacketStar Access Concentrator 60", D("600000"), dt.date(1999, 8, 10)),
                 Purchase(6, "PacketStar Access Concentrator 120", D("1300000"), dt.date(2000, 1, 5)),
                 Purchase(7, "PacketStar Access Concentrator 10", D("400000"), dt.date(1999, 5, 1)),
                 Purchase(8, "PathStar Access Server (PSAS)", D("9000000"), dt.date(1998, 12, 1))]
    pools, not_counted = training_seats(purchases, tables)
    a, b = pools
    assert (a.purchases, a.seats) == (D("1300000"), 2)
    assert [(x.earned_on, x.use_by) for x in a.awards] == [(dt.date(1999, 6, 1), dt.date(2000, 5, 31))]
    assert (b.purchases, b.seats) == (D("2600000"), 4)
    assert [x.use_by for x in b.awards] == [dt.date(2000, 8, 9), dt.date(2001, 1, 4)]
    assert dict(not_counted)[7].endswith("is in no training pool (pools: a, b)")
    assert "before the training incentive took effect (1998-12-22)" in dict(not_counted)[8]


def test_7re_exhibit_c_meets_the_promise(tables):
    # 80% x $2,551,741 = $2,041,392.80; $1,950,000 saves 23.58%, $91,392.80 under the ceiling.
    quote = json.loads((REPO / "examples" / "seven_re_quote.json").read_text())
    check = check_packet_solution(quote, tables, dt.date(1999, 11, 15))
    assert check.is_packet_solution and check.meets_promise
    assert (check.ceiling, check.saving_pct, check.margin) == (
        D("2041392.80"), D("23.58"), D("91392.80"))


def test_7re_missing_component_and_missed_promise(tables):
    quote = {"components": [
        {"component": "Call Feature Server", "quantity": 1, "installed_on": "2000-06-01", "amount": "1500000"},
        {"component": "Packet Gateway", "quantity": 1, "installed_on": "2000-07-01", "amount": "700000"},
        {"component": "RLAG", "quantity": 10, "amount": "90000", "access_vehicle": True}],
        "comparable_5ess_tdm": "2500000"}
    # Price $2,200,000 (access vehicles excluded) against a $2,000,000 ceiling: misses by $200,000.
    check = check_packet_solution(quote, tables, dt.date(2000, 7, 1))
    assert check.missing == ("One-Link Manager",) and not check.installed_together
    assert (check.price, check.saving_pct, check.margin) == (D("2200000"), D("12.00"), D("-200000.00"))
    assert "misses the 20% saving promise: 12.00% saved, 200,000.00 over" in check.verdict


def test_cli_equipment_json_and_exit_code(tmp_path):
    result = runner.invoke(app, ["equipment", str(REPO / "examples" / "order.csv"), "--format", "json",
                                 "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 1
    data = json.loads((tmp_path / "out.json").read_text())
    first = data["lines"][0]
    assert set(first) >= {"row", "product", "list_amount", "discount", "net_amount", "warranty_end", "source"}
    assert {r["row"] for r in data["rejects"]} == {4, 6, 7, 12, 13, 16, 19, 20}


def test_cli_check_7re_and_training():
    ok = runner.invoke(app, ["check-7re", str(REPO / "examples" / "seven_re_quote.json")])
    assert ok.exit_code == 0 and "meets the 20% saving promise: 23.58% saved" in ok.output
    seats = runner.invoke(app, ["training", str(REPO / "examples" / "purchases.csv"), "--format", "json"])
    assert seats.exit_code == 0
    assert [p["seats"] for p in json.loads(seats.output.split("\n  row")[0])["pools"]] == [2, 4]

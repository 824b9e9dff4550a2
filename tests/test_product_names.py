"""One normalisation of product names for every product table (issue 13): a product is found
with or without its trademark marks and its parenthesised abbreviation; and by each name the
contract gives it (issue 29): current, former, without the row's notes (GA Amendment 3, 004)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from pricing.equipment.discounts import find_schedule
from pricing.equipment.names import (UnknownProductError, contract_names, find_product,
                                     match_product, product_key, product_names)
from pricing.equipment.order import OrderLine
from pricing.equipment.price import price_line
from pricing.errors import PricingError

PRODUCT_TABLES = ("transmission_discounts", "data_networking_discounts", "optical_discounts",
                  "switch_discounts", "cable_discounts", "warranties", "training_incentive",
                  "packet_solution_components")


@pytest.mark.parametrize("typed", ["PathStar Access Server", "PathStar(TM) Access Server (PSAS)",
                                   "pathstar access server (PSAS)", "PathStar\u2122  Access Server"])
def test_pathstar_is_found_however_it_is_written(tables, typed):
    # GA Amendment 2 lists "PathStar(TM) Access Server (PSAS)" in the data networking schedule.
    assert find_schedule(tables, typed) == "data_networking_discounts"


def test_an_abbreviation_in_lower_case_or_mid_name_is_part_of_the_name():
    assert product_key("FT-2000 OC-48 Lightwave System Commons (spares)") != \
        product_key("FT-2000 OC-48 Lightwave System Commons")
    assert product_key("Packet Gateway (PGW) Software") == "packet gateway (pgw) software"


def test_no_two_products_of_one_table_version_share_a_key(tables):
    for table in PRODUCT_TABLES:
        for version in tables.versions(table):
            names = defaultdict(set)
            for row in version.rows:
                name = getattr(row, "product", None) or getattr(row, "component", None)
                if name:
                    names[product_key(name)].add(name)
            assert all(len(found) == 1 for found in names.values()), (table, version.effective_from)


# ---------------------------------------------------------------------------------------------
# The contract's names (issue 29, point 8): current, former and without the row's notes.

CONNECTSTAR = ("ConnectStar(TM) Interworking Call Router (formerly Broadband Interworking "
               "Connection Router (BICR))")
GATEWAY = "7 R/E(TM) Connection Gateway (previously PacketStar(TM) Connection Gateway (PCG))"
DACS_II = "DACS II Systems (hardware & Software)"


@pytest.mark.parametrize("typed, row, how", [
    # 004 L310: "ConnectStar(TM) Interworking Call Router (formerly Broadband Interworking
    # Connection Router (BICR))	35%"
    ("ConnectStar Interworking Call Router", CONNECTSTAR, "current name"),
    ("connectstar(tm)  interworking call ROUTER", CONNECTSTAR, "current name"),
    ("Broadband Interworking Connection Router", CONNECTSTAR, "former name"),
    ("Broadband Interworking Connection Router (BICR)", CONNECTSTAR, "former name"),
    (CONNECTSTAR, CONNECTSTAR, "contract name"),
    # 004 L321: "7 R/E(TM) Connection Gateway (previously PacketStar(TM) Connection Gateway
    # (PCG))**	50%"; A-1.26 (L342) writes "7R/E" without the space.
    ("7 R/E Connection Gateway", GATEWAY, "current name"),
    ("7R/E(TM) Connection Gateway", GATEWAY, "current name"),
    ("7 R/E\u2122 Connection Gateway", GATEWAY, "current name"),
    ("PacketStar Connection Gateway", GATEWAY, "former name"),
    ("PacketStar(TM) Connection Gateway (PCG)", GATEWAY, "former name"),
    (GATEWAY + "**", GATEWAY, "contract name"),
    # 004 L92: "DACS II Systems (hardware & Software)	27%"
    ("DACS II Systems", DACS_II, "current name"),
    ("dacs ii  systems", DACS_II, "current name"),
    ("DACS II Systems (Hardware & Software)", DACS_II, "contract name"),
])
def test_a_product_is_found_by_each_name_the_contract_gives_it(tables, typed, row, how):
    found = match_product(tables, typed)
    assert (found.product, found.how) == (row, how)
    assert find_product(tables, typed) == row


@pytest.mark.parametrize("product, kind, pct, amount", [
    # 004 L310, 35%: $1,000.00 x 0.65 = $650.00.
    ("ConnectStar Interworking Call Router", "hardware", 35, "650.00"),
    ("Broadband Interworking Connection Router", "software", 35, "650.00"),
    # 004 L321, 50% (hardware: the transmission table's footnote *, 004 L94): $1,000 x 0.50.
    ("7 R/E Connection Gateway", "hardware", 50, "500.00"),
    ("PacketStar Connection Gateway", "hardware", 50, "500.00"),
    # 004 L92, 27% on hardware & Software: $1,000 x 0.73 = $730.00.
    ("DACS II Systems", "software", 27, "730.00"),
])
def test_equipment_is_priced_by_the_contracts_names(tables, product, kind, pct, amount):
    line = OrderLine(1, product, kind, Decimal(1), Decimal("1000.00"), dt.date(2000, 3, 1))
    priced = price_line(line, tables)
    assert (priced.discount.pct, priced.net_amount) == (pct, Decimal(amount))


@pytest.mark.parametrize("typed, candidates", [
    # 004 L308-309: two Cajun rows; 004 L80-83: four SLC-2000 Access System rows;
    # 004 L286-288: three 5ESS switches.
    ("Cajun", ["Cajun(TM) 330R Stackable Switching System",
               "Cajun(TM) 550R Stackable Switching System"]),
    ("SLC-2000 Access System", ["SLC(R)-2000 Access System - Common Units",
                                "SLC(R)-2000 Access System - POTS/SPOTS Units",
                                "SLC(R)-2000 Access System - Software",
                                "SLC(R)-2000 Access System - Special Service Units"]),
    ("5ESS", ["5ESS CDX Switch", "5ESS Switch", "5ESS VCDX Switch"]),
])
def test_a_name_that_starts_several_products_is_ambiguous_never_the_first(tables, typed,
                                                                          candidates):
    with pytest.raises(UnknownProductError) as error:
        find_product(tables, typed)
    assert error.value.match.candidates == tuple(candidates)
    assert "ambiguous" in str(error.value)
    assert all(repr(c) in str(error.value) for c in candidates)
    line = OrderLine(1, typed, "hardware", Decimal(1), Decimal("1000.00"), dt.date(2000, 3, 1),
                     order_kind="initial")
    with pytest.raises(PricingError, match="ambiguous") as priced:
        price_line(line, tables)
    assert all(repr(c) in str(priced.value) for c in candidates)


def test_a_name_that_starts_one_product_is_refused_with_the_whole_name(tables):
    # 004 L298 "Stinger(TM) DSL Access Concentrator": "Stinger" alone is not its name.
    with pytest.raises(UnknownProductError, match=r"'Stinger' is not a product of the "
                       r"contract's tables; did you mean 'Stinger\(TM\) DSL Access "
                       r"Concentrator'\?"):
        find_product(tables, "Stinger")
    line = OrderLine(1, "Stinger", "hardware", Decimal(1), Decimal(1), dt.date(2000, 3, 1))
    with pytest.raises(PricingError, match="did you mean 'Stinger"):
        price_line(line, tables)


def test_a_whole_name_wins_over_a_longer_name_it_starts(tables):
    # 004 L319-320: "VINA ConnectReach *	50%" and "VINA ConnectReach Plus *	40%".
    assert find_product(tables, "VINA ConnectReach") == "VINA ConnectReach"
    assert find_product(tables, "vina connectreach plus") == "VINA ConnectReach Plus"


def test_a_name_shared_by_two_products_lists_both(tables_copy):
    from pricing.tables import load_tables
    from tests.conftest import rehash

    # A renegotiated table adding "DACS II Systems (spares)": "DACS II Systems" is then the
    # name without notes of two rows.
    path = tables_copy / "transmission_discounts" / "1999-11-15.csv"
    path.write_text(path.read_text() + "DACS II Systems (spares),,hardware,10,\n")
    rehash(tables_copy)
    tables = load_tables(tables_copy)
    found = match_product(tables, "DACS II Systems")
    assert found.product is None and found.ambiguous
    assert found.candidates == ("DACS II Systems (hardware & Software)", "DACS II Systems (spares)")
    # Each row's own text still finds its own product.
    assert find_product(tables, "DACS II Systems (spares)") == "DACS II Systems (spares)"
    assert find_product(tables, DACS_II) == DACS_II


def test_every_name_of_every_product_finds_that_product(tables):
    names = product_names(tables)
    for key, product in names.products.items():
        for how, name in contract_names(product):
            assert match_product(tables, name).product == product, (product, how, name)

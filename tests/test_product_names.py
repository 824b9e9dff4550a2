"""One normalisation of product names for every product table (issue 13): a product is found
with or without its trademark marks and its parenthesised abbreviation."""

from __future__ import annotations

from collections import defaultdict

import pytest

from pricing.equipment.discounts import find_schedule
from pricing.equipment.names import product_key

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

"""The bundled tables hold what the contract says: each value worked out from the text.

Citations are to ../shared/contract/ (001 = PSA Amendment 1, 004 = GA Amendments 2-4).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

D = Decimal


# 001 Appendix A (L96-105): level, annual price, gateway range, SLC, SM, DACS II, DACS IV.
@pytest.mark.parametrize("level, price, ge_min, ge_max, slc, sm, dacs_ii, dacs_iv", [
    ("Very Small", "163000.00", None, 15, 8, 1, 1, 1),
    ("Small", "198000.00", 16, 25, 15, 1, 1, 1),      # "up to l5" is 15
    ("Medium", "245000.00", 26, 35, 20, 2, 1, 1),
    ("Large", "320000.00", 36, 50, 25, 3, 1, 1),
    ("Very Large", "390000.00", None, None, None, None, None, None),
])
def test_service_levels_match_appendix_a(tables, level, price, ge_min, ge_max, slc, sm,
                                         dacs_ii, dacs_iv):
    rows = {r.level: r for r in tables.rows("service_levels", dt.date(1998, 10, 1))}
    row = rows[level]
    assert row.annual_price == D(price)
    assert (row.gateway_elements_min, row.gateway_elements_max) == (ge_min, ge_max)
    assert (row.slc_max, row.sm_max, row.dacs_ii_max, row.dacs_iv_max) == (slc, sm, dacs_ii, dacs_iv)
    assert row.five_ess == 1


def test_hour_blocks_and_integration_match_appendix_a(tables):
    on = dt.date(1999, 1, 1)
    (hours,) = tables.rows("service_hours", on)
    assert (hours.block_hours, hours.block_price, hours.hourly_rate) == (1500, D("121500.00"), D("81.00"))
    assert (hours.hourly_after_blocks, hours.hourly_from_month, hours.minimum_hours) == (10, 10, 1)
    (integration,) = tables.rows("one_time_services", on)
    assert integration.price == D("100000.00")


@pytest.mark.parametrize("on, days, text", [
    (dt.date(2001, 4, 15), 30, "Net 30"),
    (dt.date(2001, 4, 16), 20, "Net 20"),    # PSA Amendment 3, effective 16 April 2001
])
def test_payment_terms_change_on_2001_04_16(tables, on, days, text):
    (terms,) = tables.rows("payment_terms", on)
    assert (terms.agreement, terms.net_days, terms.terms_text) == ("PSA", days, text)


@pytest.mark.parametrize("on, agreement, expires", [
    (dt.date(1998, 1, 1), "PSA", dt.date(2000, 7, 22)),
    (dt.date(1998, 10, 1), "PSA", dt.date(2000, 9, 30)),
    (dt.date(2000, 9, 29), "PSA", dt.date(2005, 9, 30)),
    (dt.date(1998, 12, 21), "GA", None),                 # original GA term not in the texts
    (dt.date(1998, 12, 22), "GA", dt.date(2003, 3, 5)),
])
def test_agreement_expiry_in_force(tables, on, agreement, expires):
    rows = {r.agreement: r for r in tables.rows("agreements", on)}
    assert rows[agreement].expires == expires


def test_customers_join_dates(tables):
    rows = {(r.agreement, r.entity): r.customer_from
            for r in tables.rows("customers", dt.date(2001, 1, 1))}
    assert rows[("GA", "KMC III Services LLC")] == dt.date(2000, 2, 15)
    assert rows[("GA", "KMC Telecom IV, Inc.")] == dt.date(1999, 11, 15)
    assert rows[("GA", "KMC Telecom III, Inc.")] == dt.date(1998, 12, 22)
    assert rows[("PSA", "KMC Telecom III, Inc.")] == dt.date(2000, 9, 29)
    assert ("PSA", "KMC III Services LLC") not in rows   # never a PSA customer


def _discounts(tables, table, on):
    return {(r.product, r.order_code): (r.applies_to, r.discount_pct)
            for r in tables.rows(table, on)}


@pytest.mark.parametrize("product, order_code, applies_to, pct", [
    ("DDM PLUS", None, "hardware", 27),
    ("DDM-2000 FiberReach OC-1", None, "hardware", 25),
    ("DDM-2000 OC-3 hardware & Software", None, "both", 45),
    ("DDM-2000 OC-12 Shelf", None, "hardware", 85),
    ("DDM-2000 OC-12 Commons", None, "hardware", 43),
    ("DDM-2000 OC-12 Optics", None, "hardware", 50),
    ("DDM-2000 OC-12 Software", None, "software", 43),
    ("Dual 2Fiber OC-48 A/D Ring Term", "ED8C902-30 G-3", "hardware", 70),
    ("FT-2000 OC-48 Lightwave System Commons (spares)", None, "hardware", 50),
    ("FT-2000 OC-48 Low Speed Cards (DS3, IS3, OC-3, OC-12)", None, "hardware", 40),
    ("FT-2000 OC-48 Lightwave System Optics", None, "hardware", 65),
    ("FT-2000 OC-48 Lightwave System Software", None, "software", 65),
    ("SLC(R)-2000 Multi Services Distant Terminals (MSDT)", None, "hardware", 35),
    ("SLC(R)-2000 Access System - Common Units", None, "hardware", 40),
    ("SLC(R)-2000 Access System - POTS/SPOTS Units", None, "hardware", 35),
    ("SLC(R)-2000 Access System - Special Service Units", None, "hardware", 40),
    ("SLC(R)-2000 Access System - Software", None, "software", 0),
    ("SLC(R)-SERIES 5 Carrier System - Common Units", None, "hardware", 35),
    ("SLC(R)-SERIES 5 Carrier System - POTS/SPOTS Units", None, "hardware", 35),
    ("SLC(R)-SERIES 5 Carrier System - Special Service Units", None, "hardware", 35),
    ("DACS II Systems (hardware & Software)", None, "both", 27),
    ("DACS IV 2000 Systems", None, "hardware", None),       # "see 1.15.1 below": unknown
])
def test_transmission_schedule_of_1998_06_30(tables, product, order_code, applies_to, pct):
    rows = _discounts(tables, "transmission_discounts", dt.date(1998, 6, 30))
    expected = None if pct is None else D(pct)
    assert rows[(product, order_code)] == (applies_to, expected)


def test_transmission_unknowns_say_why(tables):
    rows = {r.product: r for r in tables.rows("transmission_discounts", dt.date(1999, 1, 1))}
    assert "1.15.1" in rows["DACS IV 2000 Systems"].unknown_reason


@pytest.mark.parametrize("product, pct", [
    ("CopperCom Gateway(TM)", 19), ("CopperCom MXR(TM)", 19), ("VINA ConnectReach", 50),
    ("VINA ConnectReach Plus", 40),
    ("7 R/E(TM) Connection Gateway (previously PacketStar(TM) Connection Gateway (PCG))", 50),
])
def test_access_products_join_transmission_on_1999_11_15(tables, product, pct):
    assert _discounts(tables, "transmission_discounts", dt.date(1999, 11, 15))[(product, None)][1] == D(pct)
    assert (product, None) not in _discounts(tables, "transmission_discounts", dt.date(1999, 11, 14))


def test_cables_are_twenty_percent(tables):
    (cable,) = tables.rows("cable_discounts", dt.date(1998, 6, 30))
    assert (cable.applies_to, cable.discount_pct) == ("cable", D(20))


@pytest.mark.parametrize("product, pct, from_date", [
    ("PacketStar(TM) Access Concentrator 10", 30, dt.date(1998, 12, 22)),
    ("PacketStar(TM) Access Concentrator 60", 40, dt.date(1998, 12, 22)),
    ("PacketStar(TM) Access Concentrator 120", 40, dt.date(1998, 12, 22)),
    ("PathStar(TM) Access Server (PSAS)", 40, dt.date(1998, 12, 22)),
    ("PortMaster(R) 4 Integrated Access Concentrator (PM4)", 30, dt.date(1998, 12, 22)),
    ("PacketStar(TM) IP GateWay 1000", 25, dt.date(1998, 12, 22)),
    ("MAX TNT(TM) WAN Access Switch", 30, dt.date(1999, 11, 15)),
    ("PacketStar(TM) PSAX 2300 Access Concentrator", 45, dt.date(1999, 11, 15)),
    ("GX 550(TM) Smart Core ATM Switch", 35, dt.date(1999, 11, 15)),
    ("Stinger(TM) DSL Access Concentrator", 35, dt.date(1999, 11, 15)),
    ("Copper Mountain CopperEdge(TM) 200", 32, dt.date(1999, 11, 15)),
    ("Copper Mountain CopperEdge(TM) 150", 32, dt.date(1999, 11, 15)),
    ("PacketStar(TM) PSAX 50 Broadband Service Unit", 35, dt.date(1999, 11, 15)),
    ("PacketStar(TM) PSAX 100 Broadband Service Unit", 35, dt.date(1999, 11, 15)),
    ("PacketStar(TM) PSAX 600 Broadband Service Concentrator", 35, dt.date(1999, 11, 15)),
    ("Cajun(TM) 330R Stackable Switching System", 35, dt.date(1999, 11, 15)),
    ("Cajun(TM) 550R Stackable Switching System", 35, dt.date(1999, 11, 15)),
    ("ConnectStar(TM) Interworking Call Router (formerly Broadband Interworking Connection "
     "Router (BICR))", 35, dt.date(1999, 11, 15)),
])
def test_data_networking_schedule(tables, product, pct, from_date):
    assert _discounts(tables, "data_networking_discounts", from_date)[(product, None)][1] == D(pct)
    if from_date > dt.date(1998, 12, 22):
        assert (product, None) not in _discounts(tables, "data_networking_discounts",
                                                 from_date - dt.timedelta(days=1))


@pytest.mark.parametrize("product", ["5ESS Switch", "5ESS CDX Switch", "5ESS VCDX Switch"])
def test_switch_discounts_from_1999_10_01(tables, product):
    rows = {(r.order_kind, r.discount_name): r for r in
            tables.rows("switch_discounts", dt.date(1999, 10, 1)) if r.product == product}
    assert rows[("initial", "Initial Switch")].discount_pct == 83
    large = rows[("growth", "Large Growth")]
    assert (large.discount_pct, large.min_stsx1_cards, large.max_stsx1_cards) == (77, 7, None)
    peripheral = rows[("growth", "Peripheral Growth")]
    assert (peripheral.discount_pct, peripheral.max_stsx1_cards) == (25, 6)
    assert rows[("pri", "Dedicated PRI-only")].discount_pct == 77


def test_optical_and_training_and_commitment(tables):
    (optical,) = tables.rows("optical_discounts", dt.date(1999, 11, 15))
    assert (optical.product, optical.discount_pct) == ("WaveStar(TM) TDM 2.5G", 50)
    pools = {(r.pool, r.product): r for r in tables.rows("training_incentive", dt.date(1999, 1, 1))}
    assert set(p for p, _ in pools) == {"a", "b"}
    assert len([k for k in pools if k[0] == "b"]) == 3
    assert all(r.threshold_amount == D("1250000.00") and r.seats_per_threshold == 2
               and r.use_within_months == 12 for r in pools.values())
    commitment = {(r.entity_group, r.tier): (r.cities, r.bound)
                  for r in tables.rows("purchase_commitment", dt.date(1999, 11, 15))}
    assert commitment[("KMC Telecom III, Inc. and KMC Telecom Leasing III LLC", "Tier III")] == (27, "up to")
    assert commitment[("KMC Telecom IV, Inc. and KMC Telecom Leasing IV LLC", "Tier IV")] == (98, "exactly")


def test_every_version_cites_its_source_and_hash(tables):
    for name in tables.names:
        for version in tables.versions(name):
            assert version.source and len(version.sha256) == 64
            assert version.file == f"{name}/{version.effective_from.isoformat()}.csv"


def test_dataframe_view_keeps_decimal_money(tables):
    frame = tables.frame("service_levels", dt.date(2000, 1, 1))
    assert list(frame["level"]) == ["Very Small", "Small", "Medium", "Large", "Very Large"]
    assert frame.loc[frame["level"] == "Medium", "annual_price"].item() == D("245000.00")

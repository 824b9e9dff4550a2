"""The vectorized batch path agrees with the scalar core to the cent, on any city.

Each random row is priced twice: by price_chunk (numpy, integer cents) and by price_city
(Decimal, one city at a time) with the batch's meaning of its columns: the annual period
containing as_of, hours incurred in that period's first month, integration sites cut over.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.batch.chunk import prepare, price_chunk
from pricing.batch.dedupe import SeenNames
from pricing.batch.readers import RawChunk
from pricing.batch.rules import batch_rules
from pricing.errors import PricingError
from pricing.money import to_cents
from pricing.rules.periods import period_containing
from pricing.quote import price_city

rows = st.lists(st.tuples(
    st.integers(0, 70),                                 # gateway elements
    st.sampled_from([1, 1, 1, 1, 0, 2]),                # five_ess: mostly valid
    st.integers(0, 35),                                 # slc
    st.integers(0, 5),                                  # sm
    st.integers(0, 2),                                  # dacs ii
    st.integers(0, 2),                                  # dacs iv
    st.decimals(min_value=0, max_value=40000, places=4, allow_nan=False, allow_infinity=False),
    st.integers(0, 4),                                  # integration sites
), min_size=1, max_size=40)
dates = st.sampled_from([dt.date(1998, 10, 1), dt.date(1999, 9, 30), dt.date(1999, 10, 1),
                         dt.date(2001, 4, 16), dt.date(2003, 7, 1), dt.date(2005, 9, 30)])


@settings(max_examples=150, deadline=None)
@given(cities=rows, as_of=dates)
def test_batch_equals_scalar_to_the_cent(tables, cities, as_of):
    names = [f"City {i}" for i in range(len(cities))]
    columns = list(zip(*cities))
    table = pa.table({
        "city": pa.array(names),
        **{name: pa.array([str(v) for v in values]) for name, values in zip(
            ["gateway_elements", "five_ess", "slc", "sm", "dacs_ii", "dacs_iv"], columns[:6])},
        "hours": pa.array([str(h) for h in columns[6]]),
        "integration_sites": pa.array([str(s) for s in columns[7]]),
    })
    rules = batch_rules(tables, as_of)
    rows = np.arange(2, 2 + len(table), dtype=np.int64)
    result = price_chunk(prepare(RawChunk(table, rows)), rules, SeenNames())
    rejected = {row - 2 for row, _, _ in result.rejects}
    priced = iter(range(len(result.level)))
    period = period_containing(tables, as_of)
    for i, (ge, five, slc, sm, d2, d4, hours, sites) in enumerate(cities):
        request = {"city": names[i], "period": period.year,
                   "counts": {"gateway_elements": ge, "five_ess": five, "slc": slc, "sm": sm,
                              "dacs_ii": d2, "dacs_iv": d4},
                   "hours": {period.label(1): hours} if hours else {},
                   "integration_sites": sites}
        try:
            quote = price_city(request, tables, as_of)
        except PricingError:
            assert i in rejected
            continue
        assert i not in rejected
        k = next(priced)
        assert rules.level_names[result.level[k]] == quote.level.level
        by_kind = {}
        for line in quote.lines:
            by_kind[line.kind] = by_kind.get(line.kind, Decimal(0)) + line.amount
        hours_total = by_kind.get("hour_block", 0) + by_kind.get("hourly", 0)
        assert result.cents["annual_price"][k] == to_cents(by_kind["service_level"])
        assert result.cents["hours_charge"][k] == to_cents(Decimal(hours_total))
        assert result.cents["integration_charge"][k] == to_cents(Decimal(by_kind.get("integration", 0)))
        assert result.cents["total"][k] == to_cents(quote.total)

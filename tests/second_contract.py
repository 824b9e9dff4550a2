"""A second contract's tables directory: the bundled tables with every number, name, party and
citation a text could quote changed, so a test can price under it and find any text that still
says this contract's words (issue 29 point 10).

What changes (bundled -> second):
  service_hours: 1500-hour blocks at 121,500.00 -> 1200-hour blocks at 114,000.00; $81 -> $95 an
    hour; hourly after 10 blocks -> after 8; from month 10 -> month 9; minimum 1 hour -> 2 hours.
  service_levels: Very Small/Small/Medium/Large/Very Large -> Starter/Basic/Standard/Plus/Premier,
    other prices and other bounds (no "16 to 25").
  annual_periods: first period and new cities at Starter; 3 components must change (not two);
    the meeting 45 days before the period ends (not sixty).
  payment_terms: Net 25, then Net 15 from 2001-03-01 (not Net 30 / Net 20 from 2001-04-16).
  psa_remedies (from 2001-03-01): 15-day discussion, 3 x the average of 4 months.
  parties, customers, agreements, purchase_commitment: other parties, addresses, contract numbers.
  one_time_services: integration 90,000.00 a site (not 100,000.00).
  warranties, packet_solution_commitment, training_incentive: other periods, saving, thresholds.
  Every source and section: "Borealis MSA ..." citations, so a citation of this contract in a text
  can only be hard-coded.
"""

from __future__ import annotations

import csv
import re
import io
import shutil
import subprocess
import sys
from pathlib import Path

from pricing.tables.loader import bundled_tables_dir

REPO = Path(__file__).resolve().parent.parent

SELLER = "Borealis Systems Corp., Carrier Division"
CUSTOMER = "Acme Networks Inc."
CUSTOMER_2 = "Acme Networks West LLC"
LEVELS = {"Very Small": "Starter", "Small": "Basic", "Medium": "Standard", "Large": "Plus",
          "Very Large": "Premier"}
TERMS_FROM = "2001-03-01"      # the second contract's change of terms and its remedies

FILES: dict[str, str] = {
    "service_hours/1998-10-01.csv":
        "service,block_hours,block_price,hourly_rate,hourly_after_blocks,hourly_from_month,"
        "minimum_hours\n"
        "Provisioning and Care Services,1200,114000.00,95.00,8,9,2\n",
    "service_levels/1998-10-01.csv":
        "level,rank,annual_price,gateway_elements_min,gateway_elements_max,five_ess,slc_max,"
        "sm_max,dacs_ii_max,dacs_iv_max\n"
        "Starter,1,150000.00,,12,1,6,1,1,1\n"
        "Basic,2,180000.00,13,22,1,12,1,1,1\n"
        "Standard,3,230000.00,23,30,1,18,2,1,1\n"
        "Plus,4,300000.00,31,45,1,24,3,1,1\n"
        "Premier,5,370000.00,,,1,,,,\n",
    "annual_periods/1998-10-01.csv":
        "first_period_start,period_start_month,period_start_day,first_period_level,"
        "new_city_level,relevel_min_changed,meeting_days_before_end\n"
        "1998-10-01,10,1,Starter,Starter,3,45\n",
    "payment_terms/1997-09-04.csv": "agreement,net_days,terms_text\nPSA,25,Net 25\n",
    f"payment_terms/{TERMS_FROM}.csv": "agreement,net_days,terms_text\nPSA,15,Net 15\n",
    f"psa_remedies/{TERMS_FROM}.csv":
        "dispute_discussion_days,assurance_multiple,assurance_months,termination_accelerates,"
        "instrument,acceleration_clause,dispute_clause,before_dispute_rule,cease_clause\n"
        '15,3,4,yes,Borealis MSA Rider 2,Borealis MSA Clause 31.4,Borealis MSA Clause 40,'
        '"Borealis MSA Clause 40 before Rider 2: withheld until the panel decides",'
        'Borealis MSA Clause 12.2\n',
    "one_time_services/1998-10-01.csv":
        "service,unit,price,charge\nSwitch Integration Service,switch site,90000.00,integration\n",
    "parties/1997-09-04.csv":
        "agreement,role,name,address\n"
        f'PSA,seller,"{SELLER}","12 Harbor Street, Portland, Maine 04101"\n'
        'PSA,customer,Acme Networks entities,"400 Elm Avenue, Suite 9, Dayton, Ohio 45402"\n',
    f"parties/{TERMS_FROM}.csv":
        "agreement,role,name,address\n"
        f'PSA,seller,"{SELLER}","77 Quay Road, Bangor, Maine 04401"\n'
        'PSA,customer,Acme Networks entities,"400 Elm Avenue, Suite 9, Dayton, Ohio 45402"\n',
    "customers/1997-03-06.csv":
        "agreement,entity,customer_from,section,billing_email,billing_email_source\n"
        f"GA,{CUSTOMER},1997-03-06,Borealis MSA Schedule 1,ap@acme.example,Schedule 1 notices\n"
        f"GA,{CUSTOMER_2},1998-12-22,Borealis MSA Schedule 1 (joined),,not in the texts\n"
        f"PSA,{CUSTOMER},1997-09-04,Borealis Services Schedule S-1,ap@acme.example,"
        f"Schedule S-1 notices\n"
        f"PSA,{CUSTOMER_2},1997-09-04,Borealis Services Schedule S-1,,not in the texts\n",
    "packet_solution_commitment/1999-11-15.csv":
        "min_saving_pct,compared_with,excludes\n"
        "25,comparable circuit-switched configuration,Access vehicles\n",
}

# Each remaining table's rewritten cells: (column, old, new).
CELLS: dict[str, list[tuple[str, str, str]]] = {
    "agreements": [("contract_number", "LNM970313MP", "BSC-MSA-0042"),
                   ("contract_number", "LNS970602JC", "BSC-SVC-0077"),
                   ("name", "General Agreement", "Master Supply Agreement"),
                   ("name", "Professional Services Agreement", "Services Schedule")],
    "purchase_commitment": [("cities", "27", "21"), ("cities", "100", "80"),
                            ("cities", "9", "7"), ("cities", "98", "70")],
    "training_incentive": [("threshold_amount", "1250000.00", "900000.00"),
                           ("seats_per_threshold", "2", "3"), ("course_days", "5", "4"),
                           ("use_within_months", "12", "15")],
    "warranties": [("months", "18", "24"), ("months", "3", "6"), ("days", "90", "45")],
    "cable_discounts": [("discount_pct", "20", "15")],
}
TEXT_COLUMNS = {"agreements": "expiry_section", "purchase_commitment": "section",
                "warranties": "section"}


def _rewrite(path: Path, table: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        for column, old, new in CELLS.get(table, []):
            if row[column] == old:
                row[column] = new
        if table in TEXT_COLUMNS:
            row[TEXT_COLUMNS[table]] = f"Borealis MSA {table} clause {rows.index(row) + 1}"
        if row.get("unknown_reason"):
            row["unknown_reason"] = "the Borealis MSA price list gives no discount"
        if table == "purchase_commitment":
            row["entity_group"] = CUSTOMER if "III" in row["entity_group"] else CUSTOMER_2
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def make_second_contract(target: Path) -> Path:
    """Write the second contract's tables directory at `target` and return it."""
    shutil.copytree(bundled_tables_dir(), target)
    manifest = target / "MANIFEST.csv"
    with manifest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    moved = {"payment_terms/2001-04-16.csv", "psa_remedies/2001-04-16.csv",
             "parties/2001-04-16.csv"}
    for row in rows:
        if row["file"] in moved:
            (target / row["file"]).unlink()
            row["file"] = row["file"].replace("2001-04-16", TERMS_FROM)
            row["effective_from"] = TERMS_FROM
        row["source"] = f"Borealis MSA {row['table']} schedule {row['effective_from']}"
        if row["file"] in FILES:
            (target / row["file"]).write_text(FILES[row["file"]], encoding="utf-8")
        else:
            _rewrite(target / row["file"], row["table"])
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    subprocess.run([sys.executable, str(REPO / "tools" / "update_manifest.py"), str(target)],
                   check=True, capture_output=True)
    return target


# This contract's words and numbers the second contract changed: none may appear in any text a
# command prints or writes under the second tables. Numbers match whole (2450000 is not 245000).
WORDS = (
    "tenth", "ten (10)", "(10th)", "sixty", "Sixty", "thirty", "twenty", "two (2)",
    "1500-hour", "1500 hour", "1,500-hour", "$81", "81/h", "Very Small", "Very Large", "Medium",
    "two-component", "two of its", "two components", "16 to 25", "Net 30", "Net 20",
    "16 April 2001", "April 16, 2001", "Lucent", "KMC", "Bedminster", "Murray Hill", "Warren",
    "King George", "Route 206", "LNS970602JC", "LNM970313MP", "General Agreement",
    "Professional Services Agreement", "Amendment", "Amdt", "Appendix A", "note 3", "note 4",
    "note 5", "Section 20", "Section 24", "Section 3", "A-1.", "(004", "(001", "(000",
    "5ESS TDM", "18 months", "3 months", "wice the average", "six (6)", "six months",
)
NUMBERS = ("121,500", "121500", "81.00", "163,000", "163000", "198,000", "198000", "245,000",
           "245000", "320,000", "320000", "390,000", "390000", "100,000", "100000",
           "1,250,000", "1250000", "2001-04-16")
PATTERNS = (
    *(re.escape(w) for w in WORDS),
    *(rf"(?<![\d,.-]){re.escape(n)}(?![\d,-])" for n in NUMBERS),
    r"(?<![-\d])(?<!Over )60 days", r"(?<![-\d])(?<!Over )90 days", r"(?<![\d.])20%",
)
FORBIDDEN = re.compile("|".join(PATTERNS))


def hard_coded(text: str) -> list[str]:
    """This contract's words and numbers found in a text, each once."""
    return sorted(set(FORBIDDEN.findall(text)))

"""Maintainer tool: record the sha256 of every table file the manifest lists.

Run it after a reviewed change to a table version, and commit the manifest with the table:
the loader refuses a table whose hash does not match, so an unreviewed edit cannot price.

    python tools/update_manifest.py [TABLES_DIR]
"""

import csv
import hashlib
import sys
from pathlib import Path


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "tables")
    manifest = root / "MANIFEST.csv"
    with manifest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["sha256"] = hashlib.sha256((root / row["file"]).read_bytes()).hexdigest()
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"updated {len(rows)} hashes in {manifest}")


if __name__ == "__main__":
    main()

"""`python -m pricing ...` runs the CLI (as the `pricing` console script does)."""

from pricing.cli import main

main()

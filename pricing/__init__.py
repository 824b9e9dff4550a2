"""Contract pricing for the KMC Telecom / Lucent Technologies agreements.

The calculation core: tables in, prices out. Nothing here prints or writes files except the
CLI (`pricing.cli`).
"""

"""Developer tools for the dbshift repository (never imported by the dbshift package)."""

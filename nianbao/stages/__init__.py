"""The stages of the yearly cycle as plain functions over Resources (no Prefect here)."""

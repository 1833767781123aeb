"""Dagster assets of the data platform; each module builds one asset for given partitions."""

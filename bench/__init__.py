"""Benchmarks of the GraphQL API on `khub seed --scale` data, through the full stack."""

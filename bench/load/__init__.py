"""Load benchmark: `khub serve` under wrk against the SQL limit of the same response
(`python -m bench.load`; see bench/README.md)."""

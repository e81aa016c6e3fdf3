"""Benchmarks (run `python -m bench.run`; see the README's Performance section)."""

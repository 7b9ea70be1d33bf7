"""Benchmarks (not tests): synthetic data generation and timed scenarios. See RESULTS.md."""

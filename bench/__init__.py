"""Benchmarks (not tests): each bench_<area>.py has a main() that prints ratios vs a baseline."""

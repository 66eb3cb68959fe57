"""Benchmarks for the Early Help Directory: synthetic content, publish and search timings.

See bench/README.md. Nothing in ``app`` imports this package.
"""

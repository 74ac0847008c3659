"""Benchmarks: minigrad against hand-written NumPy and PyTorch eager; run ``python benchmarks/run.py``."""

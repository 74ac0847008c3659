"""Tests of mg.losses: values, gradients, stability, errors, lookup, and PyTorch parity."""

"""Renderers: each turns the same trace records into one output format; none computes anything."""

"""Fast training paths: the reference engine's maths, compiled for small nets or vectorised for large ones.

`compiled` writes any network's training loop out as straight-line Python (no numpy), edge by
edge, whose compiled code `codecache` keeps between runs; `vectorised` runs a layered one as
numpy matrix products.
`bpcalc.training` chooses between them and the reference engine, and drives whichever it picks.
"""

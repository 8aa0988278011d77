"""`python -m bpcalc`."""

from .cli import main

main()

"""The commands beyond the worked solution (forward, step, explain and train are in bpcalc.cli):
each module defines its commands on the app when bpcalc.cli.main() finds one named."""

"""Output: a worked solution is built once as a format-neutral document, then written by one renderer per format.

solution, backward, explain and training build documents from the engine's records (nothing
is computed there); terminal, markdown, latex and html write them; json writes the --json contract.
"""

"""Checking the answers to a worked step: right to the digits written, right by follow-through, or wrong and why.

answers.py reads answer files (names from names.py, precision from precision.py); grade.py
judges them against the network, recomputing with dataflow.py; diagnose.py finds the slip that
explains a wrong number; render.py shows the results.
"""

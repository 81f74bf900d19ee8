"""The evaluator's trainer: reads the labelled files under ``data/`` and writes the shipped weights.

Not part of the wheel (setuptools finds packages under ``src/`` only) and never imported by ``certcredit``:
run it from a checkout, ``python -m training.train``.
"""

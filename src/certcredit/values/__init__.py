"""Plain values every layer may use: durations, the vocabulary, and the record row with its one validator.

The bottom of the import graph (docs/layout.md): it imports nothing from the rest of certcredit, no framework and
no store, so the pure core, the file readers, the store and the edges all read a row the same way.
"""

"""certcredit: credit-based certification programs, from session evaluation to certificates."""

__version__ = "0.1.0"

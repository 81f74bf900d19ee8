"""The list of command modules; each import registers its commands on ``certcredit.cli.app``."""

from certcredit.cli import audit, evaluate, plan, rules, site, store, tasks  # noqa: F401

"""The list of command modules; each import registers its commands on ``certcredit.cli.app``."""

from certcredit.cli import audit, badges, credentials, evaluate, plan, rules, site, store, tasks  # noqa: F401

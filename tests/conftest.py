"""Shared test settings: the seeds live in ../shared beside the checkout, read at test time only."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_EXAMPLES = SHARED / "data" / "seed-examples.jsonl"


@pytest.fixture(scope="session")
def seed_examples_path() -> Path:
    if not SEED_EXAMPLES.exists():
        pytest.fail(f"{SEED_EXAMPLES} is missing: the checkout needs ../shared beside it (README.md)")
    return SEED_EXAMPLES

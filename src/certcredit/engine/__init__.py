"""Windows, eligibility and exact allocation of a person's records to a program's requirements (pure core)."""

"""Session evaluation: durations, the category classifier and the written analysis (pure core)."""

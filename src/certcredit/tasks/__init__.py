"""Background tasks (django-tasks, stored in the database by django-tasks-db; ``certcredit worker`` runs them)."""

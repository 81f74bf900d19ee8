"""The store: certcredit's Django apps (models, migrations, admin).

Their app labels (`accounts`, `catalog`, `records`, `history`) are the ones the tables and migrations were made
with, so moving the apps here from the web edge changed no table name and no migration. Only the service layer
reads and writes these models; the web, API and CLI edges call the services.
"""

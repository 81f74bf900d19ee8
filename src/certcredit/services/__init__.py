"""The one service layer: every read and write of the store goes through here.

Web views, API endpoints and CLI commands are a few lines each: parse, call a service, render. Services check
who may see or change what (``access``), and write every change to records, decisions and workflow steps to
the append-only history (``history``). Django must be set up before these modules are imported
(``certcredit.web.setup()``).
"""

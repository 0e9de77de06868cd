"""The register: schema, migrations, rules and every read and write of the SQLite file.

Nothing here imports Qt: the window (gui/), the reports (reports/) and the command line (cli/)
all call these functions with a `Register` handle opened by `db.store.register.open_register`.
"""

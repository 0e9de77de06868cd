"""db.persons."""

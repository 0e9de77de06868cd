"""db.store."""

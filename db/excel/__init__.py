"""db.excel."""

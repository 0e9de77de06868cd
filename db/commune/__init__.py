"""db.commune."""

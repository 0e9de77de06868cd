"""db.core."""

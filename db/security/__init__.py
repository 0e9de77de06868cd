"""db.security."""

"""db.law."""

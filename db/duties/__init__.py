"""db.duties."""

"""db.handover."""

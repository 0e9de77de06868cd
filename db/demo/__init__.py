"""db.demo.fill."""

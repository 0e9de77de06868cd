"""gui.kit."""

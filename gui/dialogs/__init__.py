"""gui.dialogs."""

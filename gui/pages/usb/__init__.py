"""gui.pages.usb."""

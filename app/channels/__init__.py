"""Banks and third-party payment providers behind one small interface."""

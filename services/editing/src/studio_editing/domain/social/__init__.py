"""Social optimizer: platform formats, focal point, crop geometry and rendering."""

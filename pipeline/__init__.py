"""Information extraction from Chinese local-government newspaper pages."""
__version__ = "0.1.0"

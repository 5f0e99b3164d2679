"""speechsearch: full-text search for Chinese speeches and policy documents."""

__version__ = "0.1.0"

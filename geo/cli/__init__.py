"""The ``geo`` command line: thin commands over the library."""

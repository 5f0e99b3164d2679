"""The web page: `speechsearch serve`."""

"""The cells of each tutorial notebook, one module per notebook (see ../build_notebooks.py)."""

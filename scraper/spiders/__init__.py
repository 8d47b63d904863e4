"""One spider per platform; employers' boards come from the sources file."""

"""Stock pages, split by family: the catalogue and items, the stores and their movement forms."""

"""Pages of the asset registry: browsing (`browse`) and changing (`edit`)."""

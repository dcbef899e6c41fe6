"""The build pipeline and what surrounds it: page builder, cache, workers, output folder."""

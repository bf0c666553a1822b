"""Reports: what the care team's numbers say."""

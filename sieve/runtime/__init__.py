"""Running compiled scripts; for now only the limits that every stage shares."""

"""Web layer: blueprints that parse input, check permission, call services and render."""

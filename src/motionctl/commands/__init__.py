"""CLI command modules; each holds its own Typer app, which motionctl.cli adds to the root app."""

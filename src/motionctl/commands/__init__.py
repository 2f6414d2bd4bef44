"""CLI command modules; each registers on motionctl.cli.app."""

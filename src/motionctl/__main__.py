"""`python -m motionctl` runs the CLI."""

from motionctl.cli import app

app()

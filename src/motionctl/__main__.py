"""`python -m motionctl` runs the CLI."""

from motionctl.cli import app

if __name__ == "__main__":  # not when a spawned child process imports it
    app()

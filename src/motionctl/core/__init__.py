"""Types, limits and errors shared by every layer. Imports nothing else of motionctl."""

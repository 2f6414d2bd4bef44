"""Quality evaluation: metrics as pure functions over arrays, and a runner that measures a generated video."""

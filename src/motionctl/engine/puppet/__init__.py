"""The CPU puppet: a character cut into layers, rigged, retargeted and redrawn for every frame."""

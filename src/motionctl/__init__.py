"""motionctl: a character from one image performs the motion of a driving video."""

__version__ = "0.1.0"

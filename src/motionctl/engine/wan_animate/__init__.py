"""The wan-animate engine: Wan2.2-Animate-14B through diffusers' WanAnimatePipeline, on a GPU (docs/GPU.md).

Importing this package imports nothing heavy; ``engine.WanAnimateEngine`` needs torch and diffusers
(the ``[gpu]`` extra) and is loaded by ``motionctl.engine.registry`` only when the engine is chosen.
"""

"""Wan2.2-Animate's weights from a local directory, never from the network.

The directory is a copy of ``Wan-AI/Wan2.2-Animate-14B-Diffusers`` (diffusers' layout: ``model_index.json``
and one folder per component). ``missing_parts`` lists what an incomplete copy lacks, so the error names
it; ``load_pipeline`` loads it with the Hub switched off, in the dtype asked for (the VAE in fp32, as
diffusers recommends for Wan), on the GPU whole or with model or sequential CPU offload.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from motionctl.core.errors import InvalidInput, rule_violation

MODEL_ID = "Wan-AI/Wan2.2-Animate-14B-Diffusers"
# Each component's folder and the files it must hold (any one of each group).
_WEIGHTS = ("*.safetensors", "*.safetensors.index.json", "*.bin")
COMPONENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "transformer": (("config.json",), _WEIGHTS),
    "vae": (("config.json",), _WEIGHTS),
    "text_encoder": (("config.json",), _WEIGHTS),
    "tokenizer": (("tokenizer_config.json",),),
    "image_encoder": (("config.json",), _WEIGHTS),
    "image_processor": (("preprocessor_config.json",),),
    "scheduler": (("scheduler_config.json",),),
}
DTYPES = ("bf16", "fp16", "fp32")
OFFLOADS = ("none", "model", "sequential")


def missing_parts(folder: Path) -> list[str]:
    """What a diffusers copy of the model lacks in ``folder`` (empty: complete)."""
    if not folder.is_dir():
        return [f"{folder} (no such directory)"]
    missing = [] if (folder / "model_index.json").is_file() else ["model_index.json"]
    for name, groups in COMPONENTS.items():
        sub = folder / name
        for group in groups:
            if not any(any(sub.glob(pattern)) for pattern in group):
                missing.append(f"{name}/{' or '.join(group)}")
    return missing


def check_weights(folder: Path) -> None:
    missing = missing_parts(folder)
    if missing:
        raise rule_violation(InvalidInput, "weights", f"must be a local copy of {MODEL_ID} "
                             f"(e.g. huggingface-cli download {MODEL_ID} --local-dir DIR)",
                             str(folder), detail="missing: " + ", ".join(missing))


def pick_device(device: str) -> str:
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        raise rule_violation(InvalidInput, "device", "wan-animate needs a CUDA GPU (--device cpu runs it on the "
                             "CPU, useful only with tiny test weights)", "no CUDA device found")
    if device == "cuda" and not torch.cuda.is_available():
        raise rule_violation(InvalidInput, "device", "cuda needs a CUDA GPU", "no CUDA device found")
    if device not in ("cuda", "cpu"):
        raise rule_violation(InvalidInput, "device", "must be auto, cuda or cpu", device)
    return device


def load_pipeline(folder: Path, *, dtype: str, offload: str, device: str) -> Any:
    """``ChainedWanAnimate`` loaded from ``folder`` and placed on ``device``."""
    import torch

    _quiet()  # before diffusers' pipelines import transformers' image processors, which warn on import
    from motionctl.engine.wan_animate.chained import ChainedWanAnimate

    if dtype not in DTYPES:
        raise rule_violation(InvalidInput, "dtype", f"must be one of {', '.join(DTYPES)}", dtype)
    if offload not in OFFLOADS:
        raise rule_violation(InvalidInput, "offload", f"must be one of {', '.join(OFFLOADS)}", offload)
    if offload != "none" and device != "cuda":
        raise rule_violation(InvalidInput, "offload", "offloading to the CPU needs a CUDA GPU", offload)
    check_weights(folder)
    os.environ["HF_HUB_OFFLINE"] = "1"  # belt and braces: nothing is fetched, whatever the files say
    torch_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
    pipe = ChainedWanAnimate.from_pretrained(str(folder), dtype=torch_dtype, local_files_only=True)
    pipe.vae.to(torch.float32)
    pipe.set_progress_bar_config(disable=True)
    if offload == "model":
        pipe.enable_model_cpu_offload()
    elif offload == "sequential":
        pipe.enable_sequential_cpu_offload()
    else:
        pipe.to(device)
    return pipe


def _quiet() -> None:
    """diffusers' and transformers' progress bars and notices (the pose video is resized, torchvision is
    missing) off: the command prints its own progress, and a worker logs as JSON."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    for lib in (diffusers_logging, transformers_logging):
        lib.set_verbosity_error()
        lib.disable_progress_bar()

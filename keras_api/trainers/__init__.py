"""keras_api.trainers: compile/fit/evaluate/predict (the Trainer mixin of Model)."""
from .trainer import Trainer  # noqa: F401

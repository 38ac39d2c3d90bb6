"""keras.datasets: Keras's small datasets, read from Keras's cache files ($KERAS_HOME/datasets or
~/.keras/datasets) and downloaded there when missing."""
from . import (boston_housing, california_housing, cifar10, cifar100, fashion_mnist, imdb, mnist,  # noqa: F401
               reuters)

"""The Theano LeNet tutorial pattern (deeplearning.net's convolutional_mlp.py) on symnet, trained with
sn.function on scikit-learn's 8x8 digits: LeNetConvPoolLayer = conv2d + pool_2d + tanh(. + b), then a
tanh hidden layer and logistic regression, minibatches selected by an index through `givens`.

Only the imports differ from the Theano program (and the 8x8 image size): `theano.tensor as T` is
`symnet as T`, `theano.tensor.nnet.conv2d` is `sn.nnet.conv2d`, `theano.tensor.signal.pool` is
`symnet.signal.pool`. The tutorial's cost `-T.mean(T.log(p)[T.arange(y.shape[0]), y])` is written
with nnet.categorical_crossentropy (symnet indexes integer arrays on the first axis only)."""
import numpy as np
from sklearn.datasets import load_digits

import _path  # noqa: F401
import symnet as T
from symnet.signal import pool

rng = np.random.RandomState(23455)
floatX = "float32"


class LeNetConvPoolLayer:
    def __init__(self, rng, input, filter_shape, image_shape, poolsize=(2, 2)):
        assert image_shape[1] == filter_shape[1]
        fan_in = np.prod(filter_shape[1:])
        fan_out = filter_shape[0] * np.prod(filter_shape[2:]) // np.prod(poolsize)
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        self.W = T.shared(np.asarray(rng.uniform(-bound, bound, filter_shape), dtype=floatX), borrow=True)
        self.b = T.shared(np.zeros((filter_shape[0],), dtype=floatX), borrow=True)
        conv_out = T.nnet.conv2d(input=input, filters=self.W, filter_shape=filter_shape, input_shape=image_shape)
        pooled_out = pool.pool_2d(input=conv_out, ws=poolsize, ignore_border=True)
        self.output = T.tanh(pooled_out + self.b.dimshuffle("x", 0, "x", "x"))
        self.params = [self.W, self.b]


class HiddenLayer:
    def __init__(self, rng, input, n_in, n_out):
        bound = np.sqrt(6.0 / (n_in + n_out))
        self.W = T.shared(np.asarray(rng.uniform(-bound, bound, (n_in, n_out)), dtype=floatX), borrow=True)
        self.b = T.shared(np.zeros((n_out,), dtype=floatX), borrow=True)
        self.output = T.tanh(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class LogisticRegression:
    def __init__(self, input, n_in, n_out):
        self.W = T.shared(np.zeros((n_in, n_out), dtype=floatX), borrow=True)
        self.b = T.shared(np.zeros((n_out,), dtype=floatX), borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        return T.mean(T.nnet.categorical_crossentropy(self.p_y_given_x, y))

    def errors(self, y):
        return T.mean(T.neq(self.y_pred, y))


digits = load_digits()
images = (digits.images / 16.0).astype(floatX).reshape(-1, 64)
labels = digits.target.astype("int32")
order = np.random.RandomState(0).permutation(len(labels))
images, labels = images[order], labels[order]
train_set_x, test_set_x = T.shared(images[:1400]), T.shared(images[1400:])
train_set_y, test_set_y = T.shared(labels[:1400]), T.shared(labels[1400:])

batch_size, nkerns, learning_rate = 50, (10, 20), 0.1
index = T.lscalar()
x = T.matrix("x")
y = T.ivector("y")
layer0_input = x.reshape((batch_size, 1, 8, 8))
layer0 = LeNetConvPoolLayer(rng, layer0_input, image_shape=(batch_size, 1, 8, 8), filter_shape=(nkerns[0], 1, 3, 3))
layer1 = LeNetConvPoolLayer(rng, layer0.output, image_shape=(batch_size, nkerns[0], 3, 3),
                            filter_shape=(nkerns[1], nkerns[0], 2, 2))
layer2 = HiddenLayer(rng, layer1.output.flatten(2), n_in=nkerns[1] * 1 * 1, n_out=50)
layer3 = LogisticRegression(layer2.output, n_in=50, n_out=10)
cost = layer3.negative_log_likelihood(y)
params = layer3.params + layer2.params + layer1.params + layer0.params
grads = T.grad(cost, params)
updates = [(p, p - learning_rate * g) for p, g in zip(params, grads)]

train_model = T.function([index], cost, updates=updates,
                         givens={x: train_set_x[index * batch_size:(index + 1) * batch_size],
                                 y: train_set_y[index * batch_size:(index + 1) * batch_size]})
test_model = T.function([index], layer3.errors(y),
                        givens={x: test_set_x[index * batch_size:(index + 1) * batch_size],
                                y: test_set_y[index * batch_size:(index + 1) * batch_size]})

n_train, n_test = 1400 // batch_size, len(labels[1400:]) // batch_size
for epoch in range(40):
    costs = [float(train_model(i)) for i in range(n_train)]
test_error = float(np.mean([test_model(i) for i in range(n_test)]))
print(f"final training cost {np.mean(costs):.4f}, test error {100 * test_error:.2f} %")
assert test_error < 0.1, test_error

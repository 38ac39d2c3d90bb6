"""Logistic regression trained with minibatch SGD, as the deeplearning.net tutorial
(logistic_sgd.py) writes it: shared datasets, an `index` input and `givens` slicing the
minibatch. Only the imports differ (symnet for theano); the data is scikit-learn's 8x8 digits
instead of MNIST so that it runs in seconds."""
import numpy

import _path  # noqa: F401
import symnet as theano
import symnet.tensor as T


class LogisticRegression(object):
    """Multi-class Logistic Regression Class"""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(value=numpy.zeros((n_in, n_out), dtype=theano.config.floatX), name='W',
                               borrow=True)
        self.b = theano.shared(value=numpy.zeros((n_out,), dtype=theano.config.floatX), name='b', borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        if y.ndim != self.y_pred.ndim:
            raise TypeError('y should have the same shape as self.y_pred',
                            ('y', y.type, 'y_pred', self.y_pred.type))
        if y.dtype.startswith('int'):
            return T.mean(T.neq(self.y_pred, y))
        else:
            raise NotImplementedError()


def load_data():
    """Digits split into (train, valid, test) shared variables, as the tutorial's load_data."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.data / 16.0).astype('float64')
    y = digits.target
    order = numpy.random.RandomState(0).permutation(len(y))
    x, y = x[order], y[order]
    train_set, valid_set, test_set = (x[:1200], y[:1200]), (x[1200:1500], y[1200:1500]), (x[1500:], y[1500:])

    def shared_dataset(data_xy, borrow=True):
        data_x, data_y = data_xy
        shared_x = theano.shared(numpy.asarray(data_x, dtype=theano.config.floatX), borrow=borrow)
        shared_y = theano.shared(numpy.asarray(data_y, dtype=theano.config.floatX), borrow=borrow)
        return shared_x, T.cast(shared_y, 'int32')

    test_set_x, test_set_y = shared_dataset(test_set)
    valid_set_x, valid_set_y = shared_dataset(valid_set)
    train_set_x, train_set_y = shared_dataset(train_set)
    return [(train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y)]


def sgd_optimization(learning_rate=0.13, n_epochs=30, batch_size=50, verbose=True):
    """Train for n_epochs; returns (best validation error, test error at that point, final test error)."""
    datasets = load_data()
    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    classifier = LogisticRegression(input=x, n_in=8 * 8, n_out=10)
    cost = classifier.negative_log_likelihood(y)

    test_model = theano.function(
        inputs=[index], outputs=classifier.errors(y),
        givens={x: test_set_x[index * batch_size: (index + 1) * batch_size],
                y: test_set_y[index * batch_size: (index + 1) * batch_size]})
    validate_model = theano.function(
        inputs=[index], outputs=classifier.errors(y),
        givens={x: valid_set_x[index * batch_size: (index + 1) * batch_size],
                y: valid_set_y[index * batch_size: (index + 1) * batch_size]})

    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [(classifier.W, classifier.W - learning_rate * g_W),
               (classifier.b, classifier.b - learning_rate * g_b)]
    train_model = theano.function(
        inputs=[index], outputs=cost, updates=updates,
        givens={x: train_set_x[index * batch_size: (index + 1) * batch_size],
                y: train_set_y[index * batch_size: (index + 1) * batch_size]})

    best_validation_loss, best_test = numpy.inf, numpy.inf
    test_score = numpy.inf
    for epoch in range(1, n_epochs + 1):
        for minibatch_index in range(n_train_batches):
            train_model(minibatch_index)
        this_validation_loss = numpy.mean([validate_model(i) for i in range(n_valid_batches)])
        test_score = numpy.mean([test_model(i) for i in range(n_test_batches)])
        if this_validation_loss < best_validation_loss:
            best_validation_loss, best_test = this_validation_loss, test_score
        if verbose:
            print('epoch %i, validation error %f %%, test error %f %%'
                  % (epoch, this_validation_loss * 100., test_score * 100.))
    return best_validation_loss, best_test, test_score


if __name__ == '__main__':
    valid, test, final = sgd_optimization()
    print('Optimization complete with best validation score of %f %%, with test performance %f %%'
          % (valid * 100., test * 100.))
    assert final < 0.08, final

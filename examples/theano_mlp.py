"""A one-hidden-layer MLP, as the deeplearning.net tutorial (mlp.py) writes it: HiddenLayer +
the LogisticRegression of theano_logistic_sgd, L1/L2 regularisation, minibatch SGD through
`givens`. Only the imports differ (symnet for theano); the data is scikit-learn's digits."""
import numpy

import _path  # noqa: F401
import symnet as theano
import symnet.tensor as T

from theano_logistic_sgd import LogisticRegression, load_data


class HiddenLayer(object):
    def __init__(self, rng, input, n_in, n_out, W=None, b=None, activation=T.tanh):
        self.input = input
        if W is None:
            W_values = numpy.asarray(
                rng.uniform(low=-numpy.sqrt(6. / (n_in + n_out)), high=numpy.sqrt(6. / (n_in + n_out)),
                            size=(n_in, n_out)),
                dtype=theano.config.floatX)
            if activation == theano.tensor.nnet.sigmoid:
                W_values *= 4
            W = theano.shared(value=W_values, name='W', borrow=True)
        if b is None:
            b_values = numpy.zeros((n_out,), dtype=theano.config.floatX)
            b = theano.shared(value=b_values, name='b', borrow=True)
        self.W = W
        self.b = b
        lin_output = T.dot(input, self.W) + self.b
        self.output = (lin_output if activation is None else activation(lin_output))
        self.params = [self.W, self.b]


class MLP(object):
    def __init__(self, rng, input, n_in, n_hidden, n_out):
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in, n_out=n_hidden, activation=T.tanh)
        self.logRegressionLayer = LogisticRegression(input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out)
        self.L1 = abs(self.hiddenLayer.W).sum() + abs(self.logRegressionLayer.W).sum()
        self.L2_sqr = (self.hiddenLayer.W ** 2).sum() + (self.logRegressionLayer.W ** 2).sum()
        self.negative_log_likelihood = self.logRegressionLayer.negative_log_likelihood
        self.errors = self.logRegressionLayer.errors
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params
        self.input = input


def test_mlp(learning_rate=0.05, L1_reg=0.00, L2_reg=0.0001, n_epochs=30, batch_size=20, n_hidden=64,
             verbose=True):
    """Train; returns (best validation error, test error at that point, final test error)."""
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
    rng = numpy.random.RandomState(1234)
    classifier = MLP(rng=rng, input=x, n_in=8 * 8, n_hidden=n_hidden, n_out=10)
    cost = (classifier.negative_log_likelihood(y) + L1_reg * classifier.L1 + L2_reg * classifier.L2_sqr)

    test_model = theano.function(
        inputs=[index], outputs=classifier.errors(y),
        givens={x: test_set_x[index * batch_size:(index + 1) * batch_size],
                y: test_set_y[index * batch_size:(index + 1) * batch_size]})
    validate_model = theano.function(
        inputs=[index], outputs=classifier.errors(y),
        givens={x: valid_set_x[index * batch_size:(index + 1) * batch_size],
                y: valid_set_y[index * batch_size:(index + 1) * batch_size]})
    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [(param, param - learning_rate * gparam) for param, gparam in zip(classifier.params, gparams)]
    train_model = theano.function(
        inputs=[index], outputs=cost, updates=updates,
        givens={x: train_set_x[index * batch_size: (index + 1) * batch_size],
                y: train_set_y[index * batch_size: (index + 1) * batch_size]})

    best_validation_loss, best_test, test_score = numpy.inf, numpy.inf, numpy.inf
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
    valid, test, final = test_mlp()
    print('Best validation score of %f %% with test performance %f %%' % (valid * 100., test * 100.))
    assert final < 0.06, final

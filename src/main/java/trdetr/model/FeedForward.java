package trdetr.model;

import trdetr.nn.Dropout;
import trdetr.nn.Linear;
import trdetr.nn.PReLU;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The parts every TR-DETR transformer layer shares: linear1 → PReLU → dropout → linear2. Not a module of its own in
 * the official code, so its pieces are registered on the owning layer under the official names.
 */
final class FeedForward {
    final Linear linear1;
    final Dropout dropout;
    final Linear linear2;
    final PReLU activation;

    FeedForward(int d, int ff, double p, Generator gen, DType dtype) {
        linear1 = new Linear(d, ff, true, gen, dtype);
        dropout = new Dropout(p, gen);
        linear2 = new Linear(ff, d, true, gen, dtype);
        activation = new PReLU(dtype);
    }

    Tensor forward(Tensor x) { return linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))); }
}

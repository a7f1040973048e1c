package trdetr.nn;

import trdetr.tensor.Tensor;

/** A module that maps one tensor to one tensor, so it can sit in a {@link Sequential}. */
public interface UnaryModule {
    Tensor forward(Tensor x);
}

package trdetr.opcheck;

import java.util.function.Function;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * One gradient check: a name, a maker of float64 inputs (shapes drawn at random from the generator; the inputs to
 * differentiate are marked requiresGrad), and the op under test.
 */
public record OpCase(String name, Function<Generator, Tensor[]> inputs, Function<Tensor[], Tensor> op) {}

package trdetr.autograd;

import trdetr.tensor.Tensor;

/**
 * One recorded op: its inputs and the function that maps the output gradient to input gradients.
 * The backward function holds whatever the op saved for backward; {@link #release} drops it and the references to
 * the inputs, which is how a graph is freed during backward: an activation becomes garbage as soon as the last op
 * that consumed it has passed its gradient on, not when the whole step's graph goes (and a second backward through
 * it is caught).
 */
public final class Node {
    /** Maps the output gradient to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput, boolean[] needsGrad);
    }

    private final String op;
    private final Tensor[] inputs;
    private final boolean[] needsGrad;
    private Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs.clone();   // release() clears it; the caller's array stays as it was
        this.backward = backward;
        this.needsGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needsGrad[i] = inputs[i] != null && inputs[i].requiresGrad();
    }

    public String op() { return op; }

    Tensor[] inputs() { return inputs; }

    Tensor[] apply(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("backward: the graph through '" + op + "' was already freed by an earlier"
                    + " backward; call backward(retainGraph = true) the first time to go through it twice");
        }
        return backward.apply(gradOutput, needsGrad);
    }

    void release() {
        backward = null;
        java.util.Arrays.fill(inputs, null);
    }
}

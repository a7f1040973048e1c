package trdetr.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** Reverse-mode automatic differentiation: recording ops and running backward over the recorded graph. */
public final class Autograd {
    private Autograd() {}

    /**
     * Attaches history to an op's fresh output when grad mode is on and an input requires grad.
     * Every differentiable op ends with this call.
     */
    public static Tensor record(String op, Tensor output, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return output;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                output.attachHistory(new Node(op, inputs, backward));
                return output;
            }
        }
        return output;
    }

    /**
     * Accumulates d(root)/d(leaf) into every leaf that requires grad. The seed gradient defaults to 1 for a scalar.
     * Unless retainGraph, the graph is freed as it is consumed.
     */
    public static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        if (root.gradFn() == null) {
            if (root.requiresGrad()) { // a leaf: its gradient is the seed
                accumulate(root, seed != null ? seed : Tensor.onesLike(root));
                return;
            }
            throw new IllegalStateException("backward: the tensor does not require grad (it was produced by '"
                    + root.producer() + "', which is not differentiable, or no input of its graph requires grad)");
        }
        if (seed == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: a gradient must be given for non-scalar output of shape "
                        + Shape.str(root.shape()));
            }
            seed = Tensor.onesLike(root);
        } else if (!Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shape.str(seed.shape())
                    + " does not match output shape " + Shape.str(root.shape()));
        }
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            List<Node> order = topologicalOrder(root.gradFn());
            Map<Node, Tensor> pending = new IdentityHashMap<>();
            pending.put(root.gradFn(), seed);
            for (Node node : order) {
                Tensor grad = pending.remove(node);
                if (grad == null) continue; // no path carried a gradient here
                Tensor[] inputs = node.inputs();
                Tensor[] grads = node.apply(grad);
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in == null || !in.requiresGrad() || grads[i] == null) continue;
                    Tensor g = grads[i];
                    if (!Arrays.equals(g.shape(), in.shape())) {
                        throw new IllegalStateException("backward of '" + node.op() + "': gradient shape "
                                + Shape.str(g.shape()) + " for input " + i + " of shape " + Shape.str(in.shape()));
                    }
                    if (in.gradFn() == null) accumulate(in, g);
                    else pending.merge(in.gradFn(), g, Tensor::add);
                }
                if (!retainGraph) node.release();   // after routing: release also drops the node's inputs
            }
        }
    }

    private static void accumulate(Tensor leaf, Tensor g) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor cast = g.dtype() == leaf.dtype() ? g : g.to(leaf.dtype());
            leaf.setGrad(leaf.grad() == null ? cast.contiguousCopy() : leaf.grad().add(cast));
        }
    }

    /** Nodes in an order where each comes before all nodes that feed it (reverse post-order, iterative). */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, next input index}
        stack.push(new Object[] {root, 0});
        visited.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Node node = (Node) top[0];
            int i = (Integer) top[1];
            Tensor[] inputs = node.inputs();
            if (i < inputs.length) {
                top[1] = i + 1;
                Tensor in = inputs[i];
                if (in != null && in.gradFn() != null && visited.put(in.gradFn(), true) == null) {
                    stack.push(new Object[] {in.gradFn(), 0});
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}

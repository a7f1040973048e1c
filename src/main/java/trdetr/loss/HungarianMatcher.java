package trdetr.loss;

import java.util.ArrayList;
import java.util.List;
import trdetr.autograd.GradMode;
import trdetr.model.TrDetrOutput;
import trdetr.ops.Losses;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The official HungarianMatcher (spec §4.1): C = w_span·L1(cxw) − w_giou·gIoU(xx) − w_class·softmax(logits)[0], built
 * in the model's dtype for the whole batch, then an optimal assignment per sample.
 */
public final class HungarianMatcher {
    private final double costSpan, costGiou, costClass;

    public HungarianMatcher(double costSpan, double costGiou, double costClass) {
        if (costSpan == 0 && costGiou == 0 && costClass == 0) throw new IllegalArgumentException("matcher: all costs can't be 0");
        this.costSpan = costSpan;
        this.costGiou = costGiou;
        this.costClass = costClass;
    }

    /** One (query indices ascending, target indices) pair per sample. */
    public List<int[][]> match(TrDetrOutput.Head head, List<Tensor> targetSpans) {
        int b = head.logits().size(0), q = head.logits().size(1);
        List<int[][]> result = new ArrayList<>(b);
        Tensor tgt = Tensor.cat(targetSpans, 0).to(head.spans().dtype());
        if (tgt.size(0) == 0) {
            for (int i = 0; i < b; i++) result.add(new int[][] {new int[0], new int[0]});
            return result;
        }
        double[] c;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor prob = head.logits().reshape(b * q, 2).softmax(-1).select(1, 0).unsqueeze(1);   // (BQ, 1)
            Tensor out = head.spans().reshape(b * q, 2);
            Tensor span = out.unsqueeze(1).sub(tgt.unsqueeze(0)).abs().sum(-1, false);          // cdist p=1
            Tensor giou = Losses.generalizedTemporalIou(Losses.cxwToXx(out), Losses.cxwToXx(tgt)).neg();
            Tensor cost = span.mul(costSpan).add(giou.mul(costGiou)).add(prob.neg().mul(costClass));
            c = cost.to(DType.FLOAT64).toDoubleArray();
        }
        int total = tgt.size(0), from = 0;
        for (int i = 0; i < b; i++) {
            int n = targetSpans.get(i).size(0);
            double[][] block = new double[q][n];
            for (int r = 0; r < q; r++) for (int j = 0; j < n; j++) block[r][j] = c[(i * q + r) * total + from + j];
            result.add(LinearSumAssignment.solve(block));
            from += n;
        }
        return result;
    }
}

package trdetr.loss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.autograd.GradMode;
import trdetr.model.TrDetrConfig;
import trdetr.model.TrDetrOutput;
import trdetr.ops.Losses;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The official SetCriterion (spec §4.2–4.5): after Hungarian matching, span L1 and gIoU on matched pairs, the sigmoid
 * focal label loss on every query, the saliency loss on the final output, and the span/label losses again for every
 * auxiliary decoder layer (keys suffixed _i).
 */
public final class SetCriterion {
    private final HungarianMatcher matcher;
    private final double saliencyMargin;
    private final boolean useMatcher;

    /** The criterion of a dataset with moments (QVHighlights, Charades-STA). */
    public SetCriterion(TrDetrConfig c) { this(c, true); }

    /**
     * @param useMatcher false for a dataset without moments (the official {@code use_matcher = dset_name != "tvsum"},
     *                   spec §4.8): its span label is a dummy [[0, 0]], so only the saliency loss is computed and the
     *                   span/label terms of every decoder layer are left out rather than trained towards the dummy
     */
    public SetCriterion(TrDetrConfig c, boolean useMatcher) {
        this.matcher = new HungarianMatcher(c.setCostSpan(), c.setCostGiou(), c.setCostClass());
        this.saliencyMargin = c.saliencyMargin();
        this.useMatcher = useMatcher;
    }

    /** Every loss term by its official name (loss_span, loss_giou, loss_label, class_error, loss_saliency, ..._i). */
    public Map<String, Tensor> losses(TrDetrOutput out, Targets targets) {
        Map<String, Tensor> losses = new LinkedHashMap<>();
        if (!useMatcher) {
            losses.put("loss_saliency", saliency(out.saliency(), out.videoMask(), targets));
            return losses;
        }
        List<int[][]> indices = matcher.match(out.main(), targets.spans());
        spanAndLabelLosses(out.main(), targets, indices, "", losses);
        losses.put("loss_saliency", saliency(out.saliency(), out.videoMask(), targets));
        for (int i = 0; i < out.aux().size(); i++) {
            TrDetrOutput.Head aux = out.aux().get(i);
            spanAndLabelLosses(aux, targets, matcher.match(aux, targets.spans()), "_" + i, losses);
        }
        return losses;
    }

    private void spanAndLabelLosses(TrDetrOutput.Head head, Targets targets, List<int[][]> indices, String suffix, Map<String, Tensor> losses) {
        int b = head.logits().size(0), q = head.logits().size(1);
        int matched = 0;
        for (int[][] m : indices) matched += m[0].length;
        long[] flatQuery = new long[matched];
        Tensor[] tgt = new Tensor[b];
        int k = 0;
        for (int i = 0; i < b; i++) {
            int[][] m = indices.get(i);
            long[] targetRows = new long[m[1].length];
            for (int j = 0; j < m[0].length; j++) {
                flatQuery[k++] = (long) i * q + m[0][j];
                targetRows[j] = m[1][j];
            }
            tgt[i] = targets.spans().get(i).indexSelect(0, Tensor.ofLongs(targetRows, targetRows.length));
        }
        Tensor queryIdx = Tensor.ofLongs(flatQuery, matched);

        // spans: plain means over the matched pairs
        Tensor src = head.spans().reshape(b * q, 2).indexSelect(0, queryIdx);
        Tensor target = Tensor.cat(List.of(tgt), 0).to(src.dtype());
        losses.put("loss_span" + suffix, Losses.l1(src, target));
        Tensor giou = Losses.generalizedTemporalIou(Losses.cxwToXx(src), Losses.cxwToXx(target));
        Tensor diag = giou.gather(1, Tensor.arange(matched).unsqueeze(1));
        losses.put("loss_giou" + suffix, diag.rsub(1.0).mean());

        // labels: class 0 (foreground) for matched queries, 1 otherwise; both logits trained as sigmoids
        double[] foreground = new double[b * q];
        for (long f : flatQuery) foreground[(int) f] = 1.0;
        Tensor fg = Tensor.of(foreground, b, q).to(head.logits().dtype());
        Tensor oneHot = Tensor.stack(List.of(fg, fg.rsub(1.0)), 1);                          // (B, 2, Q)
        Tensor focal = Losses.sigmoidFocal(head.logits().transpose(1, 2), oneHot, 0.25, 2.0);
        losses.put("loss_label" + suffix, focal.mean());
        losses.put("class_error" + suffix, classError(head.logits(), queryIdx, b * q));
    }

    /**
     * 100 − % of matched queries whose top logit is the foreground class (logged, not trained), rounded as the official
     * code computes it: correct · (100 / n) in the logits' precision, then 100 minus that (so 11 of 11 gives
     * 100 − 100.00000000000001 in float64, as there).
     */
    private static Tensor classError(Tensor logits, Tensor queryIdx, int rows) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            int n = queryIdx.size(0);
            if (n == 0) return Tensor.scalar(logits.backend(), logits.dtype(), 100.0);
            long[] top = logits.reshape(rows, 2).indexSelect(0, queryIdx).argmax(1, false).toLongArray();
            int correct = 0;
            for (long t : top) if (t == 0) correct++;
            double perItem = 100.0 / n;
            double error = logits.dtype() == DType.FLOAT32 ? 100f - (float) correct * (float) perItem : 100.0 - correct * perItem;
            return Tensor.scalar(logits.backend(), logits.dtype(), error);
        }
    }

    /** Rank-contrastive part (11 thresholds, divided by 12) plus the doubled margin part (spec §4.4). */
    Tensor saliency(Tensor s, Tensor vidMask, Targets targets) {
        Tensor m = vidMask.to(s.dtype());
        Tensor y = targets.allLabels().to(s.dtype());
        Tensor masked = m.mul(s).add(m.rsub(1.0).mul(-1000.0));
        Tensor z = masked.div(0.5);
        Tensor rank = null;
        double[] labels = y.toDoubleArray();
        for (int r = 1; r < 12; r++) {
            boolean any = false;
            for (double v : labels) if (v >= r) { any = true; break; }
            if (!any) continue;
            Tensor pos = y.ge(r).to(s.dtype());
            Tensor has = pos.sum(1, false).gt(0.0).to(s.dtype());
            Tensor logits = z.sub(z.max(1, true));
            Tensor logProb = logits.sub(logits.exp().sum(1, true).add(1e-6).log());
            Tensor meanLogProbPos = pos.mul(logProb).mul(m).sum(1, false).div(pos.sum(1, false).add(1e-6));
            Tensor term = meanLogProbPos.neg().mul(has).mean();
            rank = rank == null ? term : rank.add(term);
        }
        Tensor rankLoss = rank == null ? s.sum().mul(0.0) : rank.div(12.0);

        Tensor pos = s.gather(1, targets.posLabels()), neg = s.gather(1, targets.negLabels());
        int pairs = pos.numel();
        Tensor margin = neg.sub(pos).add(saliencyMargin).clampMin(0.0).sum().div(pairs).mul(2.0);
        return margin.add(rankLoss);
    }
}

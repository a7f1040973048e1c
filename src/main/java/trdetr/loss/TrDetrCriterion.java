package trdetr.loss;

import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.model.TrDetrConfig;
import trdetr.model.TrDetrOutput;
import trdetr.tensor.Tensor;

/**
 * The training objective of official train.py (spec §4.7): the weighted SetCriterion terms plus VTC and CTC.
 * class_error terms are reported but not weighted.
 */
public final class TrDetrCriterion {
    private final SetCriterion criterion;
    private final Map<String, Double> weights = new LinkedHashMap<>();
    private final double vtcCoef, ctcCoef;

    public TrDetrCriterion(TrDetrConfig c) { this(c, true); }

    /** @param useMatcher false for TVSum: the saliency loss alone, plus VTC and CTC (spec §4.8) */
    public TrDetrCriterion(TrDetrConfig c, boolean useMatcher) {
        criterion = new SetCriterion(c, useMatcher);
        weights.put("loss_span", c.spanLossCoef());
        weights.put("loss_giou", c.giouLossCoef());
        weights.put("loss_label", c.labelLossCoef());
        weights.put("loss_saliency", c.lwSaliency());
        if (c.auxLoss()) {
            for (int i = 0; i < c.decLayers() - 1; i++) {
                weights.put("loss_span_" + i, c.spanLossCoef());
                weights.put("loss_giou_" + i, c.giouLossCoef());
                weights.put("loss_label_" + i, c.labelLossCoef());
            }
        }
        vtcCoef = c.vtcLossCoef();
        ctcCoef = c.ctcLossCoef();
    }

    /** Every term (criterion terms, "ctc", "vtc") and the weighted "total". */
    public record Result(Map<String, Tensor> terms, Tensor total) {}

    public Result compute(TrDetrOutput out, Targets targets, Tensor txtMask) {
        Map<String, Tensor> terms = new LinkedHashMap<>(criterion.losses(out, targets));
        Tensor total = null;
        for (Map.Entry<String, Tensor> e : terms.entrySet()) {
            Double w = weights.get(e.getKey());
            if (w == null) continue;
            Tensor t = e.getValue().mul(w);
            total = total == null ? t : total.add(t);
        }
        Tensor ctc = AlignmentLosses.ctc(out.srcVidEd(), out.srcTxtEd(), targets.posMask().to(out.srcVidEd().dtype()), out.videoMask(), txtMask);
        Tensor vtc = AlignmentLosses.vtc(out.srcTxtClsEd(), out.srcVidClsEd());
        terms.put("ctc", ctc);
        terms.put("vtc", vtc);
        total = total.add(vtc.mul(vtcCoef)).add(ctc.mul(ctcCoef));
        return new Result(terms, total);
    }
}

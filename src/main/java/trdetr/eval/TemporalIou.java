package trdetr.eval;

/**
 * The two temporal IoUs of the official evaluator, with its exact arithmetic (NumPy's maximum/minimum propagate NaN,
 * as Math.max/min do).
 */
public final class TemporalIou {
    private TemporalIou() {}

    /**
     * True IoU of one window against each of several (the AP's and the R1 ground-truth choice): intersection
     * clipped at 0 over (len1 + len2 − intersection), with no guard, so a zero-length window against a zero-length
     * window gives 0/0 = NaN, which the AP then treats as a match (NaN is never below a threshold).
     */
    public static double[] cross(double start, double end, double[] starts, double[] ends) {
        double area1 = end - start;
        double[] iou = new double[starts.length];
        for (int j = 0; j < starts.length; j++) {
            double area2 = ends[j] - starts[j];
            double left = Math.max(start, starts[j]);
            double right = Math.min(end, ends[j]);
            double inter = Math.max(right - left, 0);
            double union = area1 + area2 - inter;
            iou[j] = inter / union;
        }
        return iou;
    }

    /**
     * The R1 and NMS IoU: intersection over the hull (max end − min start), 0 when the hull is empty. Equals the
     * true IoU whenever the windows overlap.
     */
    public static double hull(double start1, double end1, double start2, double end2) {
        double inter = Math.max(0, Math.min(end1, end2) - Math.max(start1, start2));
        double union = Math.max(end1, end2) - Math.min(start1, start2);
        return union != 0 ? inter / union : 0;
    }
}

package trdetr.inference;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import trdetr.data.Annotation;
import trdetr.data.MomentDataset;
import trdetr.eval.GroundTruthEntry;
import trdetr.eval.Qid;
import trdetr.eval.StandaloneEvaluator;

/**
 * The ground truth a split's predictions are scored against: the lines of its annotation file, read the way the
 * evaluator reads them, restricted to the rows the dataset actually serves. The file may hold more — other TVSum
 * domains, rows past data_ratio, rows skipped for missing features — and the evaluator insists that predictions and
 * ground truth have the same qids.
 */
public final class SplitGroundTruth {
    private SplitGroundTruth() {}

    public static List<GroundTruthEntry> of(MomentDataset split) throws IOException {
        Set<Qid> served = new HashSet<>();
        for (Annotation a : split.annotations()) served.add(Qid.of(a.qidJson()));
        return StandaloneEvaluator.readGroundTruth(split.options().annotations()).stream().filter(g -> served.contains(g.qid())).toList();
    }
}

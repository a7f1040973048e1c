package trdetr.train;

import java.io.IOException;
import java.util.Map;
import trdetr.model.TrDetr;

/** What the trainer evaluates every few epochs: metrics by name, and the one that selects the best model. */
public interface Validation {
    /** Runs the model (in eval mode) on the validation split; the metrics map is logged as it is. */
    Map<String, Object> evaluate(TrDetr model, int epoch) throws IOException;

    /** The model-selection score of a metrics map (higher is better; the official run uses MR-full-mAP). */
    double score(Map<String, Object> metrics);
}

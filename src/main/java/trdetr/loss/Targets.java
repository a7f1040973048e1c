package trdetr.loss;

import java.util.List;
import trdetr.backend.Backend;
import trdetr.tensor.Tensor;

/**
 * Training targets of a batch (spec §5.3–5.4).
 *
 * @param spans     per sample, (n_b, 2) normalised (center, width) ground-truth windows
 * @param posLabels (B, K) INT64 positive clip indices for the margin loss; negLabels likewise
 * @param allLabels (B, Lv) float saliency_all_labels (summed annotator scores, 0 on padding)
 * @param posMask   (B, Lv) float CTC labels (1 at relevant clips)
 */
public record Targets(List<Tensor> spans, Tensor posLabels, Tensor negLabels, Tensor allLabels, Tensor posMask) {
    /** These targets with every tensor on backend. */
    public Targets to(Backend backend) {
        return new Targets(spans.stream().map(s -> s.to(backend)).toList(), posLabels.to(backend), negLabels.to(backend),
                allLabels.to(backend), posMask.to(backend));
    }
}

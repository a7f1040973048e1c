package trdetr.data;

import java.nio.file.Path;

/**
 * Which annotation format and label rules a dataset follows (spec §5, §4.8, §9). The official code knows only
 * {@code hl} (QVHighlights, with the pretraining variant chosen by the annotation path) and {@code tvsum};
 * Charades-STA follows Lighthouse's rules because the official code has no path for it.
 */
public enum DatasetKind {
    /** QVHighlights: windows, clip ids and 3-annotator saliency scores. Text features {@code qid{qid}.npz}. */
    QVHIGHLIGHTS,
    /**
     * QVHighlights pretraining on ASR subtitles ({@code subs_train.jsonl}): one window per row, no saliency scores;
     * binary saliency labels from the window; the CTC mask still from {@code relevant_clip_ids}.
     */
    QVHIGHLIGHTS_PRETRAIN,
    /** TVSum: a (clips × 20) annotator label matrix and a domain; no windows. Features {@code {vid}_rgb/_opt.npy}. */
    TVSUM,
    /** Charades-STA: windows only (float seconds); labels by Lighthouse's rules. */
    CHARADES;

    /**
     * The kind the official training script would use: {@code dset_name} {@code hl} (or Lighthouse's
     * {@code qvhighlight}) is pretraining when the annotation path contains {@code subs_train}, as
     * {@code start_end_dataset.py} decides.
     */
    public static DatasetKind fromName(String dsetName, Path annotations) {
        String n = dsetName.toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "hl", "qvhighlight", "qvhighlights" ->
                    annotations != null && annotations.toString().contains("subs_train") ? QVHIGHLIGHTS_PRETRAIN : QVHIGHLIGHTS;
            case "qvhighlight_pretrain" -> QVHIGHLIGHTS_PRETRAIN;
            case "tvsum" -> TVSUM;
            case "charades", "charades_sta", "charades-sta" -> CHARADES;
            default -> throw new IllegalArgumentException("unknown dataset name '" + dsetName + "' (hl, tvsum, charades)");
        };
    }

    /** The text feature file of a query: {@code qid{qid}.npz}, or {@code {qid}.npz} for TVSum. */
    public String textFileName(String qid) {
        return this == TVSUM ? qid + ".npz" : "qid" + qid + ".npz";
    }

    /** The npz key holding the token features. */
    public String textKey() { return this == TVSUM ? "token" : "last_hidden_state"; }
}

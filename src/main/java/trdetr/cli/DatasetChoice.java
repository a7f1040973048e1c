package trdetr.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import trdetr.data.AnnotationReader;
import trdetr.data.DatasetKind;

/**
 * {@code --dset-name} and {@code --dset-domain} (the official {@code dset_name} / {@code dset_domain}), shared by the
 * commands that read annotations. The pair is checked here, before any file is opened, so that a bad combination is
 * one line naming the option rather than a failure deep in the data or the evaluator.
 */
public final class DatasetChoice {
    @Option(names = "--dset-name", defaultValue = "hl", paramLabel = "hl|tvsum|charades",
            description = "Dataset format: hl (QVHighlights; its subs_train pretraining split is recognised by the path), "
                    + "tvsum or charades (Charades-STA). Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--dset-domain", paramLabel = "BK|BT|DS|FM|GA|MS|PK|PR|VT|VU",
            description = "TVSum only, required there: the category to train and evaluate on (the official runs train one model per domain).")
    String domain;

    /** The kind of an annotation file (the name decides, the path only tells QVHighlights pretraining apart). */
    public DatasetKind kind(Path annotations) {
        DatasetKind kind;
        try {
            kind = DatasetKind.fromName(name, annotations);
        } catch (IllegalArgumentException e) {
            throw new UserError("--dset-name: " + e.getMessage());
        }
        checkDomain(kind);
        return kind;
    }

    /** Whether neither option was given (QVHighlights). */
    boolean isDefault() { return "hl".equals(name) && domain == null; }

    /** The domain filter to apply: the given domain for TVSum, none otherwise. */
    String domain() { return domain; }

    private void checkDomain(DatasetKind kind) {
        String known = String.join(", ", AnnotationReader.TVSUM_DOMAINS);
        if (kind == DatasetKind.TVSUM) {
            if (domain == null) throw new UserError("--dset-domain is required with --dset-name tvsum (one of " + known + ")");
            if (!AnnotationReader.TVSUM_DOMAINS.contains(domain)) throw new UserError("--dset-domain: unknown TVSum domain '" + domain + "' (" + known + ")");
        } else if (domain != null) {
            throw new UserError("--dset-domain applies to --dset-name tvsum only, not " + name);
        }
    }
}

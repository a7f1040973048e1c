package trdetr.spark;

import java.io.Serializable;

/**
 * One row of a manifest as the executors receive it: its JSON text, where it stands among the manifest's rows (the
 * order {@code trdetr predict} batches them in) and its 1-based line (a Parquet manifest: row) for messages.
 */
public record ManifestRow(long position, int line, String json) implements Serializable {}

package trdetr.spark;

import java.io.Serializable;

/**
 * What the job made of one manifest row: its submission line ({@code json}, exactly as {@code trdetr predict} writes
 * it), or, with skipping asked for, why the row was skipped ({@code skipped}, the one-line error naming the file).
 */
public record PredictedRow(long position, String json, String skipped) implements Serializable {
    public boolean isSkipped() { return skipped != null; }
}

package trdetr.data;

import java.nio.file.Path;

/**
 * One row of an annotation jsonl file. Fields a format does not have (or a test split leaves out) are null.
 *
 * @param source            the file the row came from (for messages)
 * @param line              1-based line number in that file
 * @param qid               the query id as text ({@code 9769}, or TVSum's YouTube id)
 * @param numericQid        whether the file wrote qid as a JSON integer (QVHighlights, Charades) rather than a string
 *                          (TVSum): prediction files must write it back the same way
 * @param query             the natural-language query (TVSum: the video title)
 * @param duration          video length in seconds (TVSum: number of clips); Charades has fractions
 * @param vid               video id, the feature file stem
 * @param relevantWindows   [start, end] in seconds, in file order; null for test rows and TVSum
 * @param relevantClipIds   clip indices (clip_length-second clips) covered by the windows; null where absent
 * @param saliencyScores    one row of annotator scores (QVHighlights: 3 values 0..4) per relevant clip; null where absent
 * @param label             TVSum: (clips × 20) annotator scores 1..5; null otherwise
 * @param domain            TVSum category (BK, BT, ...); null otherwise
 */
public record Annotation(Path source, int line, String qid, boolean numericQid, String query, double duration, String vid,
                         double[][] relevantWindows, int[] relevantClipIds, int[][] saliencyScores, double[][] label,
                         String domain) {

    /** The qid as it goes into a JSON file: a Long when the annotation wrote a number, else the String. */
    public Object qidJson() { return numericQid ? Long.valueOf(qid) : qid; }

    /** "qid 9769 (vid j7rJstUseKg_360.0_510.0)", for messages. */
    public String describe() { return "qid " + qid + " (vid " + vid + ")"; }

    /** An error about this row: "FILE: line N: qid Q: problem". */
    public trdetr.io.FormatException error(String problem) {
        return new trdetr.io.FormatException(source, "line " + line + ": qid " + qid + ": " + problem);
    }

    /** "FILE line N, qid Q (vid V)", for messages about this row. */
    public String where() { return source + " line " + line + ", " + describe(); }
}

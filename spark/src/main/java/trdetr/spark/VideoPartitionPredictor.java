package trdetr.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;
import trdetr.cli.UserError;
import trdetr.eval.JsonlLine;
import trdetr.eval.JsonlReader;
import trdetr.inference.MomentRetriever;
import trdetr.io.FormatException;
import trdetr.tensor.Tensor;

/**
 * The executor's half of a job over video files: for each video of the partition, its CLIP features once (FFmpeg
 * and CLIP as {@code trdetr features} and {@code predict --video} compute them), then all its rows' queries through
 * {@link MomentRetriever} (windows over long videos, moments clipped to the video): each row's line is what
 * {@code predict --video VIDEO --query TEXT} gives for it.
 *
 * <p>A manifest row: {@code qid}, {@code query}, {@code video} (a path every executor can read) and, optionally,
 * {@code vid} (default: the file's name without its extension). A bad row or a video FFmpeg cannot read fails the
 * task with one line naming it, or, with skipping on, is skipped and reported.
 */
final class VideoPartitionPredictor implements FlatMapFunction<Iterator<Tuple2<String, Iterable<ManifestRow>>>, PredictedRow> {
    private final String manifest;
    private final Broadcast<byte[]> checkpoint;
    private final VideoSource source;
    private final PredictionSettings settings;

    VideoPartitionPredictor(String manifest, Broadcast<byte[]> checkpoint, VideoSource source, PredictionSettings settings) {
        this.manifest = manifest;
        this.checkpoint = checkpoint;
        this.source = source;
        this.settings = settings;
    }

    /** One row of a video manifest, parsed. */
    record VideoRow(long position, Object qid, String query, String vid, String video) {}

    /** The row's fields, or a one-line error naming the manifest line and the field. */
    static VideoRow parse(String manifest, ManifestRow r) {
        JsonlLine line = JsonlReader.parse(Path.of(manifest), r.line(), r.json());
        JsonNode n = line.node();
        JsonNode qid = n.get("qid"), query = n.get("query"), video = n.get("video"), vid = n.get("vid");
        if (qid == null || !(qid.isIntegralNumber() || qid.isTextual())) throw line.error("\"qid\" must be an integer or a string");
        if (query == null || !query.isTextual() || query.asText().isBlank()) throw line.error("\"query\" must be a non-empty string");
        if (video == null || !video.isTextual() || video.asText().isBlank()) throw line.error("\"video\" must name a video file");
        if (vid != null && !vid.isTextual()) throw line.error("\"vid\" must be a string");
        String file = video.asText();
        String name = Path.of(file).getFileName().toString();
        String v = vid != null ? vid.asText() : name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        return new VideoRow(r.position(), qid.isIntegralNumber() ? (Object) qid.longValue() : qid.asText(), query.asText(), v, file);
    }

    /** The video a row names, as the key that groups its rows (a row that does not parse is its own group, reported there). */
    static String videoOf(String manifest, ManifestRow r) {
        try {
            return parse(manifest, r).video();
        } catch (FormatException e) {
            return "\u0000bad row " + r.position();
        }
    }

    @Override public Iterator<PredictedRow> call(Iterator<Tuple2<String, Iterable<ManifestRow>>> videos) throws Exception {
        PartitionPredictor.useTaskThreads(settings.threads());
        List<PredictedRow> out = new ArrayList<>();
        if (!videos.hasNext()) return out.iterator();
        try (ExecutorModels.Lease<MomentRetriever> lease = ExecutorModels.borrowRetriever(checkpoint, settings.device(), source)) {
            while (videos.hasNext()) predictVideo(lease.model(), videos.next()._2(), out);
        }
        return out.iterator();
    }

    private void predictVideo(MomentRetriever retriever, Iterable<ManifestRow> group, List<PredictedRow> out) throws Exception {
        List<VideoRow> rows = new ArrayList<>();
        for (ManifestRow r : group) {
            try {
                rows.add(parse(manifest, r));
            } catch (FormatException e) {
                if (!settings.skipBad()) throw e;
                out.add(new PredictedRow(r.position(), null, e.getMessage()));
            }
        }
        if (rows.isEmpty()) return;
        rows.sort(java.util.Comparator.comparingLong(VideoRow::position));
        Path video = Path.of(rows.get(0).video());
        List<MomentRetriever.Result> results;
        try {
            Tensor features = retriever.encodeVideo(video);
            results = retriever.predict(features, rows.stream().map(VideoRow::query).toList());
        } catch (FormatException | UserError | java.io.IOException e) {
            // an I/O failure is the video's too: one line naming it, as FFmpeg's own errors are
            RuntimeException bad = e instanceof java.io.IOException io ? new FormatException(video, io.getMessage(), io) : (RuntimeException) e;
            if (!settings.skipBad()) throw bad;
            for (VideoRow r : rows) out.add(new PredictedRow(r.position(), null, bad.getMessage()));
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            VideoRow r = rows.get(i);
            out.add(new PredictedRow(r.position(), results.get(i).toSubmissionLine(r.qid(), r.vid()).toJson(), null));
        }
    }
}

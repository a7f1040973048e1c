package trdetr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import trdetr.backend.Backend;
import trdetr.eval.SubmissionLine;
import trdetr.eval.SubmissionWriter;
import trdetr.inference.MomentRetriever;
import trdetr.inference.QueryPicture;

/**
 * {@code trdetr predict --video FILE --query TEXT [--query ...] --clip DIR --checkpoint CKPT}: the top moments of each
 * sentence in a video file, printed, written as submission-style jsonl (one line per sentence) and, with
 * {@code --html-dir}, drawn (saliency curve and windows, one page per sentence). See {@link MomentRetriever}.
 */
final class VideoPrediction {
    private final PredictCommand c;

    VideoPrediction(PredictCommand c) { this.c = c; }

    int run(Backend backend) throws Exception {
        if (c.video == null) throw new UserError("--query and --clip go with --video FILE");
        if (c.queries.isEmpty()) throw new UserError("--video needs at least one --query TEXT");
        if (c.clip == null) throw new UserError("--video needs --clip DIR, the CLIP folder the model's features were made with");
        if (!Files.isRegularFile(c.video)) throw new UserError("--video " + c.video + ": no such file");
        if (c.evalPath != null || c.data.hasFeatures()) throw new UserError("--video predicts on a video file: --eval-path and feature folders do not apply");
        String vid = FeaturesCommand.vid(c.video);
        List<MomentRetriever.Result> results;
        trdetr.video.Ffmpeg ff;
        try (MomentRetriever r = MomentRetriever.open(c.checkpoint, c.clip, c.ffmpeg, backend)) {
            ff = r.extractor().ffmpeg();
            var features = r.encodeVideo(c.video);
            System.out.printf("%s: %d clips of %s s encoded%n", c.video, features.size(0), trim(r.model().config().clipLength()));
            results = r.predict(features, c.queries);
        }
        List<SubmissionLine> lines = new ArrayList<>();
        for (int q = 0; q < results.size(); q++) {
            MomentRetriever.Result res = results.get(q);
            lines.add(res.toSubmissionLine(q, vid));
            System.out.println("query " + (q + 1) + ": " + res.query());
            System.out.println("  rank   start s     end s   score");
            for (int i = 0; i < Math.min(5, res.moments().size()); i++) {
                MomentRetriever.Moment m = res.moments().get(i);
                System.out.printf(Locale.ROOT, "  %4d  %8s  %8s  %.4f%n", i + 1, trim(m.start()), trim(m.end()), m.score());
            }
        }
        Path out = c.out != null ? c.out : Path.of(vid + "_moments.jsonl");
        SubmissionWriter.write(out, lines);
        System.out.println(lines.size() + " predictions written to " + out);
        if (c.htmlDir != null) {
            Files.createDirectories(c.htmlDir);
            for (int q = 0; q < lines.size(); q++) {
                String html = QueryPicture.html(lines.get(q), null, results.get(q).clipLength(), 10);
                QueryPicture.write(c.htmlDir.resolve(vid + "_query" + (q + 1) + ".html"), html.replace("</body>", keyFrames(ff, results.get(q)) + "</body>"));
            }
            System.out.printf("%d pictures written to %s%n", lines.size(), c.htmlDir);
        }
        return 0;
    }

    /** The first frame of each of the top three moments, as inline PNGs with their times. */
    private String keyFrames(trdetr.video.Ffmpeg ff, MomentRetriever.Result res) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("<h4>key frames (start of the top moments)</h4><div style='display:flex;gap:12px'>");
        for (int i = 0; i < Math.min(3, res.moments().size()); i++) {
            MomentRetriever.Moment m = res.moments().get(i);
            byte[] png = trdetr.video.VideoFrames.stillPng(ff, c.video, m.start(), 240);
            sb.append("<figure style='margin:0'><img src='data:image/png;base64,").append(java.util.Base64.getEncoder().encodeToString(png))
              .append("' width='240'><figcaption>").append(i + 1).append(": ").append(trim(m.start())).append("–").append(trim(m.end()))
              .append(" s</figcaption></figure>");
        }
        return sb.append("</div>").toString();
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}

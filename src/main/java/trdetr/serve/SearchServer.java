package trdetr.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import trdetr.inference.MomentRetriever;
import trdetr.io.FormatException;

/**
 * {@code trdetr serve}'s HTTP server: a web page to add videos and search them, and its JSON API.
 *
 * <table>
 *   <caption>API</caption>
 *   <tr><td>{@code GET /}</td><td>the page</td></tr>
 *   <tr><td>{@code GET /api/videos}</td><td>{@code {"videos": [{id, name, clips, seconds}, ...]}}</td></tr>
 *   <tr><td>{@code POST /api/videos?name=FILE}</td><td>the video's bytes as the body; 201 with the entry (200 and
 *       {@code "cached": true} when the same bytes were added before); 415 when it is not a video, 413 over the
 *       upload limit</td></tr>
 *   <tr><td>{@code GET /api/videos/{id}/file}</td><td>the video, with range requests (the player seeks)</td></tr>
 *   <tr><td>{@code DELETE /api/videos/{id}}</td><td>204: the video, its features and its entry removed</td></tr>
 *   <tr><td>{@code POST /api/search}</td><td>{@code {"query": TEXT, "video": ID}}: that video's moments and saliency;
 *       {@code {"query": TEXT}}: the best moments across the library ({@code "top"}: how many, 1 to 100, default 10)</td></tr>
 * </table>
 *
 * Bad requests get a 4xx and {@code {"error": "one line"}}. Javalin (Jetty underneath) serves requests on its thread
 * pool; the models run one request at a time (a lock), the library is safe for concurrent adds and reads.
 */
public final class SearchServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_QUERY = 1000;

    private final VideoLibrary library;
    private final MomentRetriever retriever;
    private final Object modelLock;
    private final Javalin app;
    private final long maxUploadBytes;

    /** @param modelLock held while the models run (the library's encoder must hold it too) */
    public SearchServer(VideoLibrary library, MomentRetriever retriever, Object modelLock) {
        this(library, retriever, modelLock, 4L << 30);
    }

    /** @param maxUploadBytes uploads longer than this are refused (413) */
    public SearchServer(VideoLibrary library, MomentRetriever retriever, Object modelLock, long maxUploadBytes) {
        this.maxUploadBytes = maxUploadBytes;
        this.library = library;
        this.retriever = retriever;
        this.modelLock = modelLock;
        this.app = Javalin.create(c -> c.showJavalinBanner = false);
        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page()));
        app.get("/api/videos", ctx -> json(ctx, 200, videos()));
        app.post("/api/videos", this::addVideo);
        app.get("/api/videos/{id}/file", this::videoFile);
        app.delete("/api/videos/{id}", ctx -> {
            if (!library.remove(ctx.pathParam("id"))) throw new ApiError(404, "no video " + ctx.pathParam("id"));
            ctx.status(204);
        });
        app.post("/api/search", this::search);
        app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        // An unknown route: JSON too (an ApiError's 404 has set its own JSON body already).
        app.error(404, ctx -> { if (!"application/json".equals(ctx.res().getContentType())) error(ctx, 404, "no such page: " + ctx.path()); });
    }

    /** Starts listening; returns the port (a free one when {@code port} is 0). */
    public int start(String host, int port) {
        app.start(host, port);
        return app.port();
    }

    @Override public void close() {
        app.stop();
    }

    /** A request the server refuses: its status and one-line reason. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private ObjectNode videos() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("videos");
        for (VideoLibrary.Entry e : library.entries()) list.add(entry(e));
        return out;
    }

    private static ObjectNode entry(VideoLibrary.Entry e) {
        return JSON.valueToTree(e);                   // {id, name, clips, seconds}, as library.json holds it
    }

    private void addVideo(Context ctx) throws IOException {
        String name = ctx.queryParam("name");
        if (name == null || name.isBlank()) throw new ApiError(400, "give the file name: POST /api/videos?name=FILE with the video as the body");
        VideoLibrary.Added added;
        try (InputStream body = ctx.bodyInputStream()) {
            added = library.add(name, body, maxUploadBytes);
        } catch (FormatException e) {
            throw new ApiError(415, e.getMessage());
        } catch (VideoLibrary.TooLarge e) {
            throw new ApiError(413, e.getMessage());
        }
        ObjectNode n = entry(added.entry());
        n.put("cached", added.cached());
        json(ctx, added.cached() ? 200 : 201, n);
    }

    private void videoFile(Context ctx) throws IOException {
        Path file = library.videoFile(ctx.pathParam("id"));
        if (file == null || !Files.exists(file)) throw new ApiError(404, "no video " + ctx.pathParam("id"));
        ctx.header("Accept-Ranges", "bytes");
        ctx.writeSeekableStream(Files.newInputStream(file), contentType(file), Files.size(file));
    }

    private void search(Context ctx) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "the request body is not JSON (" + FormatException.jsonReason(e) + ")");
        }
        if (body == null || !body.isObject()) throw new ApiError(400, "the request body must be a JSON object: {\"query\": TEXT, \"video\": ID}");
        JsonNode q = body.get("query");
        if (q == null || !q.isTextual() || q.asText().isBlank()) throw new ApiError(400, "\"query\" must be a non-empty string");
        String query = q.asText().strip();
        if (query.length() > MAX_QUERY) throw new ApiError(400, "\"query\" is longer than " + MAX_QUERY + " characters");
        JsonNode v = body.get("video");
        if (v != null && !v.isNull()) {
            if (!v.isTextual()) throw new ApiError(400, "\"video\" must be a video id (a string)");
            VideoLibrary.Entry e = library.entry(v.asText());
            if (e == null) throw new ApiError(404, "no video " + v.asText());
            MomentRetriever.Result r = predict(e, query);
            ObjectNode out = JSON.createObjectNode();
            out.put("query", query);
            out.set("video", entry(e));
            out.put("clip_length", r.clipLength());
            ArrayNode moments = out.putArray("moments");
            for (MomentRetriever.Moment m : r.moments()) moments.addObject().put("start", m.start()).put("end", m.end()).put("score", m.score());
            ArrayNode sal = out.putArray("saliency");
            for (double s : r.saliency()) sal.add(s);
            json(ctx, 200, out);
            return;
        }
        int top = 10;
        JsonNode t = body.get("top");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || t.asInt() < 1 || t.asInt() > 100) throw new ApiError(400, "\"top\" must be an integer from 1 to 100");
            top = t.asInt();
        }
        record Hit(VideoLibrary.Entry video, MomentRetriever.Moment moment) {}
        List<Hit> hits = new ArrayList<>();
        for (VideoLibrary.Entry e : library.entries()) {
            for (MomentRetriever.Moment m : predict(e, query).moments()) hits.add(new Hit(e, m));
        }
        hits.sort(Comparator.comparingDouble((Hit h) -> -h.moment().score()));       // stable: library order on ties
        ObjectNode out = JSON.createObjectNode();
        out.put("query", query);
        ArrayNode moments = out.putArray("moments");
        for (Hit h : hits.subList(0, Math.min(top, hits.size()))) {
            moments.addObject().put("video", h.video().id()).put("name", h.video().name())
                    .put("start", h.moment().start()).put("end", h.moment().end()).put("score", h.moment().score());
        }
        json(ctx, 200, out);
    }

    private MomentRetriever.Result predict(VideoLibrary.Entry e, String query) throws IOException {
        var features = library.features(e.id());
        synchronized (modelLock) {
            return retriever.predict(features, List.of(query)).get(0);
        }
    }

    private static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    }

    private static void error(Context ctx, int status, String message) {
        String line = message == null ? "error" : message.replaceAll("[\\r\\n]+", " ");
        ctx.status(status).contentType("application/json").result(JSON.createObjectNode().put("error", line).toString());
    }

    private static String contentType(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".webm")) return "video/webm";
        if (n.endsWith(".mkv")) return "video/x-matroska";
        if (n.endsWith(".mov")) return "video/quicktime";
        if (n.endsWith(".ogv")) return "video/ogg";
        return "video/mp4";
    }

    private static String page() throws IOException {
        try (InputStream in = SearchServer.class.getResourceAsStream("index.html")) {
            if (in == null) throw new IOException("the page (trdetr/serve/index.html) is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

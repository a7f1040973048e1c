package trdetr.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.video.Ffmpeg;
import trdetr.video.VideoFixtures;

/** {@code trdetr serve}'s JSON API over real HTTP: adding videos, searching, the cache, bad requests, concurrency. */
class SearchServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir Path tmp;

    private HttpResponse<String> post(ServeFixture s, String path, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(s.url(path))).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(ServeFixture s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(s.url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> search(ServeFixture s, String json) throws Exception {
        return post(s, "/api/search", HttpRequest.BodyPublishers.ofString(json));
    }

    private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).doesNotContain("\n");
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo(message);
    }

    @Test
    void addSearchAndRestart() throws Exception {
        Ffmpeg ffmpeg = VideoFixtures.ffmpeg();
        String id;
        try (ServeFixture s = new ServeFixture(tmp, ffmpeg)) {
            HttpResponse<String> added = post(s, "/api/videos?name=walk.mp4", HttpRequest.BodyPublishers.ofFile(VideoFixtures.DIR.resolve("walk.mp4")));
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            JsonNode v = JSON.readTree(added.body());
            id = v.get("id").asText();
            assertThat(id).hasSize(64);
            assertThat(v.get("clips").asInt()).isEqualTo(7);
            assertThat(v.get("cached").asBoolean()).isFalse();
            HttpResponse<String> again = post(s, "/api/videos?name=copy.mp4", HttpRequest.BodyPublishers.ofFile(VideoFixtures.DIR.resolve("walk.mp4")));
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(again.body()).get("cached").asBoolean()).isTrue();
            assertThat(s.encoded.get()).isEqualTo(1);
            post(s, "/api/videos?name=bars.mkv", HttpRequest.BodyPublishers.ofFile(VideoFixtures.DIR.resolve("bars.mkv")));
            assertThat(JSON.readTree(get(s, "/api/videos").body()).get("videos")).hasSize(2);

            // one video: its moments (as MomentRetriever gives them) and saliency per clip
            HttpResponse<String> one = search(s, "{\"query\": \"a man walks his dog\", \"video\": \"" + id + "\"}");
            assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
            JsonNode r = JSON.readTree(one.body());
            assertThat(r.get("saliency")).hasSize(7);
            var expected = s.retriever.predict(s.lib.features(id), List.of("a man walks his dog")).get(0);
            assertThat(r.get("moments")).hasSize(expected.moments().size());
            assertThat(r.get("moments").get(0).get("score").asDouble()).isEqualTo(expected.moments().get(0).score());
            assertThat(r.get("moments").get(0).get("start").asDouble()).isEqualTo(expected.moments().get(0).start());

            // the library: the best moments of both videos, by score
            JsonNode all = JSON.readTree(search(s, "{\"query\": \"a man walks his dog\", \"top\": 15}").body());
            int total = 0;
            for (VideoLibrary.Entry e : s.lib.entries()) total += s.retriever.predict(s.lib.features(e.id()), List.of("a man walks his dog")).get(0).moments().size();
            assertThat(all.get("moments")).hasSize(Math.min(15, total));
            double last = Double.POSITIVE_INFINITY;
            for (JsonNode m : all.get("moments")) {
                assertThat(m.get("score").asDouble()).isLessThanOrEqualTo(last);
                last = m.get("score").asDouble();
            }
            assertThat(all.get("moments").findValuesAsText("name")).contains("walk.mp4", "bars.mkv");

            // the player gets the file in ranges
            HttpResponse<String> range = http.send(HttpRequest.newBuilder(URI.create(s.url("/api/videos/" + id + "/file"))).header("Range", "bytes=0-99").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(range.statusCode()).isEqualTo(206);
        }
        // a restart: the library is read back and nothing is encoded again
        try (ServeFixture s2 = new ServeFixture(tmp.resolve("second"), ffmpeg)) {
            VideoLibrary reopened = new VideoLibrary(tmp.resolve("library"), ffmpeg, v -> { throw new AssertionError("encoded again: " + v); }, 2);
            assertThat(reopened.entries()).extracting(VideoLibrary.Entry::id).contains(id);
            assertThat(reopened.add(VideoFixtures.DIR.resolve("walk.mp4")).cached()).isTrue();
            assertThat(reopened.features(id).shape()).containsExactly(7, 32);
        }
    }

    @Test
    void badRequestsAre4xxWithOneLineJson() throws Exception {
        Ffmpeg ffmpeg = VideoFixtures.ffmpeg();
        try (ServeFixture s = new ServeFixture(tmp, ffmpeg)) {
            List<Path> before = files(s.library);
            assertError(post(s, "/api/videos?name=notes.mp4", HttpRequest.BodyPublishers.ofString("not a video")), 415, "notes.mp4: not a video FFmpeg can read");
            assertError(post(s, "/api/videos?name=empty.mp4", HttpRequest.BodyPublishers.noBody()), 415, "empty.mp4: empty upload");
            assertError(post(s, "/api/videos", HttpRequest.BodyPublishers.ofString("x")), 400, "give the file name: POST /api/videos?name=FILE with the video as the body");
            assertThat(files(s.library)).as("a refused upload leaves the library as it was").isEqualTo(before);
            assertError(search(s, "{\"query\": \"  \"}"), 400, "\"query\" must be a non-empty string");
            assertError(search(s, "{\"video\": \"x\"}"), 400, "\"query\" must be a non-empty string");
            assertError(search(s, "[1, 2]"), 400, "the request body must be a JSON object: {\"query\": TEXT, \"video\": ID}");
            assertThat(JSON.readTree(search(s, "{\"query\": ").body()).get("error").asText()).startsWith("the request body is not JSON (");
            assertError(search(s, "{\"query\": \"a\", \"video\": \"nope\"}"), 404, "no video nope");
            assertError(search(s, "{\"query\": \"a\", \"video\": 3}"), 400, "\"video\" must be a video id (a string)");
            assertError(search(s, "{\"query\": \"a\", \"top\": 0}"), 400, "\"top\" must be an integer from 1 to 100");
            assertError(search(s, "{\"query\": \"" + "a".repeat(1001) + "\"}"), 400, "\"query\" is longer than 1000 characters");
            assertError(get(s, "/api/videos/nope/file"), 404, "no video nope");
            assertError(get(s, "/nowhere"), 404, "no such page: /nowhere");
            assertError(http.send(HttpRequest.newBuilder(URI.create(s.url("/api/videos/nope"))).DELETE().build(), HttpResponse.BodyHandlers.ofString()),
                    404, "no video nope");
        }
    }

    @Test
    void largeUploadsAreRefusedAndVideosCanBeRemoved() throws Exception {
        Ffmpeg ffmpeg = VideoFixtures.ffmpeg();
        try (ServeFixture s = new ServeFixture(tmp, ffmpeg)) {
            SearchServer small = new SearchServer(s.lib, s.retriever, s.lock, 50_000);     // walk.mp4 is 166 KB
            int port = small.start("127.0.0.1", 0);
            try {
                List<Path> before = files(s.library);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/videos?name=walk.mp4"))
                        .POST(HttpRequest.BodyPublishers.ofFile(VideoFixtures.DIR.resolve("walk.mp4"))).build(), HttpResponse.BodyHandlers.ofString());
                assertError(r, 413, "walk.mp4: larger than the upload limit of 0 MiB");
                assertThat(files(s.library)).isEqualTo(before);
            } finally {
                small.close();
            }
            String id = JSON.readTree(post(s, "/api/videos?name=walk.mp4", HttpRequest.BodyPublishers.ofFile(VideoFixtures.DIR.resolve("walk.mp4"))).body())
                    .get("id").asText();
            HttpResponse<String> del = http.send(HttpRequest.newBuilder(URI.create(s.url("/api/videos/" + id))).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(del.statusCode()).isEqualTo(204);
            assertThat(JSON.readTree(get(s, "/api/videos").body()).get("videos")).isEmpty();
            assertThat(s.library.resolve("videos")).isEmptyDirectory();
            assertThat(s.library.resolve("features")).isEmptyDirectory();
            assertError(search(s, "{\"query\": \"a\", \"video\": \"" + id + "\"}"), 404, "no video " + id);
        }
    }

    @Test
    void concurrentSearchesGiveTheSequentialAnswers() throws Exception {
        Ffmpeg ffmpeg = VideoFixtures.ffmpeg();
        try (ServeFixture s = new ServeFixture(tmp, ffmpeg)) {
            String id = s.lib.add(VideoFixtures.DIR.resolve("walk.mp4")).entry().id();
            s.lib.add(VideoFixtures.DIR.resolve("portrait.webm"));
            String[] queries = {"a man walks his dog", "kids play football", "a crowded street market", "someone opens the fridge"};
            List<String> sequential = new ArrayList<>();
            for (String q : queries) sequential.add(search(s, "{\"query\": \"" + q + "\", \"video\": \"" + id + "\"}").body());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> futures = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    String q = queries[i % queries.length];
                    futures.add(pool.submit(() -> search(s, "{\"query\": \"" + q + "\", \"video\": \"" + id + "\"}").body()));
                    if (i % 6 == 0) futures.add(pool.submit(() -> search(s, "{\"query\": \"" + q + "\"}").body()));
                }
                int k = 0;
                for (int i = 0; i < 24; i++) {
                    assertThat(futures.get(k++).get()).isEqualTo(sequential.get(i % queries.length));
                    if (i % 6 == 0) assertThat(JSON.readTree(futures.get(k++).get()).get("moments")).isNotEmpty();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }
}

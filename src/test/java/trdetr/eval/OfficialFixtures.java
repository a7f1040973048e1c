package trdetr.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find their inputs: the shared official fixtures (optional) and src/test/resources/eval. */
final class OfficialFixtures {
    private OfficialFixtures() {}

    /** ../shared/fixtures/official, or a skip (with the reason) where it is absent. */
    static Path shared(String relative) {
        Path root = Path.of("..", "shared", "fixtures", "official");
        assumeTrue(Files.isDirectory(root), "../shared/fixtures/official is absent (see ../shared/fixtures/README.md)");
        Path p = root.resolve(relative);
        assumeTrue(Files.exists(p), p + " is absent");
        return p;
    }

    /**
     * A clone of the official repository (for its released checkpoint outputs): $TRDETR_OFFICIAL_REPO or
     * /tmp/official-ro; a skip where neither exists.
     */
    static Path officialRepo(String relative) {
        String env = System.getenv("TRDETR_OFFICIAL_REPO");
        Path root = Path.of(env != null ? env : "/tmp/official-ro");
        Path p = root.resolve(relative);
        assumeTrue(Files.exists(p), p + " is absent (set TRDETR_OFFICIAL_REPO to a clone of mingyao1120/TR-DETR)");
        return p;
    }

    /** A file of src/test/resources/eval. */
    static Path resource(String name) {
        try {
            return Path.of(OfficialFixtures.class.getResource("/eval/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource eval/" + name + " not found", e);
        }
    }

    /** A JSON file of src/test/resources/eval, parsed as the evaluator parses JSON (NaN and Infinity allowed). */
    static JsonNode json(String name) throws IOException {
        return JsonlReader.MAPPER.readTree(Files.readString(resource(name)));
    }
}

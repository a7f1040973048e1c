package trdetr.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.DurableFiles;

/**
 * metrics.jsonl in the results directory: one JSON object per line, appended and forced to disk as it happens, so a killed
 * run keeps every finished line. A resumed run drops lines from epochs it is about to redo.
 */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) { this.file = file; }

    public Path file() { return file; }

    public synchronized void append(Map<String, Object> record) throws IOException {
        DurableFiles.append(file, JSON.writeValueAsString(record) + "\n");
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> read() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(JSON.readValue(line, LinkedHashMap.class));
        }
        return out;
    }

    /** Keeps only records of epochs before firstEpochToRedo (rewritten atomically). */
    public void truncateFrom(int firstEpochToRedo) throws IOException {
        if (!Files.exists(file)) return;
        StringBuilder kept = new StringBuilder();
        for (Map<String, Object> r : read()) {
            Object e = r.get("epoch");
            if (e instanceof Number n && n.intValue() >= firstEpochToRedo) continue;
            kept.append(JSON.writeValueAsString(r)).append('\n');
        }
        DurableFiles.writeString(file, kept.toString());
    }
}

package trdetr.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;
import trdetr.pyexact.PythonJson;

/**
 * "One query against the whole library": for each query (qid), its K best moments over every video it was paired
 * with in the manifest, ranked by score. Each partition keeps only its K best per query and the partial lists are
 * merged pairwise (Spark's reduceByKey, which combines within a partition before the shuffle), so no more than K moments per query and partition travel, and only the
 * K per query reach the driver. Ties in score go to the earlier manifest row, then to the better-ranked window, so the
 * answer does not depend on partitioning or retries.
 */
public final class LibraryTopK {
    private LibraryTopK() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A moment of one video: its manifest position and rank in that row's windows break ties. */
    public record Hit(long position, int rank, String vid, double start, double end, double score) implements Serializable {}

    /** A query's best moments over the library, best first. */
    public record QueryMoments(Object qid, String query, List<Hit> moments) implements Serializable {
        /** One jsonl line: {"qid", "query", "moments": [{"vid", "start", "end", "score"}, ...]}, floats as Python prints them. */
        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("qid", qid);
            m.put("query", query);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Hit h : moments) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("vid", h.vid());
                o.put("start", h.start());
                o.put("end", h.end());
                o.put("score", h.score());
                list.add(o);
            }
            m.put("moments", list);
            return PythonJson.dumps(m);
        }
    }

    static final Comparator<Hit> BEST_FIRST = Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingLong(Hit::position)
            .thenComparingInt(Hit::rank);

    /** The K best of what it has seen. */
    static final class Best implements Serializable {
        final Object qid;
        final String query;
        final long firstPosition;
        final ArrayList<Hit> hits = new ArrayList<>();

        Best(Object qid, String query, long firstPosition) {
            this.qid = qid;
            this.query = query;
            this.firstPosition = firstPosition;
        }

        Best add(List<Hit> more, int k) {
            hits.addAll(more);
            hits.sort(BEST_FIRST);
            if (hits.size() > k) hits.subList(k, hits.size()).clear();
            return this;
        }

        static Best merge(Best a, Best b, int k) {
            Best first = a.firstPosition <= b.firstPosition ? a : b;
            return new Best(first.qid, first.query, first.firstPosition).add(a.hits, k).add(b.hits, k);
        }
    }

    /** Each query's K best moments, queries in the order of their first manifest row. */
    static List<QueryMoments> topK(JavaRDD<PredictedRow> predicted, int k) {
        if (k <= 0) throw new IllegalArgumentException("--top-k must be positive, got " + k);
        List<Tuple2<String, Best>> best = predicted.filter(r -> !r.isSkipped()).mapToPair(r -> {
            JsonNode line = JSON.readTree(r.json());
            JsonNode qid = line.get("qid");
            List<Hit> hits = new ArrayList<>();
            JsonNode windows = line.get("pred_relevant_windows");
            for (int i = 0; i < windows.size(); i++) {
                JsonNode w = windows.get(i);
                hits.add(new Hit(r.position(), i, line.get("vid").asText(), w.get(0).asDouble(), w.get(1).asDouble(), w.get(2).asDouble()));
            }
            Best b = new Best(qid.isIntegralNumber() ? (Object) qid.asLong() : qid.asText(), line.get("query").asText(), r.position()).add(hits, k);
            return new Tuple2<>(qid.toString(), b);
        }).reduceByKey((a, b) -> Best.merge(a, b, k)).collect();
        return best.stream().map(Tuple2::_2).sorted(Comparator.comparingLong(b -> b.firstPosition))
                .map(b -> new QueryMoments(b.qid, b.query, List.copyOf(b.hits))).toList();
    }
}

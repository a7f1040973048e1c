package trdetr.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import trdetr.data.Annotation;
import trdetr.data.AnnotationReader;
import trdetr.data.AnnotationRules;
import trdetr.data.DatasetKind;
import trdetr.io.FormatException;

/**
 * A manifest: one query-video pair per row, the fields of an official annotation jsonl ({@code qid}, {@code query},
 * {@code vid}, {@code duration}, labels optional). A jsonl file (the official annotation file is one), or Parquet
 * (a file or folder ending in {@code .parquet}) with the same columns.
 *
 * <p>Rows are numbered in file order, blank lines left out, as {@code trdetr predict} reads them. Why the RDD text
 * reader for jsonl: it gives a file's splits in file order, where the DataFrame reader packs splits by size.
 */
final class Manifest {
    private Manifest() {}

    static boolean isParquet(String manifest) {
        return manifest.endsWith(".parquet") || manifest.endsWith(".parquet/");
    }

    /** Every row keyed by its position among the rows. */
    static JavaPairRDD<Long, ManifestRow> rows(SparkSession spark, String manifest) {
        JavaRDD<String> lines = isParquet(manifest) ? spark.read().parquet(manifest).toJSON().javaRDD()
                : JavaSparkContext.fromSparkContext(spark.sparkContext()).textFile(manifest);
        JavaPairRDD<String, Long> numbered = lines.zipWithIndex().filter(t -> !t._1().isBlank());
        return numbered.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), new ManifestRow(t._2(), (int) (t._1()._2() + 1), t._1()._1())));
    }

    /**
     * Parses every row on the executors (a malformed row fails here, named by its line, unless skipping) and stops
     * with the first qid that two rows share, as {@code trdetr predict} does: a submission has one line per qid.
     */
    static void requireUniqueQids(JavaPairRDD<Long, ManifestRow> rows, Path source, DatasetKind kind, boolean skipBad) {
        String file = source.toString();                 // a Path does not serialize
        requireUniqueQids(rows, source, skipBad, r -> AnnotationReader.parse(Path.of(file), r.line(), r.json(), kind, false).qid());
    }

    /** The same with the rows' qids as {@code qidOf} reads them (throwing FormatException for a bad row). */
    static void requireUniqueQids(JavaPairRDD<Long, ManifestRow> rows, Path source, boolean skipBad,
                                  org.apache.spark.api.java.function.Function<ManifestRow, String> qidOf) {
        List<Tuple2<String, Iterable<Integer>>> repeated = rows.values().flatMapToPair(r -> {
            List<Tuple2<String, Integer>> out = new ArrayList<>(1);
            try {
                out.add(new Tuple2<>(qidOf.call(r), r.line()));
            } catch (FormatException e) {
                if (!skipBad) throw e;                  // skipped and reported by the prediction
            }
            return out.iterator();
        }).groupByKey().filter(t -> count(t._2()) > 1).take(1);
        if (repeated.isEmpty()) return;
        List<Integer> at = new ArrayList<>();
        repeated.get(0)._2().forEach(at::add);
        at.sort(null);
        throw new FormatException(source, "line " + at.get(1) + ": " + AnnotationRules.repeatedQid(repeated.get(0)._1(), "line " + at.get(0)));
    }

    private static int count(Iterable<Integer> lines) {
        int n = 0;
        for (Integer ignored : lines) n++;
        return n;
    }
}

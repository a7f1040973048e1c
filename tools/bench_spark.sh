#!/usr/bin/env bash
# Queries per second of `trdetr predict` and of the Spark job (trdetr-spark) at local[1] and local[2] on the same data:
# the validation split of a demo dataset with VAL queries, a model of the official size (2 training steps: the weights
# do not change the work). Each command is timed whole, JVM start to exit (Spark's start-up included), RUNS times;
# the median is reported. Both write the submission and score it.
#
#   tools/bench_spark.sh [RUNS [VAL]]        # defaults: 3 runs, 600 queries; work files in $BENCH_SPARK_DIR
#
# Needs the jars: mvn -B -q install -DskipTests && mvn -B -q -f spark/pom.xml package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
VAL=${2:-600}
WORK=${BENCH_SPARK_DIR:-/tmp/trdetr-bench-spark}
mkdir -p "$WORK"
JAR=target/trdetr.jar
SPARK_JAR=spark/target/trdetr-spark.jar
for f in "$JAR" "$SPARK_JAR"; do [ -f "$f" ] || { echo "missing $f (build it first, see the header)" >&2; exit 2; }; done

# Spark itself (the provided dependency): what spark-submit would put on the class path.
mvn -B -q -f spark/pom.xml dependency:build-classpath -Dmdep.includeScope=provided -Dmdep.outputFile="$WORK/spark.classpath" >/dev/null
# The flags of spark/pom.xml's surefire argLine (Spark's own Java 17 list and the Vector API module).
FLAGS=$(sed -n '/<spark.jvm.flags>/,/<\/spark.jvm.flags>/p' spark/pom.xml | sed 's/<[^>]*>//g' | tr -s ' \n' ' ')
# The collector and heap sizing `java -jar target/trdetr.jar` relaunches itself with (trdetr.cli.Main.collectorOptions):
# the comparison is of the work.
FLAGS="$FLAGS -XX:+UseParallelGC -XX:NewSize=384m -XX:MaxNewSize=384m -XX:-UseAdaptiveSizePolicy -Xms1024m"

DATA="$WORK/demo-$VAL"
[ -f "$DATA/DEMO_COMPLETE.json" ] || java -cp "$JAR" trdetr.data.DemoDataset "$DATA" 2024 1200 "$VAL" >/dev/null
CKPT="$WORK/results/demo/best.ckpt"
[ -f "$CKPT" ] || java -jar "$JAR" train --demo-dir "$WORK/demo-train" --results-root "$WORK/results" --max-steps 2 --n-epoch 1 \
    --no-progress >/dev/null
FEATS=(--t-feat-dir "$DATA/text_features" --v-feat-dirs "$DATA/video_features")

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
time_runs() {   # label, command...
  local label=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$WORK/last.out" 2>"$WORK/last.err" || { echo "$label failed:" >&2; tail -5 "$WORK/last.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  local m
  m=$(printf '%s\n' "${times[@]}" | median)
  printf '%s\t%.2f\t%.1f\t%s\n' "$label" "$m" "$(echo "$VAL / $m" | bc -l)" "$(printf '%.2f ' "${times[@]}")"
}

spark() {   # master, extra options...
  local master=$1; shift
  # shellcheck disable=SC2086
  java $FLAGS -cp "$SPARK_JAR:$(cat "$WORK/spark.classpath")" trdetr.spark.SparkPredictMain --master "$master" \
      --checkpoint "$CKPT" --manifest "$DATA/val.jsonl" "${FEATS[@]}" --gt "$DATA/val.jsonl" --out "$WORK/spark_${master//[^a-z0-9]/_}.jsonl" "$@"
}

echo "# $(date -u +%F) $(nproc) cores, $(java -version 2>&1 | head -1); $VAL queries, $RUNS runs each"
printf 'command\tmedian s\tqueries/s\truns (s)\n'
time_runs "predict" java -jar "$JAR" predict --checkpoint "$CKPT" --eval-path "$DATA/val.jsonl" "${FEATS[@]}" --out "$WORK/predict.jsonl"
# local[1] gives its task one core (spark.task.cpus): its fair reference is predict on one thread.
time_runs "predict --threads 1" java -jar "$JAR" predict --threads 1 --checkpoint "$CKPT" --eval-path "$DATA/val.jsonl" "${FEATS[@]}" \
    --out "$WORK/predict_1.jsonl"
time_runs "spark local[1]" spark 'local[1]'
time_runs "spark local[2]" spark 'local[2]'

cmp -s "$WORK/predict.jsonl" "$WORK/spark_local_2_.jsonl" && echo "submissions: identical (predict, spark local[2])" \
    || echo "submissions: DIFFERENT (predict, spark local[2])"

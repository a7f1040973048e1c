#!/usr/bin/env bash
# Builds bundle/ (git-ignored) for running the GPU checks on a Linux x86-64 machine that has an NVIDIA driver
# but no Java: a jlinked runtime (jre.tar.xz, --strip-debug, xz), the runnable jar (JCuda's driver binding only;
# the 24 MB PTX compiler and the CUDA runtime binding are left out of it), the test classes and the test-only jars.
#
#   tools/gpu_bundle.sh                  # build bundle/
#   bundle/run.sh gradcheck --device cuda   # on the GPU machine, from the repository root: any trdetr command
#   bundle/run.sh junit --select-package trdetr.backend.cuda   # JUnit console launcher over the test classes
#   bundle/run.sh jmh -p device=cuda -rf json -rff jmh-result.json   # the JMH suite (bench/README.md)
#   OFFICIAL_REPO=/path/to/TR-DETR tools/gpu_bundle.sh         # also bundle the official code (not committed:
#                                                              # bundle/ is git-ignored) for tools/bench_pytorch.py
#   CLIP_REPO=/path/to/openai-clip tools/gpu_bundle.sh         # also OpenAI's clip/model.py for tools/bench_clip_torch.py
set -euo pipefail
cd "$(dirname "$0")/.."
CONSOLE=org.junit.platform:junit-platform-console-standalone:1.10.2
MODULES=java.base,java.desktop,java.management,java.sql,java.logging,jdk.unsupported,jdk.zipfs,jdk.incubator.vector

mvn -q -B package -DskipTests
mvn -q -B -f bench/pom.xml package     # the JMH suite (bundle/benchmarks.jar finds trdetr.jar beside it)
mvn -q -B test-compile
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
mvn -q -B dependency:copy -Dartifact=$CONSOLE -DoutputDirectory=target/console

rm -rf bundle target/jre
mkdir -p bundle/lib
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --output target/jre
tar -C target -cf - jre | xz -9e -T2 > bundle/jre.tar.xz   # xz packs an uncompressed image far better
cp target/trdetr.jar bench/target/benchmarks.jar bundle/
cp target/console/*.jar bundle/lib/
# Test-only jars (the main ones are inside trdetr.jar already).
tr ':' '\n' < target/test-classpath.txt | grep -E '/(ejml|assertj|byte-buddy|opentest4j|apiguardian)' | xargs -I{} cp {} bundle/lib/
cp -r target/test-classes bundle/test-classes
# For the PyTorch side of the CLIP speed check (tools/bench_clip_torch.py --device cuda): OpenAI's clip/model.py, when
# a clone is given (CLIP_REPO=/path/to/openai-clip; not committed, it travels in the ignored bundle/ only).
if [[ -n "${CLIP_REPO:-}" ]]; then
  mkdir -p bundle/openai-clip/clip
  cp "$CLIP_REPO/clip/model.py" bundle/openai-clip/clip/
fi
# For the PyTorch side of the GPU race (tools/bench_pytorch.py --device cuda): the official code, when given.
if [[ -n "${OFFICIAL_REPO:-}" ]]; then
  mkdir -p bundle/official
  cp -r "$OFFICIAL_REPO/tr_detr" "$OFFICIAL_REPO/utils" "$OFFICIAL_REPO/standalone_eval" bundle/official/
  find bundle/official -depth -name '__pycache__' -exec rm -rf {} +
fi

cat > bundle/run.sh <<'RUN'
#!/usr/bin/env bash
# Runs a trdetr command (or `junit ARGS`, or `jmh ARGS`: the JMH suite) with the bundled runtime; call it from the
# repository root.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -x /tmp/trdetr-jre/bin/java ] || { mkdir -p /tmp/trdetr-jre && tar -C /tmp/trdetr-jre --strip-components=1 -xJf "$here/jre.tar.xz"; }
java=(/tmp/trdetr-jre/bin/java --add-modules jdk.incubator.vector -Xss4m ${TRDETR_JAVA_OPTS:-})
if [[ "${1:-}" == junit ]]; then
  shift
  cp="$here/test-classes:$here/trdetr.jar"
  for j in "$here"/lib/*.jar; do [[ $j == *console-standalone* ]] || cp="$cp:$j"; done
  exec "${java[@]}" -jar "$here"/lib/junit-platform-console-standalone-*.jar -cp "$cp" --disable-banner "$@"
fi
# JMH's forks run the same java with the options of the benchmarks' @Fork (the Vector API module included).
[[ "${1:-}" == jmh ]] && { shift; exec "${java[@]}" -jar "$here/benchmarks.jar" "$@"; }
export TRDETR_NO_RELAUNCH=1
exec "${java[@]}" -jar "$here/trdetr.jar" "$@"
RUN
chmod +x bundle/run.sh
du -sh bundle bundle/* | sort -h

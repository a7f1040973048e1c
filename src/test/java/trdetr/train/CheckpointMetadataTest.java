package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static trdetr.train.BadCheckpoints.REMOVE;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import trdetr.io.FormatException;

/**
 * Our checkpoint's metadata, hand-edited or corrupted: every value of the wrong type or out of range is refused in
 * one line naming the file and the key, before any tensor is read or any model sized from it (formerly an
 * ArithmeticException, NegativeArraySizeException, NullPointerException, ClassCastException or OutOfMemoryError).
 */
class CheckpointMetadataTest {
    @TempDir static Path tmp;
    private static Path valid;

    @BeforeAll
    static void writeValid() throws Exception {
        valid = BadCheckpoints.valid(tmp.resolve("valid.ckpt"));
        Checkpoint.load(valid); // classes loaded and JIT warm before allocations are counted
    }

    /** {metadata path, JSON value put there, the message after "FILE: "}. */
    static Stream<Arguments> cases() {
        return Stream.of(
                bad("model_options/nheads", "0", "model option 'nheads' is 0; it must be between 1 and 256"),
                bad("model_options/nheads", "-1", "model option 'nheads' is -1; it must be between 1 and 256"),
                bad("model_options/nheads", "3", "model option 'nheads' is 3; hidden_dim 256 must be divisible by it"),
                bad("model_options", REMOVE, "checkpoint field 'model_options' is missing"),
                bad("model_options", "[256, 8]", "checkpoint field 'model_options' is a list; it must be an object"),
                bad("model_options", "\"hidden_dim=256\"", "checkpoint field 'model_options' is 'hidden_dim=256'; it must be an object"),
                bad("model_options", "null", "checkpoint field 'model_options' is null; it must be an object"),
                bad("model_options/num_queries", "1000000000", "model option 'num_queries' is 1000000000; it must be between 1 and 10000"),
                bad("model_options/enc_layers", "1000000", "model option 'enc_layers' is 1000000; it must be between 1 and 64"),
                bad("model_options/dec_layers", "0", "model option 'dec_layers' is 0; it must be between 1 and 64"),
                bad("model_options/hidden_dim", "1000000000000", "model option 'hidden_dim' is 1000000000000, beyond the int range"),
                bad("model_options/hidden_dim", "512", "model option 'hidden_dim' is 512; it must be 256 (the decoder's sine embedding hard-codes 128 per coordinate)"),
                bad("model_options/v_feat_dim", "1" + "0".repeat(30), "model option 'v_feat_dim' is 1" + "0".repeat(30) + ", beyond the int range"),
                bad("model_options/t_feat_dim", "-4", "model option 't_feat_dim' is -4; it must be between 1 and 1048576"),
                bad("model_options/dim_feedforward", "2.5", "model option 'dim_feedforward' is 2.5; it must be a whole number"),
                bad("model_options/num_queries", "true", "model option 'num_queries' is true; it must be a whole number"),
                bad("model_options/num_queries", "\"10\"", "model option 'num_queries' is '10'; it must be a whole number"),
                bad("model_options/num_queries", "null", "model option 'num_queries' is null; it must be a whole number"),
                bad("model_options/dropout", "1.5", "model option 'dropout' is 1.5; it must be between 0 and 1"),
                bad("model_options/span_loss_coef", "-10", "model option 'span_loss_coef' is -10; it must be at least 0"),
                bad("model_options/aux_loss", "1", "model option 'aux_loss' is 1; it must be true or false"),
                bad("model_options/fixes", "[\"t2v-mask\", \"nope\"]", "model option 'fixes' is a list; unknown fix 'nope' (known: t2v-mask, mr2hd-slice)"),
                bad("format", "2", "checkpoint field 'format' is 2; it must be 1"),
                bad("epochs_done", "\"3\"", "checkpoint field 'epochs_done' is '3'; it must be a whole number"),
                bad("epochs_done", "-1", "checkpoint field 'epochs_done' is -1; it must be at least 0"),
                bad("epochs_done", REMOVE, "checkpoint field 'epochs_done' is missing"),
                bad("epochs_done", "4294967296", "checkpoint field 'epochs_done' is 4294967296, beyond the int range"),
                bad("early_stop_count", "false", "checkpoint field 'early_stop_count' is false; it must be a whole number"),
                bad("best_metric", "\"high\"", "checkpoint field 'best_metric' is 'high'; it must be a number"),
                bad("best_metric", "null", "checkpoint field 'best_metric' is null; it must be a number"),
                bad("adamw_steps", "[5]", "checkpoint field 'adamw_steps' is a list; it must be an object"),
                bad("adamw_steps/query_embed.weight", "-5", "checkpoint field adamw_steps 'query_embed.weight' is -5; it must be at least 0"),
                bad("adamw_steps/query_embed.weight", "1e30", "checkpoint field adamw_steps 'query_embed.weight' is 1.0E30, beyond the long range"),
                bad("run_options", "7", "checkpoint field 'run_options' is 7; it must be an object"),
                bad("run_options/dropout_counter", "0.5", "checkpoint field run_options 'dropout_counter' is 0.5; it must be a whole number"),
                bad("", "null", "the 'trdetr' metadata is null, not a JSON object"));
    }

    private static Arguments bad(String path, String json, String message) { return Arguments.of(path, json, message); }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("cases")
    void refusedInOneLineBeforeAnythingIsAllocated(String path, String json, String message) throws Exception {
        Path file = BadCheckpoints.edited(valid, tmp.resolve("bad.ckpt"), path, json);
        long before = allocatedBytes();
        assertThatThrownBy(() -> Checkpoint.load(file)).isExactlyInstanceOf(FormatException.class).hasMessage(file + ": " + message);
        // The checkpoint's tensors alone are megabytes, a model sized from the bad value gigabytes: refusing from the
        // header allocates neither.
        assertThat(allocatedBytes() - before).as("bytes allocated").isLessThan(1 << 20);
        assertThatThrownBy(() -> Checkpoint.loadModel(file, null)).isExactlyInstanceOf(FormatException.class).hasMessage(file + ": " + message);
    }

    @Test
    void validMetadataReadsAsWrittenAndWholeFloatsCountAsWholeNumbers() throws Exception {
        Checkpoint.Loaded l = Checkpoint.load(valid);
        assertThat(l.config().numQueries()).isEqualTo(2);
        assertThat(l.progress()).isEqualTo(new Checkpoint.Progress(3, 0.25, 1, java.util.Map.of(Checkpoint.DROPOUT_COUNTER, 7)));
        assertThat(l.adamwSteps()).containsExactly(java.util.Map.entry("query_embed.weight", 5L));
        // Python writes a float-typed option as 2.0: that is the whole number 2, as it always was.
        Path file = BadCheckpoints.edited(valid, tmp.resolve("float.ckpt"), "model_options/num_queries", "2.0");
        assertThat(Checkpoint.load(file).config()).isEqualTo(l.config());
        // Jackson writes a best metric of −∞ (no evaluation yet) as a string; it reads back.
        file = BadCheckpoints.edited(valid, tmp.resolve("inf.ckpt"), "best_metric", "\"-Infinity\"");
        assertThat(Checkpoint.load(file).progress().bestMetric()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void metadataThatIsNotAnObjectIsRefusedInOneLine() throws Exception {
        Path file = BadCheckpoints.edited(valid, tmp.resolve("list.ckpt"), "", "[1]");
        assertThatThrownBy(() -> Checkpoint.load(file)).isExactlyInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": the 'trdetr' metadata is not a JSON object: ").message().doesNotContain("\n");
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}

package trdetr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import trdetr.io.FormatException;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The model options of an official torch checkpoint (its pickled `opt`: ints as Long or BigInteger, floats as
 * Double, None as null) and of an opt.json, read through the same checks as our own checkpoint's.
 */
class TrDetrConfigTest {
    private static final Path CKPT = Path.of("results", "model_best.ckpt");
    /** The released run's input projections: 2818 video columns, 512 text, two layers each. */
    private static final Map<String, Tensor> WEIGHTS = Map.of(
            "input_vid_proj.0.LayerNorm.weight", Tensor.zeros(DType.FLOAT32, 2818), "input_vid_proj.1.LayerNorm.weight", Tensor.zeros(DType.FLOAT32, 256),
            "input_txt_proj.0.LayerNorm.weight", Tensor.zeros(DType.FLOAT32, 512), "input_txt_proj.1.LayerNorm.weight", Tensor.zeros(DType.FLOAT32, 256));

    /** {key, value in the opt, the message after "FILE: "}. */
    static Stream<Arguments> cases() {
        return Stream.of(
                bad("nheads", 0L, "model option 'nheads' is 0; it must be between 1 and 256"),
                bad("nheads", 3L, "model option 'nheads' is 3; hidden_dim 256 must be divisible by it"),
                bad("hidden_dim", 1_000_000_000_000L, "model option 'hidden_dim' is 1000000000000, beyond the int range"),
                bad("num_queries", BigInteger.TEN.pow(30), "model option 'num_queries' is 1" + "0".repeat(30) + ", beyond the int range"),
                bad("enc_layers", 1_000_000L, "model option 'enc_layers' is 1000000; it must be between 1 and 64"),
                bad("dim_feedforward", 2.5, "model option 'dim_feedforward' is 2.5; it must be a whole number"),
                bad("dec_layers", true, "model option 'dec_layers' is true; it must be a whole number"),
                bad("max_q_l", null, "model option 'max_q_l' is null; it must be a whole number"),
                bad("input_dropout", Double.NaN, "model option 'input_dropout' is NaN; it must be a finite number"),
                bad("use_txt_pos", "False", "model option 'use_txt_pos' is 'False'; it must be true or false"),
                // Audio: a_feat_dim beyond the projection's in-features would leave a negative video width.
                bad("a_feat_dim", 5000L, "model option 'a_feat_dim' is 5000; it must be between 0 and 2818"));
    }

    private static Arguments bad(String key, Object value, String message) { return Arguments.of(key, value, message); }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("cases")
    void officialCheckpointOptRefusedInOneLine(String key, Object value, String message) {
        Map<String, Object> opt = releasedOpt();
        opt.put("a_feat_dir", "audio"); // so that a_feat_dim is read at all
        opt.put("a_feat_dim", 0L);
        opt.put(key, value);
        assertThatThrownBy(() -> TrDetrConfig.fromCheckpoint(opt, WEIGHTS, CKPT)).isExactlyInstanceOf(FormatException.class)
                .hasMessage(CKPT + ": " + message);
    }

    @Test
    void officialOptStillReadsAsBefore() {
        assertThat(TrDetrConfig.fromCheckpoint(releasedOpt(), WEIGHTS, CKPT)).isEqualTo(TrDetrConfig.released());
        Map<String, Object> opt = releasedOpt();
        opt.put("v_feat_dim", 2816L);
        assertThat(TrDetrConfig.fromOfficialOpt(opt, CKPT)).isEqualTo(TrDetrConfig.released());
    }

    @Test
    void officialOptVideoWidthIsCheckedBeforeTheTefColumnsAreAdded() {
        Map<String, Object> opt = releasedOpt();
        opt.put("v_feat_dim", (long) Integer.MAX_VALUE); // + 2 TEF would wrap to a negative width
        assertThatThrownBy(() -> TrDetrConfig.fromOfficialOpt(opt, CKPT)).isExactlyInstanceOf(FormatException.class)
                .hasMessage(CKPT + ": model option 'v_feat_dim' is 2147483647; it must be between 0 and 1048574");
    }

    /** The released run's opt as the unpickler gives it (spec §1.1), model options only. */
    private static Map<String, Object> releasedOpt() {
        Map<String, Object> o = new HashMap<>(Map.of("hidden_dim", 256L, "nheads", 8L, "enc_layers", 2L, "dec_layers", 2L,
                "dim_feedforward", 1024L, "num_queries", 10L, "n_input_proj", 2L, "clip_length", 2L, "max_v_l", 75L, "max_q_l", 32L));
        o.putAll(Map.of("dropout", 0.1, "input_dropout", 0.5, "aux_loss", true, "use_txt_pos", false, "VTC_loss_coef", 0.3,
                "CTC_loss_coef", 0.5, "ctx_mode", "video_tef", "t_feat_dim", 512L));
        o.put("a_feat_dim", null);
        o.put("a_feat_dir", null);
        return o;
    }
}

package trdetr.verify;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import trdetr.io.FormatException;

/** A reference file's meta.config goes through the same checks as any model options, the file named. */
class ReferenceConfigTest {
    private static final Path FILE = Path.of("src/test/reference", "bad_reference.npz");

    private static Reference withConfig(Map<String, Object> config) {
        return new Reference(FILE, config, Map.of(), Map.of(), null, null, List.of(), Map.of());
    }

    @Test
    void badOptionIsRefusedInOneLine() {
        Map<String, Object> config = new HashMap<>(Map.of("nheads", 0, "v_feat_dim", 50));
        assertThatThrownBy(() -> Verifier.configOf(withConfig(config))).isExactlyInstanceOf(FormatException.class)
                .hasMessage(FILE + ": model option 'nheads' is 0; it must be between 1 and 256");
    }

    @Test
    void audioWidthIsCheckedBeforeItIsSubtracted() {
        // meta.config's v_feat_dim counts the audio columns; a wrapped or negative difference must not reach the model.
        Map<String, Object> config = new HashMap<>(Map.of("a_feat_dim", 18, "v_feat_dim", 5_000_000_000L));
        assertThatThrownBy(() -> Verifier.configOf(withConfig(config))).isExactlyInstanceOf(FormatException.class)
                .hasMessage(FILE + ": model option 'v_feat_dim' is 5000000000, beyond the int range");
        config.put("v_feat_dim", 10);
        assertThatThrownBy(() -> Verifier.configOf(withConfig(config))).isExactlyInstanceOf(FormatException.class)
                .hasMessage(FILE + ": model option 'v_feat_dim' is 10; it must be between 18 and 1048594");
    }
}

package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import trdetr.io.FormatException;

/**
 * config.json as the hub's CLIP folders hold it (src/test/resources/clip/configs, written after the documented
 * transformers defaults and the three OpenAI models' published shapes): ViT-B/32 and B/16 list only what differs
 * from the defaults, L/14 is the older form with text_config_dict / vision_config_dict.
 */
class ClipConfigTest {
    private static final Path CONFIGS = ClipReference.DIR.resolve("configs");

    @Test
    void vitB32TakesTheDefaultsItLeavesOut() throws Exception {
        ClipConfig c = ClipConfig.read(CONFIGS.resolve("vit-b-32.json"));
        assertThat(c.text()).isEqualTo(new ClipConfig.Text(49408, 512, 2048, 12, 8, 77, 1e-5, 2));
        assertThat(c.vision()).isEqualTo(new ClipConfig.Vision(768, 3072, 12, 12, 3, 224, 32, 1e-5));
        assertThat(c.projectionDim()).isEqualTo(512);
        assertThat(c.vision().positions()).isEqualTo(50);
        assertThat(c.text().poolsAtArgmax()).as("eos_token_id 2: OpenAI's argmax pooling").isTrue();
    }

    @Test
    void vitB16DiffersInThePatchOnly() throws Exception {
        ClipConfig c = ClipConfig.read(CONFIGS.resolve("vit-b-16.json"));
        assertThat(c.vision()).isEqualTo(new ClipConfig.Vision(768, 3072, 12, 12, 3, 224, 16, 1e-5));
        assertThat(c.vision().positions()).isEqualTo(197);
        assertThat(c.text()).isEqualTo(ClipConfig.read(CONFIGS.resolve("vit-b-32.json")).text());
    }

    @Test
    void vitL14ReadsTheLegacyDicts() throws Exception {
        ClipConfig c = ClipConfig.read(CONFIGS.resolve("vit-l-14.json"));
        // text_config_dict wins, and the defaults fill what it leaves out (eos_token_id 49407), as in transformers
        assertThat(c.text()).isEqualTo(new ClipConfig.Text(49408, 768, 3072, 12, 12, 77, 1e-5, 49407));
        assertThat(c.vision()).isEqualTo(new ClipConfig.Vision(1024, 4096, 24, 16, 3, 224, 14, 1e-5));
        assertThat(c.projectionDim()).isEqualTo(768);
        assertThat(c.vision().positions()).isEqualTo(257);
        assertThat(c.text().poolsAtArgmax()).isFalse();
    }

    @Test
    void anEmptyObjectIsVitB32WithTheCurrentEndOfTextId() {
        ClipConfig c = ClipConfig.parse("{}", null);
        assertThat(c.text().eosTokenId()).isEqualTo(49407);
        assertThat(c.vision().patchSize()).isEqualTo(32);
    }

    @Test
    void badFieldsAreOneLineNamingTheFieldAndFile() {
        Path f = Path.of("clip/config.json");
        assertThatThrownBy(() -> ClipConfig.parse("{\"text_config\": {\"hidden_size\": 512.5}}", f))
                .isInstanceOf(FormatException.class)
                .hasMessage("clip/config.json: text_config.hidden_size must be an integer, got 512.5");
        assertThatThrownBy(() -> ClipConfig.parse("{\"vision_config\": {\"num_attention_heads\": 5}}", f))
                .hasMessage("clip/config.json: vision_config.hidden_size 768 is not a multiple of vision_config.num_attention_heads 5");
        assertThatThrownBy(() -> ClipConfig.parse("{\"vision_config\": {\"image_size\": 200}}", f))
                .hasMessage("clip/config.json: vision_config.image_size 200 is not a multiple of vision_config.patch_size 32");
        assertThatThrownBy(() -> ClipConfig.parse("{\"text_config\": {\"hidden_act\": \"gelu\"}}", f))
                .hasMessage("clip/config.json: text_config.hidden_act 'gelu' is not supported (only quick_gelu, OpenAI CLIP's activation)");
        assertThatThrownBy(() -> ClipConfig.parse("{\"model_type\": \"siglip\"}", f))
                .hasMessage("clip/config.json: model_type 'siglip' is not a CLIP model (expected 'clip')");
        assertThatThrownBy(() -> ClipConfig.parse("{\"projection_dim\": 0}", f))
                .hasMessage("clip/config.json: projection_dim must be a positive integer, got 0");
        assertThatThrownBy(() -> ClipConfig.parse("[1]", f)).hasMessage("clip/config.json: not a JSON object");
        assertThatThrownBy(() -> ClipConfig.parse("{\"text_config\": 3}", f)).hasMessage("clip/config.json: text_config is not an object");
        assertThatThrownBy(() -> ClipConfig.parse("{", f)).isInstanceOf(FormatException.class).hasMessageStartingWith("clip/config.json: malformed JSON: ");
    }
}

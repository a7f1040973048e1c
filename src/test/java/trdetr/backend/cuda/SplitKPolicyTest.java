package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The split-K choice of the pipelined TF32 kernels (no GPU needed). */
class SplitKPolicyTest {
    private static final int SMS = 132;

    private static int splits(int m, int n, int k, int batch, int tile) {
        long tiles = (long) batch * ((m + tile - 1) / tile) * ((n + tile - 1) / tile);
        return SplitKPolicy.splits(tiles, (k + 31) / 32, SMS, tile, tile, 32, (long) batch * m * n, batch);
    }

    /** 2400×256, K = 2818: 38 tiles of 128×128; 3 splits fill 114 of 132 SMs, 4 would spill into a second wave. */
    @Test void fewTilesWithALongKAreSplitWithinOneWave() {
        int s = splits(2400, 256, 2818, 1, 128);
        assertThat(s).isEqualTo(3);
        assertThat(38L * s).isLessThanOrEqualTo(SMS);
    }

    @Test void enoughTilesOrAShortKAreNotSplit() {
        assertThat(splits(2400, 2818, 256, 1, 128)).isEqualTo(1);     // 437 tiles
        assertThat(splits(2400, 1024, 256, 1, 128)).isEqualTo(1);     // 152 tiles, 8 K steps
        assertThat(splits(75, 75, 32, 256, 64)).isEqualTo(1);         // one K step
    }

    @Test void limitsHold() {
        for (int k : new int[] {1, 31, 33, 100, 1000, 2818, 100_000}) {
            int steps = (k + 31) / 32, s = splits(16, 16, k, 1, 128);
            assertThat(s).isBetween(1, Math.min(SplitKPolicy.MAX_SPLITS, steps));
            assertThat(SplitKPolicy.normalised(steps, s)).as("no empty split").isEqualTo(s);
        }
        // The workspace stays under 2^31 floats and batch·splits within the grid's z limit.
        assertThat(SplitKPolicy.splits(1, 1000, SMS, 128, 128, 32, 1L << 30, 1)).isLessThanOrEqualTo(2);
        assertThat(SplitKPolicy.splits(1, 1000, SMS, 128, 128, 32, 1000, 60_000)).isEqualTo(1);
    }

    @Test void stepsPerSplitCoverK() {
        assertThat(SplitKPolicy.stepsPerSplit(89, 3)).isEqualTo(30);
        assertThat(SplitKPolicy.normalised(10, 4)).isEqualTo(4);   // 3 + 3 + 3 + 1
        assertThat(SplitKPolicy.normalised(9, 4)).isEqualTo(3);    // 3 + 3 + 3: a fourth would be empty
    }
}

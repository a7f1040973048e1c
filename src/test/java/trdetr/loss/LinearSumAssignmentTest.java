package trdetr.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import trdetr.tensor.Generator;

class LinearSumAssignmentTest {
    /** The optimum by trying every injective map of the shorter side into the longer one. */
    private static double bruteForce(double[][] c) {
        int nr = c.length, nc = c[0].length;
        if (nr <= nc) return best(c, 0, new boolean[nc], false);
        return best(c, 0, new boolean[nr], true);
    }

    private static double best(double[][] c, int k, boolean[] used, boolean byColumn) {
        int n = byColumn ? c[0].length : c.length;
        if (k == n) return 0;
        double best = Double.POSITIVE_INFINITY;
        for (int j = 0; j < used.length; j++) {
            if (used[j]) continue;
            used[j] = true;
            best = Math.min(best, (byColumn ? c[j][k] : c[k][j]) + best(c, k + 1, used, byColumn));
            used[j] = false;
        }
        return best;
    }

    private static void checkValid(int[][] a, int nr, int nc) {
        assertThat(a[0]).hasSize(Math.min(nr, nc));
        for (int k = 1; k < a[0].length; k++) assertThat(a[0][k]).isGreaterThan(a[0][k - 1]); // rows ascending, distinct
        assertThat(java.util.Arrays.stream(a[1]).distinct().count()).isEqualTo(a[1].length);
        for (int k = 0; k < a[0].length; k++) {
            assertThat(a[0][k]).isBetween(0, nr - 1);
            assertThat(a[1][k]).isBetween(0, nc - 1);
        }
    }

    @Test
    void randomRectangularMatricesReachTheOptimum() {
        Generator g = new Generator(9);
        for (int trial = 0; trial < 300; trial++) {
            int nr = 1 + g.nextInt(7), nc = 1 + g.nextInt(7);
            double[][] c = new double[nr][nc];
            for (double[] row : c) for (int j = 0; j < nc; j++) row[j] = g.nextGaussian() * 10;
            int[][] a = LinearSumAssignment.solve(c);
            checkValid(a, nr, nc);
            assertThat(LinearSumAssignment.cost(c, a)).isCloseTo(bruteForce(c), org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void tiedMatricesReachTheOptimum() {
        Generator g = new Generator(10);
        for (int trial = 0; trial < 300; trial++) {
            int nr = 1 + g.nextInt(7), nc = 1 + g.nextInt(7);
            double[][] c = new double[nr][nc];
            for (double[] row : c) for (int j = 0; j < nc; j++) row[j] = g.nextInt(3); // many equal costs
            int[][] a = LinearSumAssignment.solve(c);
            checkValid(a, nr, nc);
            assertThat(LinearSumAssignment.cost(c, a)).isEqualTo(bruteForce(c));
        }
        int[][] allEqual = LinearSumAssignment.solve(new double[][] {{1, 1}, {1, 1}, {1, 1}});
        checkValid(allEqual, 3, 2);
    }

    /** 400 matrices (half with integer costs 0..2, so full of ties) and scipy's answers: same assignment, not just same cost. */
    @Test
    void sameAssignmentsAsScipyTiesIncluded() throws Exception {
        com.fasterxml.jackson.databind.JsonNode cases;
        try (var in = getClass().getResourceAsStream("/loss/lsa_scipy.json")) {
            cases = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        int n = 0;
        for (var c : cases) {
            var rows = c.get("cost");
            double[][] cost = new double[rows.size()][];
            for (int i = 0; i < cost.length; i++) {
                cost[i] = new double[rows.get(i).size()];
                for (int j = 0; j < cost[i].length; j++) cost[i][j] = rows.get(i).get(j).asDouble();
            }
            int[][] a = LinearSumAssignment.solve(cost);
            int[] er = new int[c.get("rows").size()], ec = new int[er.length];
            for (int k = 0; k < er.length; k++) { er[k] = c.get("rows").get(k).asInt(); ec[k] = c.get("cols").get(k).asInt(); }
            assertThat(a[0]).as("case %d rows", n).containsExactly(er);
            assertThat(a[1]).as("case %d cols", n).containsExactly(ec);
            n++;
        }
        assertThat(n).isEqualTo(400);
    }

    @Test
    void theDetrShapeTenQueriesFewTargets() {
        double[][] c = {{5, 1}, {2, 9}, {0.5, 0.4}, {7, 7}};
        int[][] a = LinearSumAssignment.solve(c);
        assertThat(a[0]).containsExactly(0, 2);     // query 0 → target 1 (1), query 2 → target 0 (0.5): 1.5
        assertThat(a[1]).containsExactly(1, 0);
        assertThat(LinearSumAssignment.solve(new double[0][0])[0]).isEmpty();
        assertThatThrownBy(() -> LinearSumAssignment.solve(new double[][] {{Double.NaN}})).hasMessageContaining("NaN");
    }
}

package trdetr.loss;

import java.util.Arrays;

/**
 * Minimum-cost assignment on a rectangular cost matrix, as scipy.optimize.linear_sum_assignment: every row (or every
 * column, whichever are fewer) is matched to a distinct partner so that the total cost is minimal. The method is the
 * shortest augmenting path algorithm (Jonker–Volgenant with Crouse's rectangular extension), which is also what scipy
 * runs, in the same visiting order, so ties between equally cheap assignments resolve the same way in most cases.
 */
public final class LinearSumAssignment {
    private LinearSumAssignment() {}

    /** @return {rowIndices, colIndices}, rows ascending, of length min(rows, cols) */
    public static int[][] solve(double[][] cost) {
        int nr = cost.length, nc = nr == 0 ? 0 : cost[0].length;
        if (nr == 0 || nc == 0) return new int[][] {new int[0], new int[0]};
        for (double[] row : cost) {
            if (row.length != nc) throw new IllegalArgumentException("linear_sum_assignment: ragged cost matrix");
            for (double v : row) if (Double.isNaN(v) || v == Double.NEGATIVE_INFINITY) throw new IllegalArgumentException("linear_sum_assignment: cost matrix contains NaN or -inf");
        }
        boolean transpose = nc < nr;
        double[][] c = cost;
        if (transpose) { // solve with the shorter side as rows
            c = new double[nc][nr];
            for (int i = 0; i < nr; i++) for (int j = 0; j < nc; j++) c[j][i] = cost[i][j];
            int t = nr; nr = nc; nc = t;
        }
        int[] col4row = solveWide(c, nr, nc);
        if (!transpose) {
            int[] rows = new int[nr];
            for (int i = 0; i < nr; i++) rows[i] = i;
            return new int[][] {rows, col4row};
        }
        // col4row maps each original column to its original row; report by ascending row.
        Integer[] order = new Integer[nr];
        for (int i = 0; i < nr; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(col4row[a], col4row[b]));
        int[] rows = new int[nr], cols = new int[nr];
        for (int k = 0; k < nr; k++) { rows[k] = col4row[order[k]]; cols[k] = order[k]; }
        return new int[][] {rows, cols};
    }

    /** nr ≤ nc: returns the column assigned to each row. */
    private static int[] solveWide(double[][] cost, int nr, int nc) {
        double[] u = new double[nr], v = new double[nc], shortest = new double[nc];
        int[] path = new int[nc], col4row = new int[nr], row4col = new int[nc], remaining = new int[nc];
        boolean[] sr = new boolean[nr], sc = new boolean[nc];
        Arrays.fill(path, -1);
        Arrays.fill(col4row, -1);
        Arrays.fill(row4col, -1);
        for (int cur = 0; cur < nr; cur++) {
            // Dijkstra-like search for the cheapest augmenting path from row `cur` to a free column.
            double minVal = 0;
            int i = cur, sink = -1, numRemaining = nc;
            for (int it = 0; it < nc; it++) remaining[it] = nc - it - 1;
            Arrays.fill(sr, false);
            Arrays.fill(sc, false);
            Arrays.fill(shortest, Double.POSITIVE_INFINITY);
            while (sink == -1) {
                int index = -1;
                double lowest = Double.POSITIVE_INFINITY;
                sr[i] = true;
                for (int it = 0; it < numRemaining; it++) {
                    int j = remaining[it];
                    double r = minVal + cost[i][j] - u[i] - v[j];
                    if (r < shortest[j]) {
                        path[j] = i;
                        shortest[j] = r;
                    }
                    if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1)) {
                        lowest = shortest[j];
                        index = it;
                    }
                }
                minVal = lowest;
                if (minVal == Double.POSITIVE_INFINITY) throw new IllegalArgumentException("linear_sum_assignment: cost matrix is infeasible");
                int j = remaining[index];
                if (row4col[j] == -1) sink = j;
                else i = row4col[j];
                sc[j] = true;
                remaining[index] = remaining[--numRemaining];
            }
            // Update the dual variables.
            u[cur] += minVal;
            for (int r = 0; r < nr; r++) if (sr[r] && r != cur) u[r] += minVal - shortest[col4row[r]];
            for (int j = 0; j < nc; j++) if (sc[j]) v[j] -= minVal - shortest[j];
            // Augment along the path.
            int j = sink;
            while (true) {
                int r = path[j];
                row4col[j] = r;
                int tmp = col4row[r];
                col4row[r] = j;
                j = tmp;
                if (r == cur) break;
            }
        }
        return col4row;
    }

    /** The total cost of an assignment. */
    public static double cost(double[][] cost, int[][] assignment) {
        double s = 0;
        for (int k = 0; k < assignment[0].length; k++) s += cost[assignment[0][k]][assignment[1][k]];
        return s;
    }
}

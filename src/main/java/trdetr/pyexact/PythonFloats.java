package trdetr.pyexact;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's float text conversions, so that files we write are byte-identical to the official ones and numbers we
 * round are the numbers Python would get.
 *
 * <ul>
 *   <li>{@link #repr}: {@code repr(x)} (what {@code json.dumps} prints): the shortest decimal that reads back as x,
 *       the closest one to x when several are as short, in fixed notation for 1e-4 ≤ |x| < 1e16 and otherwise as
 *       {@code 1.5e-05}. Java's {@code Double.toString} differs (1.0E-5, and before JDK 19 not always shortest).</li>
 *   <li>{@link #formatFixed}: {@code format(x, ".Nf")}: the exact binary value rounded half-to-even, sign kept
 *       ({@code format(-0.001, ".2f") == "-0.00"}).</li>
 *   <li>{@link #roundDecimals}: {@code float(format(x, ".Nf"))}, the official way of rounding metrics (N = 2) and
 *       windows (N = 4).</li>
 * </ul>
 */
public final class PythonFloats {
    private PythonFloats() {}

    /** Python's {@code repr(float)}: "nan", "inf", "-inf", "0.0", "-0.0", "53.94", "1e-05", "1.152921504606847e+18". */
    public static String repr(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        boolean negative = Double.doubleToRawLongBits(x) < 0;
        if (x == 0) return negative ? "-0.0" : "0.0";
        BigDecimal shortest = shortestRoundTrip(Math.abs(x)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        // x = 0.DIGITS × 10^decpt, the convention of Python's float formatting code.
        int decpt = digits.length() - shortest.scale();
        StringBuilder sb = new StringBuilder(negative ? "-" : "");
        if (decpt <= -4 || decpt > 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) sb.append('0');
            sb.append(a);
        } else if (decpt <= 0) {
            sb.append("0.");
            for (int i = 0; i < -decpt; i++) sb.append('0');
            sb.append(digits);
        } else if (decpt >= digits.length()) {
            sb.append(digits);
            for (int i = digits.length(); i < decpt; i++) sb.append('0');
            sb.append(".0");
        } else {
            sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
        return sb.toString();
    }

    /**
     * The shortest decimal that parses back to x (x finite and positive); among the candidates of that length the
     * one nearest to x, ties to an even last digit. At each length only the two decimals around x can qualify, so we
     * try both (the nearer one is not enough at powers of two, where the rounding interval is lopsided).
     */
    private static BigDecimal shortestRoundTrip(double x) {
        BigDecimal exact = new BigDecimal(x);
        // "Some p-digit decimal reads back as x" only gets easier with more digits, so binary-search the least p.
        int lo = 1, hi = 17; // 17 significant digits always round-trip
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (pick(exact, x, mid) != null) hi = mid;
            else lo = mid + 1;
        }
        return pick(exact, x, lo);
    }

    /** The p-digit decimal that reads back as x and is nearest to it (ties to even), or null if there is none. */
    private static BigDecimal pick(BigDecimal exact, double x, int p) {
        BigDecimal down = exact.round(new MathContext(p, RoundingMode.DOWN));
        BigDecimal up = exact.round(new MathContext(p, RoundingMode.UP));
        boolean downOk = Double.parseDouble(down.toString()) == x;
        boolean upOk = down.compareTo(up) != 0 && Double.parseDouble(up.toString()) == x;
        if (downOk && upOk) {
            int c = exact.subtract(down).compareTo(up.subtract(exact));
            if (c < 0) return down;
            if (c > 0) return up;
            return down.unscaledValue().testBit(0) ? up : down;
        }
        return downOk ? down : upOk ? up : null;
    }

    /** Python's {@code format(x, ".Nf")}. */
    public static String formatFixed(double x, int decimals) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        boolean negative = Double.doubleToRawLongBits(x) < 0;
        String body = new BigDecimal(Math.abs(x)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return negative ? "-" + body : body;
    }

    /** {@code float(format(x, ".Nf"))}: x rounded half-to-even on its exact binary value; keeps the sign of zero. */
    public static double roundDecimals(double x, int decimals) {
        if (Double.isNaN(x) || Double.isInfinite(x)) return x;
        return Double.parseDouble(formatFixed(x, decimals));
    }

    /** The official metric rounding {@code float(f"{100 * v:.2f}")}. */
    public static double percent2(double v) {
        return roundDecimals(100 * v, 2);
    }

    /**
     * NumPy's {@code round(x, decimals)} on a float64 (what {@code round(np.float64, 5)} does): {@code rint(x·10^d)/10^d}.
     * Unlike Python's own {@code round}, it rounds the scaled product, so e.g. 0.885445 gives 0.88544 where Python's round gives 0.88545.
     */
    public static double numpyRound(double x, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.rint(x * scale) / scale;
    }
}

/**
 * Reproductions of NumPy and Python behaviour that the official code's numbers depend on, bit for bit: one place for
 * them, used by the data pipeline ({@code trdetr.data}) and the evaluator ({@code trdetr.eval}) alike.
 *
 * <ul>
 *   <li>{@link trdetr.pyexact.NumpyReductions}: NumPy's summation orders (pairwise sums in float64 and float32, row
 *       means), so that metrics and L2-normalised features come out with NumPy's bits.</li>
 *   <li>{@link trdetr.pyexact.NumpyArgsort}: {@code np.argsort} (NumPy 1.24's introsort, its tie order included),
 *       {@code argsort()[::-1]} and {@code np.argmax}, as the evaluator needs them.</li>
 *   <li>{@link trdetr.pyexact.StableArgsort}: the data pipeline's {@code np.argsort} of saliency scores: the same as
 *       NumPy for up to 16 values, and the stable order beyond, where NumPy's tie order depends on its version and
 *       CPU.</li>
 *   <li>{@link trdetr.pyexact.Float16}: {@code tensor.half()} rounding of saliency scores.</li>
 *   <li>{@link trdetr.pyexact.PythonFloats}: Python's {@code repr(float)}, {@code format(x, ".Nf")}, the official
 *       metric rounding, and NumPy's {@code round}.</li>
 *   <li>{@link trdetr.pyexact.PythonJson}: {@code json.dumps}, so files we write diff clean against the official
 *       ones.</li>
 * </ul>
 *
 * Fixtures: tools/make_eval_fixtures.py (runs NumPy and Python) writes src/test/resources/eval/numerics.json.
 */
package trdetr.pyexact;

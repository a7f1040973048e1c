/**
 * Evaluation and submission files, reproducing the official TR-DETR code number for number.
 *
 * <ul>
 *   <li>{@link trdetr.eval.StandaloneEvaluator}: {@code standalone_eval/eval.py} (QVHighlights MR mAP / R1 per length
 *       split, HL mAP / HIT@1 per saliency level) → {@link trdetr.eval.EvaluationResult} ({@code toJson()} is the
 *       official metrics file byte for byte).</li>
 *   <li>{@link trdetr.eval.TvSumMetric}: TVSum's top-5 mAP, with the official per-batch averaging or a corrected one;
 *       {@link trdetr.eval.TvSumEvaluator} applies it to a submission.</li>
 *   <li>{@link trdetr.eval.ScoringRecipe}: per dataset (QVHighlights, Charades-STA, TVSum) the fields of a submission line,
 *       the evaluator and the metric that selects the best checkpoint.</li>
 *   <li>{@link trdetr.eval.PredictionPostProcessor}: model outputs ({@link trdetr.eval.QueryOutputs}) → official
 *       submission lines ({@link trdetr.eval.SubmissionLine}); {@link trdetr.eval.TemporalNms};
 *       {@link trdetr.eval.SubmissionWriter} writes the jsonl atomically.</li>
 *   <li>{@link trdetr.eval.SaliencyAveragePrecision}: the official per-annotator highlight AP; the NumPy and Python
 *       behaviour the numbers depend on (json.dumps, float repr and rounding, argsort, summation order, fp16) is in
 *       {@link trdetr.pyexact}.</li>
 * </ul>
 *
 * Fixtures: tools/make_eval_fixtures.py (runs the official code) writes src/test/resources/eval.
 */
package trdetr.eval;

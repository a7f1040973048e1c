package trdetr.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's optimisation options, named after the official ones (spec §1.1; kebab-case on the command line).
 *
 * @param evalEvery   evaluate on the validation split every this many epochs (official: 5)
 * @param maxEsCnt    stop after this many evaluations without improvement; negative: never
 * @param maxSteps    stop after this many optimizer steps in total (0: no limit) — for time-boxed runs such as the demo
 * @param threads     CPU threads for the matrix products
 * @param warmupSteps raise the learning rate linearly from lr/warmupSteps to lr over the first this many optimizer
 *                    steps (0: none, as in the official code) — lets a short run use a large learning rate safely
 */
public record TrainOptions(Path resultsDir, long seed, int bsz, int evalBsz, double lr, int lrDrop, double wd, int nEpoch,
                           int maxEsCnt, double gradClip, int evalEvery, int maxSteps, int threads, boolean progressBar,
                           int warmupSteps) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("results_dir", resultsDir.toString());
        m.put("seed", seed);
        m.put("bsz", bsz);
        m.put("eval_bsz", evalBsz);
        m.put("lr", lr);
        m.put("lr_drop", lrDrop);
        m.put("wd", wd);
        m.put("n_epoch", nEpoch);
        m.put("max_es_cnt", maxEsCnt);
        m.put("grad_clip", gradClip);
        m.put("eval_epoch_interval", evalEvery);
        m.put("max_steps", maxSteps);
        m.put("threads", threads);
        m.put("warmup_steps", warmupSteps);
        return m;
    }
}

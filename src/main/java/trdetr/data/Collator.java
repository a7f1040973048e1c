package trdetr.data;

import java.util.ArrayList;
import java.util.List;
import trdetr.backend.Backend;
import trdetr.backend.cpu.CpuBackend;
import trdetr.loss.Targets;
import trdetr.tensor.Tensor;

/**
 * Stacks samples into a {@link Batch} (official {@code start_end_collate} + {@code prepare_batch_inputs}):
 * sequences zero-padded at the end to the batch maximum with float valid masks; positive/negative clip indices
 * stacked to INT64 (B, K); saliency_all_labels and pos_mask zero-padded to float32 (B, Lv); span labels kept per
 * sample.
 *
 * <p>Where the official pipeline would fail, we keep going and say so here: the clip-id ≥ ctx_l quirks can make
 * a sample's saliency_all_labels or pos_mask longer than its own features; when that sample is the longest of its
 * batch the official loss hits a length mismatch (or, for an unclamped easy positive, an out-of-range gather).
 * We cut those label rows to Lv and clamp indices to Lv − 1. In every other case the result equals the official
 * padding (the extra entry lands on a padded position of a longer batch).
 *
 * <p>Batches are built on the CPU (collation runs on the loader's worker threads, outside any device memory
 * scope); the consumer moves each one to the model's device with {@link Batch#to} inside its step's scope.
 */
public final class Collator {
    private static final Backend HOST = CpuBackend.INSTANCE;

    private Collator() {}

    public static Batch collate(List<Sample> samples) {
        int b = samples.size();
        if (b == 0) throw new IllegalArgumentException("collate: empty batch");
        List<Annotation> annotations = new ArrayList<>(b);
        int[] indices = new int[b];
        int[] tLen = new int[b];
        int[] vLen = new int[b];
        List<FloatMatrix> txt = new ArrayList<>(b);
        List<FloatMatrix> vid = new ArrayList<>(b);
        List<FloatMatrix> aud = new ArrayList<>(b);
        boolean audio = samples.get(0).audio() != null;
        for (int i = 0; i < b; i++) {
            Sample s = samples.get(i);
            annotations.add(s.annotation());
            indices[i] = s.index();
            tLen[i] = s.text().rows();
            vLen[i] = s.video().rows();
            txt.add(s.text());
            vid.add(s.video());
            if ((s.audio() != null) != audio) throw new IllegalArgumentException("collate: some samples have audio, some not");
            if (audio) aud.add(s.audio());
        }
        Padded t = pad(txt, "text", annotations);
        Padded v = pad(vid, "video", annotations);
        Tensor srcAud = null;
        Tensor srcAudMask = null;
        if (audio) {
            Padded a = pad(aud, "audio", annotations);
            srcAud = a.values;
            srcAudMask = a.mask;
        }
        int lv = v.length;
        Targets targets = samples.get(0).labels() == null ? null : targets(samples, lv);
        return new Batch(List.copyOf(annotations), indices, t.values, t.mask, v.values, v.mask, srcAud, srcAudMask, targets, tLen, vLen);
    }

    private record Padded(Tensor values, Tensor mask, int length) {}

    private static Padded pad(List<FloatMatrix> seqs, String what, List<Annotation> annotations) {
        int b = seqs.size();
        int len = 0;
        int dim = seqs.get(0).cols();
        for (int i = 0; i < b; i++) {
            FloatMatrix m = seqs.get(i);
            len = Math.max(len, m.rows());
            if (m.cols() != dim) {
                throw new IllegalArgumentException("collate: " + what + " features of " + annotations.get(i).describe() + " have " + m.cols()
                        + " columns, those of " + annotations.get(0).describe() + " have " + dim);
            }
        }
        float[] values = new float[b * len * dim];
        float[] mask = new float[b * len];
        for (int i = 0; i < b; i++) {
            FloatMatrix m = seqs.get(i);
            System.arraycopy(m.data(), 0, values, i * len * dim, m.rows() * dim);
            java.util.Arrays.fill(mask, i * len, i * len + m.rows(), 1f);
        }
        return new Padded(Tensor.fromHost(HOST, values, b, len, dim), Tensor.fromHost(HOST, mask, b, len), len);
    }

    private static Targets targets(List<Sample> samples, int lv) {
        int b = samples.size();
        int k = samples.get(0).labels().posLabels().length;
        List<Tensor> spans = new ArrayList<>(b);
        long[] pos = new long[b * k];
        long[] neg = new long[b * k];
        float[] all = new float[b * lv];
        float[] posMask = new float[b * lv];
        for (int i = 0; i < b; i++) {
            Sample s = samples.get(i);
            SampleLabels l = s.labels();
            if (l == null) throw new IllegalArgumentException("collate: " + s.annotation().describe() + " has no labels, others do");
            if (l.posLabels().length != k || l.negLabels().length != k) {
                throw new IllegalArgumentException("collate: " + s.annotation().describe() + " has " + l.posLabels().length
                        + " saliency pairs, others " + k);
            }
            float[] flat = new float[l.spans().length * 2];
            for (int r = 0; r < l.spans().length; r++) {
                flat[2 * r] = l.spans()[r][0];
                flat[2 * r + 1] = l.spans()[r][1];
            }
            spans.add(Tensor.fromHost(HOST, flat, l.spans().length, 2));
            for (int j = 0; j < k; j++) {
                pos[i * k + j] = Math.min(l.posLabels()[j], lv - 1);
                neg[i * k + j] = Math.min(l.negLabels()[j], lv - 1);
            }
            System.arraycopy(l.allLabels(), 0, all, i * lv, Math.min(lv, l.allLabels().length));
            System.arraycopy(l.posMask(), 0, posMask, i * lv, Math.min(lv, l.posMask().length));
        }
        return new Targets(List.copyOf(spans), Tensor.fromHost(HOST, pos, b, k), Tensor.fromHost(HOST, neg, b, k),
                Tensor.fromHost(HOST, all, b, lv), Tensor.fromHost(HOST, posMask, b, lv));
    }
}

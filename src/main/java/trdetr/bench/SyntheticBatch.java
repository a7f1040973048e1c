package trdetr.bench;

import java.util.ArrayList;
import java.util.List;
import trdetr.backend.Backend;
import trdetr.backend.cpu.CpuBackend;
import trdetr.data.Batch;
import trdetr.loss.Targets;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * A random batch with the official shapes for timing: B samples of random valid lengths (video 20..Lv clips, text
 * 5..Lt tokens) zero-padded to (Lv, Lt), unit-variance features, 1–3 ground-truth windows per sample with saliency
 * labels inside them. A host {@link Batch} (on the CPU, as the data loader makes them), without annotations.
 */
public final class SyntheticBatch {
    private SyntheticBatch() {}

    public static Batch create(Generator g, int b, int lv, int lt, int videoDim, int textDim) {
        int[] vLen = new int[b], tLen = new int[b];
        float[] vmask = new float[b * lv], tmask = new float[b * lt], vid = new float[b * lv * videoDim], txt = new float[b * lt * textDim];
        float[] allLabels = new float[b * lv], posMask = new float[b * lv];
        long[] pos = new long[b * 2], neg = new long[b * 2];
        List<Tensor> spans = new ArrayList<>();
        for (int s = 0; s < b; s++) {
            vLen[s] = Math.min(lv, 20 + g.nextInt(lv - 19));
            tLen[s] = Math.min(lt, 5 + g.nextInt(lt - 4));
            for (int i = 0; i < vLen[s]; i++) {
                vmask[s * lv + i] = 1;
                for (int d = 0; d < videoDim; d++) vid[(s * lv + i) * videoDim + d] = (float) g.nextGaussian();
            }
            for (int i = 0; i < tLen[s]; i++) {
                tmask[s * lt + i] = 1;
                for (int d = 0; d < textDim; d++) txt[(s * lt + i) * textDim + d] = (float) g.nextGaussian();
            }
            int windows = 1 + g.nextInt(3), at = 0;
            float[] span = new float[windows * 2];
            List<Integer> inside = new ArrayList<>(), outside = new ArrayList<>();
            for (int w = 0; w < windows; w++) {
                int room = vLen[s] - at - (windows - w) * 2;
                int start = at + g.nextInt(Math.max(1, room / 2));
                int length = 1 + g.nextInt(Math.max(1, Math.min(10, vLen[s] - start - (windows - w - 1) * 2)));
                for (int i = start; i < start + length && i < vLen[s]; i++) {
                    allLabels[s * lv + i] = 1 + g.nextInt(12);
                    posMask[s * lv + i] = 1;
                }
                span[2 * w] = (start + length / 2f) / vLen[s];
                span[2 * w + 1] = (float) length / vLen[s];
                at = Math.min(vLen[s] - 2, start + length + 1);
            }
            for (int i = 0; i < vLen[s]; i++) (posMask[s * lv + i] > 0 ? inside : outside).add(i);
            if (outside.isEmpty()) outside.add(0);
            for (int k = 0; k < 2; k++) {
                pos[s * 2 + k] = inside.get(g.nextInt(inside.size()));
                neg[s * 2 + k] = outside.get(g.nextInt(outside.size()));
            }
            spans.add(Tensor.fromHost(CpuBackend.INSTANCE, span, windows, 2));
        }
        Backend cpu = CpuBackend.INSTANCE;
        Targets t = new Targets(spans, Tensor.fromHost(cpu, pos, b, 2), Tensor.fromHost(cpu, neg, b, 2),
                Tensor.fromHost(cpu, allLabels, b, lv), Tensor.fromHost(cpu, posMask, b, lv));
        return new Batch(List.of(), new int[b], Tensor.fromHost(cpu, txt, b, lt, textDim), Tensor.fromHost(cpu, tmask, b, lt),
                Tensor.fromHost(cpu, vid, b, lv, videoDim), Tensor.fromHost(cpu, vmask, b, lv), null, null, t, tLen, vLen);
    }
}

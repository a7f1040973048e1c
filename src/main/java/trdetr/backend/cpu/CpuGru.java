package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;

import trdetr.backend.Backend.GruStep;
import trdetr.backend.Backend.GruStepGrads;
import trdetr.backend.UnaryOp;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * A GRU step's gates ({@link trdetr.backend.Backend#gruGates}) and their gradients
 * ({@link trdetr.backend.Backend#gruGatesBackward}) fused for float32: one pass over the (B, H) elements instead of the
 * default's dozen element-wise kernels, each allocating and streaming a (B, H) tensor. The recurrence runs them 75
 * times a forward pass, one after the other, so their overhead is not hidden by any parallel work.
 *
 * <p>Bit-identical to the composition, which stays the reference: every element goes through the same float
 * operations in the same order (Java rounds each float operation, never fusing a multiply-add), the gates through the
 * element-wise kernels' own functions ({@link FloatTranscendentals}, in vector lanes over a row's pre-activations staged in
 * double; {@link UnaryOp#affine} for 1 − x), each rounded once to float. CpuGruTest compares the two.
 */
final class CpuGru {
    private CpuGru() {}

    /** Whether the fused kernels take these operands: float32, each row's elements adjacent (unit inner stride). */
    static boolean fuses(Tensor... ts) {
        for (Tensor t : ts) if (t.dtype() != DType.FLOAT32 || t.rank() != 2 || t.stride(1) != 1) return false;
        return true;
    }

    /** Work per row for {@link Parallel#forRange}: about a dozen operations per element, three of them transcendental. */
    private static long rowWork(int hidden) { return 16L * hidden; }

    static GruStep gates(Tensor gi, Tensor gh, Tensor h) {
        int b = h.size(0), hidden = h.size(1);
        Tensor hNext = empty(DType.FLOAT32, new int[] {b, hidden}), r = empty(DType.FLOAT32, new int[] {b, hidden});
        Tensor z = empty(DType.FLOAT32, new int[] {b, hidden}), n = empty(DType.FLOAT32, new int[] {b, hidden});
        float[] gia = f32(gi), gha = f32(gh), ha = f32(h), hn = f32(hNext), ra = f32(r), za = f32(z), na = f32(n);
        Parallel.forRange(b, rowWork(hidden), (i0, i1) -> {
            double[] vr = new double[hidden], vz = new double[hidden], vn = new double[hidden];
            for (int i = i0; i < i1; i++) {
                int pi = gi.offset() + i * gi.stride(0), ph = gh.offset() + i * gh.stride(0), pp = h.offset() + i * h.stride(0);
                int o = i * hidden;
                for (int j = 0; j < hidden; j++) {
                    vr[j] = gia[pi + j] + gha[ph + j];                                  // a float sum, widened exactly
                    vz[j] = gia[pi + hidden + j] + gha[ph + hidden + j];
                }
                FloatTranscendentals.inPlace(FloatTranscendentals.Fn.SIGMOID, vr, hidden);
                FloatTranscendentals.inPlace(FloatTranscendentals.Fn.SIGMOID, vz, hidden);
                for (int j = 0; j < hidden; j++) {
                    float rj = (float) vr[j];
                    ra[o + j] = rj;
                    vn[j] = gia[pi + 2 * hidden + j] + rj * gha[ph + 2 * hidden + j];
                }
                FloatTranscendentals.inPlace(FloatTranscendentals.Fn.TANH, vn, hidden);
                for (int j = 0; j < hidden; j++) {
                    float zj = (float) vz[j], nj = (float) vn[j];
                    za[o + j] = zj;
                    na[o + j] = nj;
                    hn[o + j] = nj + zj * (ha[pp + j] - nj);
                }
            }
        });
        return new GruStep(hNext, r, z, n);
    }

    static GruStepGrads gatesBackward(Tensor dhCarry, Tensor dhHidden, Tensor dOut, Tensor h, Tensor r, Tensor z, Tensor n, Tensor ghn) {
        int b = h.size(0), hidden = h.size(1);
        Tensor dgi = empty(DType.FLOAT32, new int[] {b, 3 * hidden}), dgh = empty(DType.FLOAT32, new int[] {b, 3 * hidden});
        Tensor dhDirect = empty(DType.FLOAT32, new int[] {b, hidden});
        float[] ca = f32(dhCarry), va = f32(dhHidden), oa = f32(dOut), ha = f32(h), ra = f32(r), za = f32(z), na = f32(n), ga = f32(ghn);
        float[] dgia = f32(dgi), dgha = f32(dgh), dd = f32(dhDirect);
        Parallel.forRange(b, rowWork(hidden), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int pc = row(dhCarry, i), pv = row(dhHidden, i), po = row(dOut, i), ph = row(h, i), pr = row(r, i);
                int pz = row(z, i), pn = row(n, i), pg = row(ghn, i);
                int o3 = i * 3 * hidden, o = i * hidden;
                for (int j = 0; j < hidden; j++) {
                    float dh = (ca[pc + j] + va[pv + j]) + oa[po + j];
                    float rj = ra[pr + j], zj = za[pz + j], nj = na[pn + j];
                    float dn = dh * oneMinus(zj);
                    float dz = dh * (ha[ph + j] - nj);
                    float dPreN = dn * oneMinus(nj * nj);
                    float dPreR = (dPreN * ga[pg + j]) * (rj * oneMinus(rj));
                    float dPreZ = dz * (zj * oneMinus(zj));
                    dgia[o3 + j] = dPreR;
                    dgia[o3 + hidden + j] = dPreZ;
                    dgia[o3 + 2 * hidden + j] = dPreN;
                    dgha[o3 + j] = dPreR;
                    dgha[o3 + hidden + j] = dPreZ;
                    dgha[o3 + 2 * hidden + j] = dPreN * rj;
                    dd[o + j] = dh * zj;
                }
            }
        });
        return new GruStepGrads(dgi, dgh, dhDirect);
    }

    private static int row(Tensor t, int i) { return t.offset() + i * t.stride(0); }

    /** 1 − x as the element-wise kernel computes Tensor.rsub(1): the affine formula in double, rounded once. */
    private static float oneMinus(float x) { return (float) UnaryOp.affine(x, -1.0, 1.0); }
}

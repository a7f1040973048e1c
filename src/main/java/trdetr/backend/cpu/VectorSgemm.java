package trdetr.backend.cpu;

import java.util.Arrays;
import java.util.function.IntConsumer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast float32 GEMM on the Vector API: packed, cache- and register-blocked, multi-threaded through
 * {@link Parallel}. Only load this class when {@code jdk.incubator.vector} is present ({@link Sgemm} checks).
 * Arguments as in {@link Sgemm#gemm}; they are assumed already validated.
 *
 * <p>Design (see shared/notes/cpu-gemm.md):
 * <ul>
 * <li>Micro-kernel: {@code MR × NR = 4 × 2·VL} (4×16 with 256-bit vectors): 8 vector accumulators; per k step
 *     2 vector loads of packed B, 4 broadcasts of packed A, 8 FMAs. A 6-row tile spills an accumulator there.
 *     With 512-bit vectors (32 registers) the tile is 8 × 32: 16 accumulators, 2 loads and 8 broadcasts per
 *     16 FMAs ({@link #kernel8}).</li>
 * <li>op(B) is packed once per call (in parallel, one task per panel) into zero-padded {@code NR}-wide panels,
 *     panel {@code jp} holding element (p, j) at {@code jp*k*NR + p*NR + j%NR}; Bᵀ is transposed while packing,
 *     so the linear-layer form A·Wᵀ costs the same as A·B. Very wide B is processed in column slabs so the
 *     pack buffer stays bounded.</li>
 * <li>op(A) is packed per (M block, K block) into MR-row panels (element (i, p) at {@code (i/MR)*kc*MR + p*MR + i%MR}),
 *     zero-padded rows at the bottom edge.</li>
 * <li>K blocks of at most {@link #KC} (balanced: 2818 → 12 × 235), M blocks of about {@link #MC} rows: the
 *     {@code kc×NR} B panel stays in L1, the {@code mc×kc} A block in L2. The first K block stores into C
 *     (no zeroing pass) unless accumulating.</li>
 * <li>Parallelism: one region per call; tasks are (M block × column group) taken from an atomic counter;
 *     column groups only appear when there are too few M blocks to keep the threads busy. Small batched
 *     products split the batch across threads instead, each product running single-threaded.</li>
 * <li>Pack buffers are per thread and grow-only; no allocation in the hot loops.</li>
 * </ul>
 */
final class VectorSgemm {

    /**
     * Vector species: the preferred one by default (512-bit where AVX-512 is on, else 256-bit);
     * {@code -Dtrdetr.gemm.bits=256|512|128} to force one (never wider than the preferred).
     */
    static final VectorSpecies<Float> S = species();
    static final int VL = S.length();
    /**
     * Rows of the micro-tile: 8 with 512-bit vectors (16 accumulators of the 32 registers AVX-512 has), else 4
     * (8 of 16). Two FMA units of latency 4 need 8 independent accumulators just to stay busy; 16 leave room for
     * the loads. {@code -Dtrdetr.gemm.mr=4|8} forces one (8 only with 512-bit vectors). The tile shape changes the
     * order of no addition: every element of C is the same FMA chain over each K block whatever MR is.
     */
    static final int MR = rows();
    static final int NR = 2 * VL;
    /** Maximum K block. */
    static final int KC = intProp("trdetr.gemm.kc", 256);
    /** Target M block (rows), a multiple of MR. */
    static final int MC = Math.max(MR, intProp("trdetr.gemm.mc", 120) / MR * MR);
    /** Largest packed-B buffer (floats) per slab; wider B is processed in column slabs. */
    private static final int BPACK_MAX = 1 << 22;
    /** Below this many multiply-adds a product runs on the calling thread alone. */
    private static final long PAR_MIN_WORK = 1L << 17;
    /** Batched products below this many multiply-adds each are spread over the batch, one thread per product. */
    private static final long SMALL_WORK = 1L << 21;

    private VectorSgemm() {}

    private static VectorSpecies<Float> species() {
        String p = System.getProperty("trdetr.gemm.bits", "preferred").trim();
        VectorSpecies<Float> s;
        switch (p) {
            case "512": s = FloatVector.SPECIES_512; break;
            case "256": s = FloatVector.SPECIES_256; break;
            case "128": s = FloatVector.SPECIES_128; break;
            default: s = FloatVector.SPECIES_PREFERRED;
        }
        // Never use a shape wider than the hardware supports (it would be emulated, very slowly).
        if (s.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) s = FloatVector.SPECIES_PREFERRED;
        return s;
    }

    private static int rows() {
        int wide = VL >= 16 ? 8 : 4;
        return Integer.getInteger("trdetr.gemm.mr", wide) == 4 ? 4 : wide;
    }

    private static int intProp(String name, int def) {
        try {
            int v = Integer.parseInt(System.getProperty(name, Integer.toString(def)).trim());
            return v > 0 ? v : def;
        } catch (NumberFormatException e) {
            return def;
        }
    }

    static String describe() {
        return "vector " + MR + "x" + NR + " (" + S.vectorBitSize() + "-bit), kc<=" + KC + ", mc~" + MC
               + ", threads=" + Parallel.threads();
    }

    /** Per-thread, grow-only pack buffers. */
    private static final class Ctx {
        float[] apack = new float[MC * KC];
        float[] bpack = new float[0];
        final float[] tile = new float[MR * NR];

        float[] bpack(int size) {
            if (bpack.length < size) bpack = new float[Math.max(size, Math.min(BPACK_MAX, bpack.length * 2))];
            return bpack;
        }

        float[] apack(int size) {
            if (apack.length < size) apack = new float[size];
            return apack;
        }
    }

    private static final ThreadLocal<Ctx> CTX = ThreadLocal.withInitial(Ctx::new);

    // ------------------------------------------------------------------------------------------------------------
    // Entry points

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null);
    }

    /** {@link #gemm}, and when {@code bias} is not null, bias[j] added to column j of the result (k > 0). */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, float[] bias) {
        boolean par = Parallel.threads() > 1 && (long) m * n * k >= PAR_MIN_WORK;
        inSlabs(par, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, bias);
    }

    /** {@link #gemm} (no bias) on the calling thread alone: for callers that already split their work over the threads. */
    static void gemmSerial(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        inSlabs(false, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null);
    }

    /** The product in column slabs of at most one packed-B buffer each, over the threads when {@code par}. */
    private static void inSlabs(boolean par, boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, float[] bias) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) zero(m, n, c, cOff, ldc);
            return;
        }
        Ctx ctx = CTX.get();
        int slab = slabWidth(k, n);
        for (int j0 = 0; j0 < n; j0 += slab) {
            int ns = Math.min(slab, n - j0);
            int bo = bOff + (transB ? j0 * ldb : j0);
            Product pr = new Product(transA, transB, m, ns, k, a, aOff, lda, b, bo, ldb, c, cOff + j0, ldc,
                                     accumulate, ctx.bpack(packedBSize(k, ns)));
            pr.bias = bias;
            pr.biasOff = j0;
            pr.run(par);
        }
    }

    /**
     * op(B) (k×n) packed whole into NR-wide panels, the layout {@link Product#packB} gives one slab, for products that
     * take the same right operand many times ({@link #gemmPrepacked}); k &gt; 0.
     */
    static float[] packWhole(boolean transB, int n, int k, float[] b, int bOff, int ldb) {
        float[] bp = new float[packedBSize(k, n)];
        Product pr = new Product(false, transB, 0, n, k, null, 0, 0, b, bOff, ldb, null, 0, 0, false, bp);
        for (int jp = 0; jp < pr.panels; jp++) pr.packB(jp);
        return bp;
    }

    /**
     * {@link #gemm} with op(B) already packed by {@link #packWhole} (k &gt; 0): the same tiles, K blocks and bias
     * epilogue, so every element of C is the same FMA chain as {@link #gemm} gives it.
     */
    static void gemmPrepacked(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, float[] bp,
                              float[] c, int cOff, int ldc, float[] bias) {
        if (m == 0 || n == 0) return;
        boolean par = Parallel.threads() > 1 && (long) m * n * k >= PAR_MIN_WORK;
        Product pr = new Product(transA, false, m, n, k, a, aOff, lda, null, 0, 0, c, cOff, ldc, false, bp);
        pr.prepacked = true;
        pr.bias = bias;
        pr.run(par);
    }

    static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                            float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) return;
        int nt = Parallel.threads();
        long work = (long) m * n * k;
        boolean splitBatch = nt > 1 && batch > 1 && k > 0
                             && (batch >= 4 * nt || (work < SMALL_WORK && batch >= nt));
        if (!splitBatch) {
            for (int t = 0; t < batch; t++) {
                gemm(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb,
                     c, cOff + t * strideC, ldc, accumulate);
            }
            return;
        }
        Parallel.forEach(batch, t -> gemmSerial(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb,
                                                c, cOff + t * strideC, ldc, accumulate));
    }

    private static int slabWidth(int k, int n) {
        long full = (long) k * roundUp(n, NR);
        if (full <= BPACK_MAX) return n;
        return Math.max(NR, BPACK_MAX / k / NR * NR);
    }

    private static int packedBSize(int k, int n) {
        return k * roundUp(n, NR);
    }

    private static int roundUp(int x, int q) {
        return (x + q - 1) / q * q;
    }

    private static void zero(int m, int n, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
    }

    // ------------------------------------------------------------------------------------------------------------
    // One product (n at most one slab wide)

    private static final class Product {
        final boolean transA, transB;
        final int m, n, k;
        final float[] a, b, c, bp;
        final int aOff, lda, bOff, ldb, cOff, ldc;
        final boolean accumulate;
        final int panels;       // NR-wide panels of op(B)
        final int kb, kc;       // number of K blocks, their (balanced) size
        int mc, rowChunks, colGroups, panelsPerGroup;
        /** Added to every row after the last K block (null: none); column j of this product takes bias[biasOff + j]. */
        float[] bias;
        int biasOff;
        /** op(B) is already in bp ({@link #gemmPrepacked}): run skips the packing. */
        boolean prepacked;

        Product(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate, float[] bp) {
            this.transA = transA; this.transB = transB;
            this.m = m; this.n = n; this.k = k;
            this.a = a; this.aOff = aOff; this.lda = lda;
            this.b = b; this.bOff = bOff; this.ldb = ldb;
            this.c = c; this.cOff = cOff; this.ldc = ldc;
            this.accumulate = accumulate;
            this.bp = bp;
            this.panels = (n + NR - 1) / NR;
            this.kb = (k + KC - 1) / KC;
            this.kc = (k + kb - 1) / kb;
        }

        void run(boolean par) {
            // Balanced M blocks of about MC rows (multiple of MR).
            int chunks = (m + MC - 1) / MC;
            mc = roundUp((m + chunks - 1) / chunks, MR);
            rowChunks = (m + mc - 1) / mc;
            colGroups = 1;
            int nt = Parallel.threads();
            if (par && rowChunks < 3 * nt && panels > 1) {
                colGroups = Math.min(panels, (3 * nt + rowChunks - 1) / rowChunks);
            }
            panelsPerGroup = (panels + colGroups - 1) / colGroups;
            colGroups = (panels + panelsPerGroup - 1) / panelsPerGroup;

            if (par) {
                if (!prepacked) Parallel.forEach(panels, this::packB);
                Parallel.forEach(rowChunks * colGroups, (IntConsumer) this::compute);
            } else {
                if (!prepacked) for (int jp = 0; jp < panels; jp++) packB(jp);
                for (int t = 0, nt2 = rowChunks * colGroups; t < nt2; t++) compute(t);
            }
        }

        /** Packs NR-wide panel jp of op(B) (all of K), zero-padding columns past n. */
        void packB(int jp) {
            int j0 = jp * NR;
            int w = Math.min(NR, n - j0);
            int base = jp * k * NR;
            float[] b = this.b, bp = this.bp;
            if (!transB) {
                int src = bOff + j0;
                if (w == NR) {
                    for (int p = 0; p < k; p++, src += ldb) {
                        int d = base + p * NR;
                        FloatVector.fromArray(S, b, src).intoArray(bp, d);
                        FloatVector.fromArray(S, b, src + VL).intoArray(bp, d + VL);
                    }
                } else {
                    // Plain loops: arraycopy/fill calls cost more than they save on a few floats per row.
                    for (int p = 0; p < k; p++, src += ldb) {
                        int d = base + p * NR;
                        for (int j = 0; j < w; j++) bp[d + j] = b[src + j];
                        for (int j = w; j < NR; j++) bp[d + j] = 0f;
                    }
                }
            } else {
                // B(p, j) = b[bOff + j*ldb + p]: 16 stored rows, transposed in blocks of 64 p values.
                for (int p0 = 0; p0 < k; p0 += 64) {
                    int p1 = Math.min(k, p0 + 64);
                    for (int jj = 0; jj < w; jj++) {
                        int src = bOff + (j0 + jj) * ldb;
                        for (int p = p0; p < p1; p++) bp[base + p * NR + jj] = b[src + p];
                    }
                    if (w < NR) {
                        for (int p = p0; p < p1; p++) {
                            for (int j = base + p * NR + w, e = base + p * NR + NR; j < e; j++) bp[j] = 0f;
                        }
                    }
                }
            }
        }

        /** One task: M block (t / colGroups) × column group (t % colGroups), all of K. */
        void compute(int t) {
            int ic = t / colGroups, jg = t % colGroups;
            int i0 = ic * mc;
            int mcur = Math.min(mc, m - i0);
            int jp0 = jg * panelsPerGroup;
            int jp1 = Math.min(panels, jp0 + panelsPerGroup);
            Ctx ctx = CTX.get();
            float[] ap = ctx.apack(roundUp(mc, MR) * kc);
            float[] tile = ctx.tile;
            float[] bp = this.bp, c = this.c;
            int ldc = this.ldc;
            for (int kbi = 0; kbi < kb; kbi++) {
                int p0 = kbi * kc;
                int kcur = Math.min(kc, k - p0);
                packA(ap, i0, mcur, p0, kcur);
                boolean add = accumulate || kbi > 0;
                float[] tileBias = kbi == kb - 1 ? bias : null;
                for (int jp = jp0; jp < jp1; jp++) {
                    int j0 = jp * NR;
                    int w = Math.min(NR, n - j0);
                    int bi = jp * k * NR + p0 * NR;
                    int cRow = cOff + i0 * ldc + j0;
                    for (int ir = 0; ir < mcur; ir += MR) {
                        int rows = Math.min(MR, mcur - ir);
                        int ai = ir * kcur;
                        int ci = cRow + ir * ldc;
                        if (rows == MR && w == NR) {
                            tile(kcur, ap, ai, bp, bi, c, ci, ldc, add, tileBias, biasOff + j0);
                            continue;
                        }
                        // Edge tile: compute into the tile buffer, copy the valid part.
                        if (w <= VL) tileHalf(kcur, ap, ai, bp, bi, tile);
                        else tile(kcur, ap, ai, bp, bi, tile, 0, NR, false, null, 0);
                        for (int r = 0; r < rows; r++) {
                            int cr = ci + r * ldc, tr = r * NR;
                            if (add) {
                                for (int j = 0; j < w; j++) c[cr + j] += tile[tr + j];
                            } else {
                                System.arraycopy(tile, tr, c, cr, w);
                            }
                            // the product's element first, then the bias: the order of the unfused addition
                            if (tileBias != null) for (int j = 0; j < w; j++) c[cr + j] += tileBias[biasOff + j0 + j];
                        }
                    }
                }
            }
        }

        /** Packs op(A) rows [i0, i0+mcur) × columns [p0, p0+kc) into MR-row panels; rows past mcur are zero. */
        void packA(float[] ap, int i0, int mcur, int p0, int kc) {
            float[] a = this.a;
            int lda = this.lda;
            int first = 0;
            if (MR == 8 && transA) {
                // A transposed: row p of the stored matrix holds column p of all rows. Reading it once, whole, for
                // every full panel beats one 8-float read per panel and p (kc rows apart, lda floats each).
                first = mcur / 8 * 8;
                for (int p = 0; p < kc; p++) {
                    int s = aOff + (p0 + p) * lda + i0;
                    for (int ir = 0, d = p * 8; ir < first; ir += 8, d += 8 * kc) System.arraycopy(a, s + ir, ap, d, 8);
                }
            }
            for (int ir = first; ir < mcur; ir += MR) {
                int rows = Math.min(MR, mcur - ir);
                int d = ir * kc;
                if (MR == 8 && rows == MR) {
                    packRows8(a, aOff + (i0 + ir) * lda + p0, lda, ap, d, kc);
                    continue;
                }
                if (!transA) {
                    int s0 = aOff + (i0 + ir) * lda + p0;
                    if (rows == MR) {
                        int s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda;
                        for (int p = 0; p < kc; p++, d += MR) {
                            ap[d] = a[s0 + p];
                            ap[d + 1] = a[s1 + p];
                            ap[d + 2] = a[s2 + p];
                            ap[d + 3] = a[s3 + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++, d += MR) {
                            for (int r = 0; r < MR; r++) ap[d + r] = r < rows ? a[s0 + r * lda + p] : 0f;
                        }
                    }
                } else {
                    // A(i, p) = a[aOff + p*lda + i]: 4 consecutive floats per p.
                    int s = aOff + p0 * lda + i0 + ir;
                    if (rows == MR) {
                        for (int p = 0; p < kc; p++, d += MR, s += lda) {
                            ap[d] = a[s];
                            ap[d + 1] = a[s + 1];
                            ap[d + 2] = a[s + 2];
                            ap[d + 3] = a[s + 3];
                        }
                    } else {
                        for (int p = 0; p < kc; p++, d += MR, s += lda) {
                            for (int r = 0; r < MR; r++) ap[d + r] = r < rows ? a[s + r] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Eight rows of A from s (row stride lda), kc columns, into one 8-row panel at d. */
    private static void packRows8(float[] a, int s, int lda, float[] ap, int d, int kc) {
        int s1 = s + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda, s6 = s5 + lda, s7 = s6 + lda;
        for (int p = 0; p < kc; p++, d += 8) {
            ap[d] = a[s + p];
            ap[d + 1] = a[s1 + p];
            ap[d + 2] = a[s2 + p];
            ap[d + 3] = a[s3 + p];
            ap[d + 4] = a[s4 + p];
            ap[d + 5] = a[s5 + p];
            ap[d + 6] = a[s6 + p];
            ap[d + 7] = a[s7 + p];
        }
    }

    /** C's full tile rows (NR wide) += bias[bo .. bo+NR), once the product's elements are final. */
    private static void addBias(float[] bias, int bo, float[] c, int ci, int ldc, int rows) {
        FloatVector b0 = FloatVector.fromArray(S, bias, bo), b1 = FloatVector.fromArray(S, bias, bo + VL);
        for (int r = 0; r < rows; r++, ci += ldc) {
            FloatVector.fromArray(S, c, ci).add(b0).intoArray(c, ci);
            FloatVector.fromArray(S, c, ci + VL).add(b1).intoArray(c, ci + VL);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Micro-kernels

    /**
     * The MR × NR tile (see {@link #kernel} and {@link #kernel8}), then bias[bo + j] added to column j where bias is not
     * null: by the 8-row kernel before its store, after the 4-row one's by {@link #addBias}, the same bits.
     */
    static void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add,
                     float[] bias, int bo) {
        if (MR == 8) {
            kernel8(kc, ap, ai, bp, bi, c, ci, ldc, add, bias, bo);
        } else {
            kernel(kc, ap, ai, bp, bi, c, ci, ldc, add);
            if (bias != null) addBias(bias, bo, c, ci, ldc, MR);
        }
    }

    /** The MR × VL edge tile (see {@link #kernelHalf} and {@link #kernelHalf8}). */
    static void tileHalf(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        if (MR == 8) kernelHalf8(kc, ap, ai, bp, bi, tile);
        else kernelHalf(kc, ap, ai, bp, bi, tile);
    }

    /**
     * C[0..8, 0..NR) (+)= Apanel(8×kc) · Bpanel(kc×NR), as {@link #kernel} with eight rows: 16 accumulators, and per
     * k step 2 vector loads of B, 8 broadcasts of A, 16 FMAs. {@code ap[ai + 8p + r]} is A(r, p). Where bias is not
     * null, bias[bo + j] is then added to column j before the store: the sum (with C when adding) first, then the
     * bias, the order of {@link #addBias} after the store, without reading the tile back.
     */
    static void kernel8(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add,
                        float[] bias, int bo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            ai += 8;
            bi += NR;
        }
        // Written out, not through a helper: a FloatVector passed to a method C2 does not inline is boxed.
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + VL));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + VL));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + VL));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + VL));
            c40 = c40.add(FloatVector.fromArray(S, c, c4));
            c41 = c41.add(FloatVector.fromArray(S, c, c4 + VL));
            c50 = c50.add(FloatVector.fromArray(S, c, c5));
            c51 = c51.add(FloatVector.fromArray(S, c, c5 + VL));
            c60 = c60.add(FloatVector.fromArray(S, c, c6));
            c61 = c61.add(FloatVector.fromArray(S, c, c6 + VL));
            c70 = c70.add(FloatVector.fromArray(S, c, c7));
            c71 = c71.add(FloatVector.fromArray(S, c, c7 + VL));
        }
        if (bias != null) {
            FloatVector b0 = FloatVector.fromArray(S, bias, bo), b1 = FloatVector.fromArray(S, bias, bo + VL);
            c00 = c00.add(b0); c01 = c01.add(b1);
            c10 = c10.add(b0); c11 = c11.add(b1);
            c20 = c20.add(b0); c21 = c21.add(b1);
            c30 = c30.add(b0); c31 = c31.add(b1);
            c40 = c40.add(b0); c41 = c41.add(b1);
            c50 = c50.add(b0); c51 = c51.add(b1);
            c60 = c60.add(b0); c61 = c61.add(b1);
            c70 = c70.add(b0); c71 = c71.add(b1);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + VL);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + VL);
        c60.intoArray(c, c6);
        c61.intoArray(c, c6 + VL);
        c70.intoArray(c, c7);
        c71.intoArray(c, c7 + VL);
    }

    /** {@link #kernelHalf} with eight rows: the 8×VL result into {@code tile} (row r at r*NR). */
    static void kernelHalf8(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, ap[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, ap[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, ap[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, ap[ai + 7]).fma(b0, c7);
            ai += 8;
            bi += NR;
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR);
        c5.intoArray(tile, 5 * NR);
        c6.intoArray(tile, 6 * NR);
        c7.intoArray(tile, 7 * NR);
    }

    /**
     * C[0..4, 0..NR) (+)= Apanel(4×kc) · Bpanel(kc×NR). {@code ap[ai + 4p + r]} is A(r, p);
     * {@code bp[bi + NR*p + j]} is B(p, j); C(r, j) at {@code c[ci + r*ldc + j]}.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            ai += MR;
            bi += NR;
        }
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + VL));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + VL));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + VL));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + VL));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
    }
    /**
     * Edge panels at most VL wide: only the first VL columns of the packed B panel (half the work of
     * {@link #kernel}); stores the 4×VL result into {@code tile} (row r at r*NR).
     */
    static void kernelHalf(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, ap[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[ai + 3]).fma(b0, c3);
            ai += MR;
            bi += NR;
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
    }
}

package trdetr.spark;

import org.apache.spark.Partitioner;

/**
 * Sends a manifest row (keyed by its position) to the partition of its batch: batch b = position / batchSize, and the
 * batches are dealt out to partitions in contiguous runs. So every partition holds whole batches, exactly those
 * {@code trdetr predict} forms (it batches the rows in file order), and partition p's rows all come before partition
 * p+1's. Why whole batches: a query's outputs depend on the other queries of its batch through padding (bits, not
 * meaning), and equal batches make the Spark job's submission equal {@code predict}'s bit for bit.
 */
final class BatchPartitioner extends Partitioner {
    private final int partitions;
    private final int batchSize;
    private final long batches;

    BatchPartitioner(int partitions, int batchSize, long rows) {
        this.batchSize = batchSize;
        this.batches = Math.max(1, (rows + batchSize - 1) / batchSize);
        this.partitions = (int) Math.max(1, Math.min(partitions, batches));
    }

    @Override public int numPartitions() { return partitions; }

    @Override public int getPartition(Object key) {
        long batch = (Long) key / batchSize;
        return (int) (batch * partitions / batches);
    }

    @Override public boolean equals(Object o) {
        return o instanceof BatchPartitioner b && b.partitions == partitions && b.batchSize == batchSize && b.batches == batches;
    }

    @Override public int hashCode() { return java.util.Objects.hash(partitions, batchSize, batches); }
}

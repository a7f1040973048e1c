package trdetr.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A bounded in-memory cache of loaded features (least recently used out first), so that epochs after the first do
 * not re-read and re-normalise every .npz. Thread-safe; a budget of 0 disables it.
 */
final class FeatureCache {
    private final long budget;
    private long used;
    private final LinkedHashMap<String, FloatMatrix> map = new LinkedHashMap<>(64, 0.75f, true);

    FeatureCache(long budgetBytes) { this.budget = budgetBytes; }

    synchronized FloatMatrix get(String key) { return budget == 0 ? null : map.get(key); }

    synchronized void put(String key, FloatMatrix m) {
        if (budget == 0 || m.bytes() > budget) return;
        FloatMatrix old = map.put(key, m);
        if (old != null) used -= old.bytes();
        used += m.bytes();
        var it = map.entrySet().iterator();
        while (used > budget && it.hasNext()) {
            Map.Entry<String, FloatMatrix> e = it.next();
            used -= e.getValue().bytes();
            it.remove();
        }
    }

    /** The cached matrix under key, or else the one {@code load} gives, which is then cached (loaded outside the lock). */
    FloatMatrix getOrLoad(String key, Supplier<FloatMatrix> load) {
        FloatMatrix m = get(key);
        if (m != null) return m;
        m = load.get();
        put(key, m);
        return m;
    }

    synchronized long usedBytes() { return used; }

    synchronized int size() { return map.size(); }
}

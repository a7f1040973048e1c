package trdetr.spark;

import java.io.Serializable;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import trdetr.data.DatasetOptions;

/**
 * {@link DatasetOptions} in a form Spark can ship to executors. Why: the record holds {@link Path}s, which Java
 * serialization refuses. Each component travels as it is, paths as strings, and the record is rebuilt through its
 * canonical constructor (so its checks run again), without listing the components a second time here.
 */
final class ShippedOptions implements Serializable {
    private final Object[] values;

    ShippedOptions(DatasetOptions options) {
        RecordComponent[] parts = DatasetOptions.class.getRecordComponents();
        values = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Object v = read(parts[i], options);
            if (v instanceof Path p) v = p.toString();
            else if (v instanceof List<?> l) v = l.stream().map(x -> x instanceof Path p ? p.toString() : x).toList().toArray();
            values[i] = v;
        }
    }

    DatasetOptions options() {
        RecordComponent[] parts = DatasetOptions.class.getRecordComponents();
        Class<?>[] types = new Class<?>[parts.length];
        Object[] args = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = parts[i].getType();
            Object v = values[i];
            if (types[i] == Path.class && v != null) v = Path.of((String) v);
            else if (types[i] == List.class && v != null) v = java.util.Arrays.stream((Object[]) v).map(x -> x instanceof String s ? Path.of(s) : x).toList();
            args[i] = v;
        }
        try {
            return DatasetOptions.class.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not rebuild the dataset options", e);
        }
    }

    private static Object read(RecordComponent c, DatasetOptions o) {
        try {
            return c.getAccessor().invoke(o);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not read dataset option " + c.getName(), e);
        }
    }
}

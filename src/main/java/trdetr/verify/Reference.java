package trdetr.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.tensor.Tensor;

/**
 * A reference file written by tools/export_reference.py from the official code (layout in weights/README.md):
 * config, weights, a padded batch, and the official outputs, loss terms, gradients and per-module activations.
 */
public record Reference(Path file, Map<String, Object> config, Map<String, Tensor> weights, Map<String, Tensor> inputs,
                        Map<String, Tensor> outputs, Map<String, Double> losses, Map<String, Tensor> grads,
                        Map<String, Tensor> activations, List<String> activationOrder) {

    @SuppressWarnings("unchecked")
    public static Reference load(Path file) throws IOException {
        Map<String, NdArray> arrays = Npz.read(file);
        NdArray meta = arrays.get("meta.config");
        if (meta == null) throw new FormatException(file, "no meta.config entry: not a reference file from tools/export_reference.py");
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> config = json.readValue(meta.utf8(), Map.class);
        List<String> order = new ArrayList<>();
        NdArray orderArray = arrays.get("meta.act_order");
        if (orderArray != null) order.addAll(json.readValue(orderArray.utf8(), List.class));
        Map<String, Tensor> weights = new LinkedHashMap<>(), inputs = new LinkedHashMap<>(), outputs = new LinkedHashMap<>();
        Map<String, Tensor> grads = new LinkedHashMap<>(), acts = new LinkedHashMap<>();
        Map<String, Double> losses = new LinkedHashMap<>();
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            if (dot < 0) continue;
            String kind = key.substring(0, dot), name = key.substring(dot + 1);
            switch (kind) {
                case "w" -> weights.put(name, e.getValue().toTensor());
                case "in" -> inputs.put(name, e.getValue().toTensor());
                case "out" -> outputs.put(name, e.getValue().toTensor());
                case "grad" -> grads.put(name, e.getValue().toTensor());
                case "act" -> acts.put(name, e.getValue().toTensor());
                case "loss" -> {
                    if (e.getValue().numel() != 1) throw new FormatException(file, key + " must hold one number, has shape " + java.util.Arrays.toString(e.getValue().shape()));
                    losses.put(name, e.getValue().toTensor().item());
                }
                default -> { }
            }
        }
        for (String needed : List.of("vid", "vmask", "txt", "tmask", "spans", "nspans", "pos", "neg", "allsal", "posmask")) {
            if (!inputs.containsKey(needed)) throw new FormatException(file, "missing input in." + needed);
        }
        if (order.isEmpty()) order.addAll(acts.keySet());
        return new Reference(file, config, weights, inputs, outputs, losses, grads, acts, order);
    }

    public Tensor input(String name) { return inputs.get(name); }
}

package trdetr.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.autograd.GradMode;
import trdetr.nn.Init;
import trdetr.nn.Module;
import trdetr.tensor.Tensor;

/** Moving weights between a {@link Module} and a state_dict (dotted PyTorch names → tensors). */
public final class StateDicts {
    private StateDicts() {}

    /** What a load did: the names copied, the model's parameters the file lacked, the file's names the model lacks. */
    public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected) {}

    /**
     * Copies a state_dict into a module's parameters. Each parameter keeps its dtype and backend (values are
     * converted); nothing is copied unless every check passes.
     *
     * @param sourceForMessages the file the state_dict came from, for messages
     * @param strict            whether a missing or unexpected key is an error (all are listed in one message)
     * @throws FormatException on a shape mismatch ("key K has shape [..] in the file but [..] in the model"), or, when
     *                         strict, on missing/unexpected keys ("missing keys: a, b; unexpected keys: c")
     */
    @SuppressWarnings("try")
    public static LoadReport load(Module module, Map<String, Tensor> stateDict, Path sourceForMessages, boolean strict) {
        Map<String, Tensor> params = module.namedParameters();
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String k : params.keySet()) (stateDict.containsKey(k) ? loaded : missing).add(k);
        for (String k : stateDict.keySet()) if (!params.containsKey(k)) unexpected.add(k);
        if (strict) requireNoKeyProblems(sourceForMessages, missing, unexpected);
        List<String> mismatches = new ArrayList<>();
        for (String k : loaded) {
            int[] have = params.get(k).shape();
            Tensor src = stateDict.get(k);
            if (src == null) {
                mismatches.add("key " + k + " is None in the file");
            } else if (!Arrays.equals(have, src.shape())) {
                mismatches.add("key " + k + " has shape " + Arrays.toString(src.shape()) + " in the file but " + Arrays.toString(have) + " in the model");
            }
        }
        if (!mismatches.isEmpty()) throw new FormatException(sourceForMessages, String.join("; ", mismatches));
        try (var g = GradMode.noGrad()) {
            for (String k : loaded) {
                Init.copy(params.get(k), stateDict.get(k));
            }
        }
        return new LoadReport(Collections.unmodifiableList(loaded), Collections.unmodifiableList(missing), Collections.unmodifiableList(unexpected));
    }

    /** Throws "FILE: missing keys: a, b; unexpected keys: c" (one line) when either list is not empty. */
    public static void requireNoKeyProblems(Path file, List<String> missing, List<String> unexpected) {
        if (missing.isEmpty() && unexpected.isEmpty()) return;
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) parts.add("missing keys: " + String.join(", ", missing));
        if (!unexpected.isEmpty()) parts.add("unexpected keys: " + String.join(", ", unexpected));
        throw new FormatException(file, String.join("; ", parts));
    }

    /** A module's parameters by dotted name, detached (sharing their storage), in state_dict order. */
    public static Map<String, Tensor> of(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.namedParameters().forEach((k, p) -> out.put(k, p.detach()));
        return Collections.unmodifiableMap(out);
    }
}

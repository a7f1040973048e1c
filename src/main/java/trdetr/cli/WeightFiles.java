package trdetr.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import trdetr.io.SafeTensors;
import trdetr.io.TorchCheckpoint;
import trdetr.tensor.Tensor;

/** Reads a state_dict from whichever weight format a path names. */
final class WeightFiles {
    private WeightFiles() {}

    static Map<String, Tensor> read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".safetensors")) return SafeTensors.read(file);
        return TorchCheckpoint.read(file).stateDict();
    }
}

package dev.hearth.engine.io;

import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Shape;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A model folder's weights as the layers of the model being built ask for them (see
 * {@link SuppliedWeights}). A float parameter is decoded from the memory-mapped file (F32 copied,
 * F16/BF16 and the rarer dtypes converted, as {@link SafeTensorsFile#tensor} converts) straight into
 * the array that becomes the layer's parameter, after its shape has been checked against the
 * layer's; so a float32 folder is held once on the heap, never initialised first and copied into.
 * Quantized matrices come from the folder's {@link QuantizedWeights.Supply}, when it has one.
 */
final class FloatWeights implements SuppliedWeights {
    private final Path dir;
    private final ModelFormat format;
    private final WeightFiles files;
    private final QuantizedWeights.Supply packed;         // or null for a folder with no quantized weights
    private final Set<String> taken = new LinkedHashSet<>(); // Hearth's names supplied
    private final Set<String> read = new LinkedHashSet<>();  // the file's tensors read here

    FloatWeights(Path dir, ModelFormat format, WeightFiles files, QuantizedWeights.Supply packed) {
        this.dir = dir;
        this.format = format;
        this.files = files;
        this.packed = packed;
    }

    @Override
    public QuantizedMatrix quantized(String name, int rows, int cols) {
        return packed == null ? null : packed.quantized(name, rows, cols);
    }

    @Override
    public Tensor floatTensor(String name, int... shape) {
        ModelFormat.Source source = format.sourceOf(name, n -> !packedHolds(n) && files.holderOf(n) != null);
        if (source == null) {
            return null; // the layer initialises it; the loader reports it missing
        }
        SafeTensorsFile file = files.holderOf(source.tensor());
        SafeTensorsFile.TensorInfo info = file.info(source.tensor());
        long[] stored = storedShape(info.shape(), source);
        if (!Arrays.equals(stored, Arrays.stream(shape).asLongStream().toArray())) {
            String cut = (source.parts() > 1 ? "part " + (source.part() + 1) + " of " + source.parts() + " of its last"
                    + " dimension" : "") + (source.parts() > 1 && source.transposed() ? ", " : "")
                    + (source.transposed() ? "transposed" : "");
            String has = stored == null
                    ? "the checkpoint's '" + source.tensor() + "' has shape " + info.shapeString() + ", which cannot be"
                            + " read as " + cut + ";"
                    : "the checkpoint has shape " + SafeTensorsFile.formatShape(stored) + (source.isWhole() ? ""
                            : " ('" + source.tensor() + "' " + info.shapeString() + ", " + cut + ")");
            throw new CheckpointException(dir, "the weights do not fit config.json: loading '" + name + "': " + has
                    + " but the model expects " + Shape.of(shape) + " (was it saved from a different config?)");
        }
        float[] values = file.readFloats(source.tensor(), source.part(), source.parts(), source.transposed());
        taken.add(name);
        read.add(source.tensor());
        return Tensor.of(values, shape);
    }

    private boolean packedHolds(String fileName) {
        return packed != null && packed.read().contains(fileName);
    }

    /** The shape the parameter has as {@code source} cuts it from a tensor of {@code shape}, or null when it cannot. */
    private static long[] storedShape(long[] shape, ModelFormat.Source source) {
        if (source.isWhole()) {
            return shape;
        }
        if (shape.length == 0 || (source.transposed() && shape.length != 2)
                || shape[shape.length - 1] % source.parts() != 0) {
            return null;
        }
        long[] s = shape.clone();
        s[s.length - 1] /= source.parts();
        if (source.transposed()) {
            return new long[] {s[1], s[0]};
        }
        return s;
    }

    /** Hearth's names of the parameters supplied. */
    Set<String> taken() {
        return Collections.unmodifiableSet(taken);
    }

    /** The file's tensors read here (as floats) or by the quantized supply (as packed bytes). */
    boolean read(String fileName) {
        return read.contains(fileName) || packedHolds(fileName);
    }
}

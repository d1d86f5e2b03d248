package dev.hearth.engine.nn;

import dev.hearth.engine.ops.MatMul;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizationException;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.ShapeException;
import dev.hearth.engine.tensor.Tensor;

/**
 * {@code y = x W^T + b}, as PyTorch's Linear. For inference the weight can be replaced by a
 * quantized one ({@link #quantize}): forward then reads the packed blocks directly, and the layer
 * can no longer be trained.
 */
public final class Linear extends Layer {
    private Tensor weight;              // (out, in); null once quantized
    private QuantizedMatrix quantized;  // (out, in) or null
    private final Tensor bias;          // (out) or null
    private final int in;
    private final int out;
    private java.util.function.Consumer<Tensor> inputObserver; // or null

    /** A layer over the given weight (out, in) and bias (out) or null. */
    public Linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))) {
            throw ShapeException.of("Linear", weight.shape(), bias == null ? weight.shape() : bias.shape(),
                    "weight must be (out, in) and bias (out,)");
        }
        this.weight = param("weight", weight);
        this.bias = bias == null ? null : param("bias", bias);
        this.out = weight.dim(0);
        this.in = weight.dim(1);
    }

    /** Weight normal(0, std), bias zero. */
    public Linear(int in, int out, boolean bias, float std, Rng rng) {
        this(Init.normal(rng, std, out, in), bias ? Init.zeros(out) : null);
    }

    /**
     * A layer over the quantized weight {@code weight} (out, in) from the start, e.g. read from a
     * quantized model folder: no float weight is ever allocated. The bias (out) or null stays float.
     */
    public Linear(QuantizedMatrix weight, Tensor bias) {
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.rows())) {
            throw new ShapeException("Linear: a bias of shape " + bias.shape() + " does not fit a quantized weight of "
                    + weight.rows() + " x " + weight.cols() + "; it must be (" + weight.rows() + ",)");
        }
        this.out = weight.rows();
        this.in = weight.cols();
        this.weight = null;
        this.quantized = quantizedParam("weight", weight, out, in);
        this.bias = bias == null ? null : param("bias", bias);
    }

    /**
     * Weight normal(0, std), bias zero, except what {@code supplied} holds: a quantized "weight"
     * (out, in), over which the layer is then built, or the float "weight" (out, in) and "bias" (out),
     * which become its parameters as they are. A supplied parameter is never allocated or initialised
     * here; with nothing supplied the weight draws from {@code rng} exactly as the constructor does.
     */
    public static Linear of(int in, int out, boolean bias, float std, Rng rng, SuppliedWeights supplied) {
        QuantizedMatrix q = supplied.quantized("weight", out, in);
        Tensor w = q != null ? null
                : SuppliedFloats.take(supplied, "weight", () -> Init.normal(rng, std, out, in), out, in);
        Tensor b = bias ? SuppliedFloats.take(supplied, "bias", () -> Init.zeros(out), out) : null;
        return q != null ? new Linear(q, b) : new Linear(w, b);
    }

    /** Weight normal(0, 0.02), bias zero: the transformer default. */
    public Linear(int in, int out, boolean bias, Rng rng) {
        this(in, out, bias, Init.DEFAULT_STD, rng);
    }

    /** PyTorch's default initialisation: weight and bias uniform in ±1/sqrt(in). */
    public static Linear withFanInInit(int in, int out, boolean bias, Rng rng) {
        Tensor w = Init.fanInUniform(rng, in, out, in);
        return new Linear(w, bias ? Init.fanInUniform(rng, in, out) : null);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (inputObserver != null) {
            inputObserver.accept(x);
        }
        if (quantized != null) {
            if (isTraining()) {
                throw new QuantizationException("this Linear layer's weight is quantized (" + quantized.format().id()
                        + "): it runs only in evaluation mode and cannot be trained; train the float32 model and"
                        + " quantize it afterwards");
            }
            return MatMul.linear(x, quantized, bias);
        }
        return MatMul.linear(x, weight, bias);
    }

    /**
     * {@link #forward} on raw rows, for a decode step's reused buffers: x's rows (rows, in) from
     * {@code xo}, y's (rows, out) written from {@code yo}; the same bits. Inference only: the
     * caller makes sure no gradient is wanted and no observer is set ({@link #observed}).
     */
    void forwardRows(int rows, float[] x, int xo, float[] y, int yo) {
        if (quantized != null) {
            MatMul.linearRows(rows, x, xo, quantized, bias, y, yo);
        } else {
            MatMul.linearRows(rows, x, xo, weight, bias, y, yo);
        }
    }

    /** Whether an observer sees this layer's inputs ({@link #observeInputs}). */
    boolean observed() {
        return inputObserver != null;
    }

    /**
     * Hands every input x (..., in) that {@link #forward} receives to {@code observer} before it is
     * used, or stops doing so when {@code observer} is null: how calibration (Wanda pruning's input
     * norms) sees a layer's activations without a copy of the model's forward pass.
     */
    public void observeInputs(java.util.function.Consumer<Tensor> observer) {
        this.inputObserver = observer;
    }

    /** Replaces the float weight by its quantization in {@code format}; the float weight is dropped. */
    public void quantize(QuantFormat format) {
        useQuantized(QuantizedMatrix.quantize(format, requireFloatWeight()));
    }

    /** Replaces the float weight by {@code q} (out, in), e.g. read from a quantized model folder. */
    public void useQuantized(QuantizedMatrix q) {
        requireFloatWeight();
        this.quantized = quantizedParam("weight", q);
        this.weight = null;
    }

    /** The float weight (out, in); an error once the layer is quantized (see {@link #quantizedWeight()}). */
    public Tensor weight() {
        return requireFloatWeight();
    }

    /** The quantized weight, or null while the weight is float. */
    public QuantizedMatrix quantizedWeight() {
        return quantized;
    }

    public boolean isQuantized() {
        return quantized != null;
    }

    private Tensor requireFloatWeight() {
        if (quantized != null) {
            throw new QuantizationException("this Linear layer's weight is already quantized ("
                    + quantized.format().id() + "); load the float32 model to read or quantize its float weight");
        }
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}

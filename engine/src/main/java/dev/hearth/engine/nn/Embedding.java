package dev.hearth.engine.nn;

import dev.hearth.engine.ops.MatMul;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizationException;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * A table of learned vectors looked up by index (token ids, positions). For inference the table
 * can be kept quantized ({@link #quantize}), as llama.cpp keeps its token embeddings: a lookup
 * then dequantizes only the rows it returns.
 */
public final class Embedding extends Module {
    private Tensor weight;              // (rows, dim); null once quantized
    private QuantizedMatrix quantized;  // (rows, dim) or null

    public Embedding(int rows, int dim, Rng rng) {
        this.weight = param("weight", Init.normal(rng, Init.DEFAULT_STD, rows, dim));
    }

    /** A table over {@code table} (rows, dim) as it is, e.g. read from a model folder: the parameter, not a copy. */
    public Embedding(Tensor table) {
        if (table.rank() != 2) {
            throw new dev.hearth.engine.tensor.ShapeException("an embedding table must be (rows, dim), not "
                    + table.shape());
        }
        this.weight = param("weight", table);
    }

    /** A table kept quantized from the start, e.g. read from a quantized model folder: no float table is allocated. */
    public Embedding(QuantizedMatrix table) {
        this.weight = null;
        this.quantized = quantizedParam("weight", table, table.rows(), table.cols());
    }

    /**
     * A table normal(0, 0.02) of (rows, dim), unless {@code supplied} holds "weight", quantized or in
     * float: then the table is that matrix and no table of its own is allocated or initialised.
     */
    public static Embedding of(int rows, int dim, Rng rng, SuppliedWeights supplied) {
        QuantizedMatrix q = supplied.quantized("weight", rows, dim);
        if (q != null) {
            return new Embedding(q);
        }
        Tensor t = SuppliedFloats.take(supplied, "weight", () -> null, rows, dim);
        return t == null ? new Embedding(rows, dim, rng) : new Embedding(t);
    }

    /** Rows {@code ids}, shaped {@code (idShape..., dim)}. */
    public Tensor forward(int[] ids, int... idShape) {
        if (quantized != null) {
            return lookupQuantized(ids, idShape);
        }
        return dev.hearth.engine.ops.Embedding.lookup(weight, ids, idShape);
    }

    private Tensor lookupQuantized(int[] ids, int[] idShape) {
        int dim = quantized.cols();
        float[] out = new float[ids.length * dim];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= quantized.rows()) {
                throw new dev.hearth.engine.HearthException("index " + ids[i] + " is outside the embedding table (0.."
                        + (quantized.rows() - 1) + ")");
            }
            quantized.dequantizeRow(ids[i], out, i * dim);
        }
        int[] dims = java.util.Arrays.copyOf(idShape, idShape.length + 1);
        dims[idShape.length] = dim;
        return Tensor.of(out, dims);
    }

    /**
     * {@code x (..., dim) @ table^T -> (..., rows)}: the output head of a model whose head is tied
     * to this table, read quantized when the table is.
     */
    public Tensor project(Tensor x) {
        if (quantized != null) {
            if (isTraining()) {
                throw new QuantizationException("this embedding is quantized (" + quantized.format().id() + "): it"
                        + " runs only in evaluation mode and cannot be trained; train the float32 model and quantize"
                        + " it afterwards");
            }
            return MatMul.linear(x, quantized, null);
        }
        return MatMul.linear(x, weight, null);
    }

    /** Replaces the float table by its quantization in {@code format}; the float table is dropped. */
    public void quantize(QuantFormat format) {
        useQuantized(QuantizedMatrix.quantize(format, weight()));
    }

    /** Replaces the float table by {@code q} (rows, dim). */
    public void useQuantized(QuantizedMatrix q) {
        weight();
        this.quantized = quantizedParam("weight", q);
        this.weight = null;
    }

    /** The float table; an error once it is quantized (see {@link #quantizedWeight()}). */
    public Tensor weight() {
        if (quantized != null) {
            throw new QuantizationException("this embedding table is quantized (" + quantized.format().id()
                    + "); load the float32 model to read its float weights");
        }
        return weight;
    }

    /** The quantized table, or null while it is float. */
    public QuantizedMatrix quantizedWeight() {
        return quantized;
    }

    public boolean isQuantized() {
        return quantized != null;
    }
}

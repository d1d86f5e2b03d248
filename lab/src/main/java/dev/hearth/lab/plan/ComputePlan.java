package dev.hearth.lab.plan;

import dev.hearth.engine.HearthException;
import dev.hearth.lab.train.ModelSpec;

/**
 * What training and serving a model will take, from its shape, the tokens and a device:
 *
 * <ul>
 *   <li><b>parameters</b> counted exactly as Hearth's GPT-2 and Llama models hold them;
 *   <li><b>training FLOPs</b> per token ≈ 6·N + 12·L·T·d (N the parameters that multiply, the
 *       output head included, the embedding lookup not; the second term is attention's scores and
 *       weighted sums over a context of T), the estimate of Kaplan et al. (2020) and PaLM's MFU;
 *       over D tokens, ≈ 6·N·D for large models;
 *   <li><b>training memory</b>: weights, gradients and AdamW's two moments (16 bytes per parameter,
 *       in fp32 or in mixed precision with fp32 master weights), plus activations per layer
 *       ≈ B·T·d·(34 + 5·h·T/d) values of 2 bytes (Korthikanti et al. 2022), doubled in fp32;
 *   <li><b>time and money</b>: FLOPs over peak × the model FLOP utilisation one achieves (MFU),
 *       times the devices, at a price per device-hour;
 *   <li><b>serving</b>: a decode step reads every weight, so one stream makes at most
 *       bandwidth / weight bytes tokens per second; a batch of B streams shares that read, up to
 *       the compute bound; the KV cache takes 2·L·d_kv values per token.
 * </ul>
 *
 * @param vocab  the tokenizer's size
 */
public record ComputePlan(ModelSpec model, int vocab, long tokens, int batchSize, Hardware hardware, int devices,
                          double mfu, Double pricePerDeviceHour) {

    public ComputePlan {
        if (vocab < 2 || tokens < 1 || batchSize < 1 || devices < 1) {
            throw new HearthException("vocab, tokens, batch size and devices must be positive");
        }
        if (!(mfu > 0 && mfu <= 1)) {
            throw new HearthException("--mfu is the share of peak FLOP/s training achieves, in (0, 1]; got " + mfu);
        }
        if (pricePerDeviceHour != null && !(pricePerDeviceHour >= 0)) {
            throw new HearthException("--price must be ≥ 0, got " + pricePerDeviceHour);
        }
    }

    private int kvHeads() {
        return model.kvHeads() == 0 ? model.heads() : model.kvHeads();
    }

    /** The Llama feed-forward width (given, or 8/3 of the width rounded up to 32, as ModelSpec builds it). */
    private int ffn() {
        return model.hidden() > 0 ? model.hidden() : (8 * model.dim() / 3 + 31) / 32 * 32;
    }

    /** Every parameter, exactly as the built model holds them. */
    public long parameters() {
        long d = model.dim();
        long l = model.layers();
        if ("gpt".equals(model.arch())) {
            long b = model.bias() ? 1 : 0;
            long perLayer = 2 * (d + b * d)               // two LayerNorms
                    + 4 * (d * d + b * d)                 // q, k, v, o
                    + (d * 4 * d + b * 4 * d) + (4 * d * d + b * d); // the MLP, 4x wide
            return vocab * d + (long) model.context() * d + l * perLayer + (d + b * d);
        }
        long kvDim = d / model.heads() * kvHeads();
        long perLayer = 2 * d + 2 * d * d + 2 * d * kvDim + 3 * d * ffn();
        return vocab * d + l * perLayer + d + (model.tiedEmbeddings() ? 0 : vocab * d);
    }

    /** Parameters that multiply activations: all but the embedding tables, plus the output head's matrix. */
    public long matmulParameters() {
        long d = model.dim();
        long embeddings = vocab * d + ("gpt".equals(model.arch()) ? (long) model.context() * d : 0)
                + ("llama".equals(model.arch()) && !model.tiedEmbeddings() ? vocab * d : 0);
        return parameters() - embeddings + vocab * d;
    }

    /** Forward and backward FLOPs per trained token. */
    public double trainingFlopsPerToken() {
        return 6.0 * matmulParameters() + 12.0 * model.layers() * model.context() * model.dim();
    }

    public double trainingFlops() {
        return trainingFlopsPerToken() * tokens;
    }

    public double trainingSeconds() {
        return trainingFlops() / (hardware.peakFlops() * mfu * devices);
    }

    /** Weights, gradients and AdamW moments: 16 bytes per parameter. */
    public double stateBytes() {
        return 16.0 * parameters();
    }

    /** Activations kept for the backward pass of one batch of {@code batchSize} sequences of the full context. */
    public double activationBytes() {
        double t = model.context();
        double d = model.dim();
        double perLayer = batchSize * t * d * (34 + 5.0 * model.heads() * t / d);
        return model.layers() * perLayer * (hardware.bytesPerValue() == 4 ? 2 : 1);
    }

    /** Training memory per device (model states split evenly, as ZeRO-3 / FSDP do, when there are several). */
    public double trainingBytesPerDevice() {
        return stateBytes() / devices + activationBytes();
    }

    // ---- serving ----

    /** Bytes of weights at {@code bytesPerWeight} (4 fp32, 2 bf16, 1.0625 Q8_0, 0.5625 Q4_0). */
    public double weightBytes(double bytesPerWeight) {
        return parameters() * bytesPerWeight;
    }

    /** KV cache bytes per token of context at the device's precision. */
    public double kvBytesPerToken() {
        return 2.0 * model.layers() * (model.dim() / model.heads() * kvHeads()) * hardware.bytesPerValue();
    }

    /** Decode tokens/s of one device for {@code streams} concurrent streams: bandwidth-bound, up to compute. */
    public double decodeTokensPerSecond(int streams, double bytesPerWeight) {
        double memoryBound = hardware.bandwidth() / weightBytes(bytesPerWeight) * streams;
        double computeBound = hardware.peakFlops() * mfu / (2.0 * matmulParameters());
        return Math.min(memoryBound, computeBound);
    }

    /** Serving cost per million generated tokens, or null without a price. */
    public Double costPerMillionTokens(int streams, double bytesPerWeight) {
        return pricePerDeviceHour == null ? null
                : pricePerDeviceHour / (decodeTokensPerSecond(streams, bytesPerWeight) * 3600) * 1e6;
    }

    public Double trainingCost() {
        return pricePerDeviceHour == null ? null : pricePerDeviceHour * devices * trainingSeconds() / 3600;
    }
}

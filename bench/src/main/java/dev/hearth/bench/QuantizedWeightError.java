package dev.hearth.bench;

import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.quant.QuantFormat;
import dev.hearth.engine.quant.QuantizedMatrix;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How far each format's weights are from the float32 ones: for every matrix of a float32 model
 * folder that the format can hold (rank 2, width a multiple of its block), the relative error
 * ||W - dequantize(quantize(W))|| / ||W||, summed over all such matrices (errors and norms in
 * squares). Perplexity on a narrow held-out text moves by less than its noise at 4 bits; this is
 * the direct measure of what each format keeps. A plain main.
 *
 * <p>Arguments: a float32 model folder, then formats (default q8_0,q4_0,q4_k,int8).
 */
public final class QuantizedWeightError {
    private QuantizedWeightError() {}

    public static void main(String[] args) {
        LanguageModel model = ModelFolder.load(Path.of(args[0])).model();
        String[] formats = (args.length > 1 ? args[1] : "q8_0,q4_0,q4_k,int8").split(",");
        Map<String, Tensor> params = model.parameters();
        System.out.printf(Locale.ROOT, "%-6s %9s %22s %22s%n", "format", "matrices", "relative error (rms)",
                "worst matrix");
        for (String f : formats) {
            QuantFormat format = QuantFormat.parse(f);
            double err = 0;
            double norm = 0;
            double worst = 0;
            int n = 0;
            for (var e : params.entrySet()) {
                Tensor t = e.getValue();
                if (t.rank() != 2 || t.dim(1) % format.blockSize() != 0) {
                    continue;
                }
                float[] w = t.contiguous().toFloatArray();
                float[] back = QuantizedMatrix.quantize(format, w, 0, t.dim(0), t.dim(1)).dequantize().data();
                double e2 = 0;
                double n2 = 0;
                for (int i = 0; i < w.length; i++) {
                    e2 += (double) (back[i] - w[i]) * (back[i] - w[i]);
                    n2 += (double) w[i] * w[i];
                }
                err += e2;
                norm += n2;
                worst = Math.max(worst, Math.sqrt(e2 / n2));
                n++;
            }
            System.out.printf(Locale.ROOT, "%-6s %9d %22.5f %22.5f%n", f, n, Math.sqrt(err / norm), worst);
        }
    }
}

package dev.hearth.lab.eval;

import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.CsvTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conv net of {@code hearth demo digits} as an evaluation sees it: a folder whose
 * {@code model.safetensors} says {@code "architecture": "CnnClassifier"} and holds its config in the
 * metadata. Its rows are CSV with a {@code label} column (the digit, 0 .. classes-1) and one column per
 * pixel, channel by channel and row by row, values 0-255 (scaled to [0, 1] as {@code Mnist.read} does);
 * the columns of the MNIST CSV files in common use ({@code label, pixel0, ..., pixel783}).
 */
final class ImageClassifier implements Classifier {
    static final String WEIGHTS = "model.safetensors";
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");

    private final CnnClassifier model;
    private final List<String> classes;

    private ImageClassifier(CnnClassifier model) {
        this.model = model;
        List<String> c = new ArrayList<>();
        for (int i = 0; i < model.config().classes(); i++) {
            c.add(Integer.toString(i));
        }
        this.classes = List.copyOf(c);
    }

    /** True when {@code dir} holds a CnnClassifier checkpoint. */
    static boolean isImageClassifier(Path dir) {
        Path f = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try {
            return "CnnClassifier".equals(SafeTensors.readMetadata(f).get("architecture"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    static ImageClassifier load(Path dir) {
        Map<String, String> meta = SafeTensors.readMetadata(dir.resolve(WEIGHTS));
        String config = meta.get("config");
        if (config == null) {
            throw new EvaluationException(dir.resolve(WEIGHTS) + " has no 'config' in its metadata; it was not written by"
                    + " 'hearth demo digits'");
        }
        Map<String, Integer> f = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(config);
        while (m.find()) {
            f.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        List<String> keys = List.of("channels", "height", "width", "classes", "conv1", "conv2", "conv3", "kernel", "dense");
        for (String k : keys) {
            if (!f.containsKey(k)) {
                throw new EvaluationException("the CnnClassifier config in " + dir.resolve(WEIGHTS) + " lacks '" + k + "': "
                        + config);
            }
        }
        CnnClassifier net = new CnnClassifier(new CnnClassifier.Config(f.get("channels"), f.get("height"), f.get("width"),
                f.get("classes"), f.get("conv1"), f.get("conv2"), f.get("conv3"), f.get("kernel"), f.get("dense")),
                new Rng(0));
        try (SafeTensorsFile file = SafeTensorsFile.open(dir.resolve(WEIGHTS))) {
            net.loadState(file.readAll(), true);
        }
        net.eval();
        return new ImageClassifier(net);
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String label() {
        return "label";
    }

    @Override
    public int[] labels(CsvTable t) {
        int li = t.column("label");
        int[] y = new int[t.rows().size()];
        for (int r = 0; r < y.length; r++) {
            String v = t.rows().get(r)[li].strip();
            int k = classes.indexOf(v);
            if (k < 0) {
                throw new EvaluationException(t.file() + " row " + (r + 1) + ": the label is '" + v + "', not one of the"
                        + " model's classes 0.." + (classes.size() - 1));
            }
            y[r] = k;
        }
        return y;
    }

    @Override
    public double[][] probabilities(CsvTable t) {
        var c = model.config();
        int size = c.channels() * c.height() * c.width();
        int li = t.column("label");
        if (t.header().size() - 1 != size) {
            throw new EvaluationException(t.file() + " has " + (t.header().size() - 1) + " pixel columns besides 'label';"
                    + " the model reads " + c.channels() + "x" + c.height() + "x" + c.width() + " = " + size + " pixels");
        }
        int n = t.rows().size();
        float[] x = new float[n * size];
        for (int r = 0; r < n; r++) {
            String[] row = t.rows().get(r);
            int k = 0;
            for (int col = 0; col < row.length; col++) {
                if (col == li) {
                    continue;
                }
                float v;
                try {
                    v = Float.parseFloat(row[col].strip());
                } catch (NumberFormatException e) {
                    v = Float.NaN;
                }
                if (!(v >= 0 && v <= 255)) {
                    throw new EvaluationException(t.file() + " row " + (r + 1) + ", column '" + t.header().get(col)
                            + "': '" + row[col] + "' is not a pixel value from 0 to 255");
                }
                x[r * size + k++] = v / 255f;
            }
        }
        Tensor images = Tensor.of(x, n, c.channels(), c.height(), c.width());
        return dev.hearth.lab.train.TabularModel.probabilities(model, images, 250);
    }
}

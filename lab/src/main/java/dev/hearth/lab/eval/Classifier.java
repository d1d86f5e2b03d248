package dev.hearth.lab.eval;

import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.train.FeatureEncoder;
import dev.hearth.lab.train.TabularModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A trained classifier as an evaluation sees it: rows of a table in, class probabilities out. */
public interface Classifier {

    /** The class names; index = class id. */
    List<String> classes();

    /** The column holding the true class. */
    String label();

    /** The true class id of every row; a value the model does not know is an error naming the row. */
    int[] labels(CsvTable table);

    /** Class probabilities (n, classes) of every row. */
    double[][] probabilities(CsvTable table);

    /** What reading the rows had to assume, per column (missing values, unseen categories); empty when nothing. */
    default Map<String, Map<String, Integer>> assumptions(CsvTable table) {
        return Map.of();
    }

    /**
     * The classifier in a model folder: one written by 'hearth train tabular', or the run folder of
     * 'hearth demo digits' (see {@link ImageClassifier} for its CSV rows).
     */
    static Classifier load(Path dir) {
        if (!TabularModel.isTabular(dir)) {
            if (ImageClassifier.isImageClassifier(dir)) {
                return ImageClassifier.load(dir);
            }
            if (dev.hearth.lab.train.TextClassifier.isText(dir)) {
                return dev.hearth.lab.train.TextClassifier.load(dir);
            }
            throw new EvaluationException(dir + " is not a classifier folder this version can evaluate: it needs the"
                    + " config.json with \"task\": \"tabular\" or \"text\" that 'hearth train tabular' or 'hearth train"
                    + " text' writes, or the"
                    + " CnnClassifier model.safetensors of 'hearth demo digits'");
        }
        TabularModel m = TabularModel.load(dir);
        return new Classifier() {
            @Override
            public List<String> classes() {
                return m.classNames();
            }

            @Override
            public String label() {
                return m.encoder().label();
            }

            @Override
            public int[] labels(CsvTable table) {
                return m.encoder().labels(table);
            }

            @Override
            public double[][] probabilities(CsvTable table) {
                return m.probabilities(m.encode(table));
            }

            @Override
            public Map<String, Map<String, Integer>> assumptions(CsvTable table) {
                FeatureEncoder.Encoded e = m.encoder().encode(table);
                return Map.of("missing_values", m.encoder().byColumn(e.missingByColumn()),
                        "unseen_categories", m.encoder().byColumn(e.unseenByColumn()));
            }
        };
    }
}

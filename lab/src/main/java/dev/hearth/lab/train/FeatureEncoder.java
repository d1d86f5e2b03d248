package dev.hearth.lab.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.data.DataInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns CSV rows into the float features of a tabular model, and back-names them: a numeric column is
 * standardised with the training rows' mean and standard deviation (one feature, named as the column);
 * a categorical column is one-hot over the categories seen in training (one feature per category, named
 * {@code column=value}, e.g. {@code workclass=Private}). A value in {@link #missingTokens()} is missing:
 * a numeric one becomes the training mean (0 after standardising), a categorical one the category
 * {@value #MISSING_CATEGORY}. A category never seen in training encodes as all zeros and is counted.
 * Everything here is saved as {@code encoder.json} next to the weights, so a model reloads exactly.
 *
 * @param columns the feature columns in order
 * @param label the label column
 * @param classes the label values, index = class id (sorted)
 * @param missingTokens the cell values that mean "missing" (compared after trimming)
 */
public record FeatureEncoder(List<Column> columns, String label, List<String> classes, List<String> missingTokens) {

    public static final String MISSING_CATEGORY = "(missing)";
    public static final List<String> DEFAULT_MISSING = List.of("", "?", "NA", "N/A", "NaN", "nan", "null", "NULL");

    public enum Kind { NUMERIC, CATEGORICAL }

    /** One input column: its statistics when numeric, its categories (sorted) when categorical. */
    public record Column(String name, Kind kind, double mean, double std, List<String> categories) {
        public int width() {
            return kind == Kind.NUMERIC ? 1 : categories.size();
        }
    }

    /**
     * How to read the table. {@code numeric} and {@code categorical} force a column's type (otherwise a
     * column is numeric when every present value is a finite number); {@code exclude} leaves columns out
     * of the features.
     */
    public record Options(Set<String> numeric, Set<String> categorical, Set<String> exclude, List<String> missingTokens) {
        public static Options defaults() {
            return new Options(Set.of(), Set.of(), Set.of(), DEFAULT_MISSING);
        }
    }

    /** The rows of an encoded table: features (n, width), and what encoding had to assume. */
    public record Encoded(Tensor features, int[] missingByColumn, int[] unseenByColumn) {}

    public FeatureEncoder {
        columns = List.copyOf(columns);
        classes = List.copyOf(classes);
        missingTokens = List.copyOf(missingTokens);
    }

    /**
     * Fits the encoder: column types from all rows, statistics and categories from {@code trainRows} only,
     * label classes from all rows. Errors name the column or row: a label column that does not exist, a
     * missing label, a single class, a column forced numeric holding a word, an option naming no column.
     */
    public static FeatureEncoder fit(CsvTable table, String label, Options options, int[] trainRows) {
        int li = table.column(label);
        for (Set<String> named : List.of(options.numeric(), options.categorical(), options.exclude())) {
            for (String c : named) {
                table.column(c);
            }
        }
        for (String c : options.numeric()) {
            if (options.categorical().contains(c)) {
                throw new DataInputException("column '" + c + "' is named both numeric and categorical; choose one");
            }
        }
        if (options.exclude().contains(label)) {
            throw new DataInputException("the label column '" + label + "' cannot be excluded");
        }
        Set<String> missing = Set.copyOf(options.missingTokens());
        TreeSet<String> classSet = new TreeSet<>();
        for (int r = 0; r < table.rows().size(); r++) {
            String v = table.rows().get(r)[li].strip();
            if (missing.contains(v)) {
                throw new DataInputException(table.file() + " row " + (r + 1) + ": the label '" + label + "' is missing ('"
                        + v + "'); remove the row or give it a class");
            }
            classSet.add(v);
        }
        if (classSet.size() < 2) {
            throw new DataInputException("the label column '" + label + "' holds a single class " + classSet
                    + "; a classifier needs at least two");
        }
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < table.header().size(); c++) {
            String name = table.header().get(c);
            if (c == li || options.exclude().contains(name)) {
                continue;
            }
            boolean numeric;
            if (options.numeric().contains(name)) {
                numeric = true;
            } else if (options.categorical().contains(name)) {
                numeric = false;
            } else {
                numeric = looksNumeric(table, c, missing);
            }
            if (numeric) {
                for (int r = 0; r < table.rows().size(); r++) { // every row, so an error names the file's row
                    String v = table.rows().get(r)[c].strip();
                    if (!missing.contains(v)) {
                        parse(table, r, c, v);
                    }
                }
                double sum = 0;
                int n = 0;
                for (int r : trainRows) {
                    String v = table.rows().get(r)[c].strip();
                    if (!missing.contains(v)) {
                        sum += parse(table, r, c, v);
                        n++;
                    }
                }
                if (n == 0) {
                    throw new DataInputException("the numeric column '" + name + "' has no value in the training rows;"
                            + " exclude it with --exclude " + name);
                }
                double mean = sum / n;
                double ss = 0;
                for (int r : trainRows) {
                    String v = table.rows().get(r)[c].strip();
                    if (!missing.contains(v)) {
                        double d = parse(table, r, c, v) - mean;
                        ss += d * d;
                    }
                }
                double std = Math.sqrt(ss / n);
                columns.add(new Column(name, Kind.NUMERIC, mean, std > 0 ? std : 1.0, List.of()));
            } else {
                TreeSet<String> cats = new TreeSet<>();
                for (int r : trainRows) {
                    String v = table.rows().get(r)[c].strip();
                    cats.add(missing.contains(v) ? MISSING_CATEGORY : v);
                }
                columns.add(new Column(name, Kind.CATEGORICAL, 0, 0, List.copyOf(cats)));
            }
        }
        if (columns.isEmpty()) {
            throw new DataInputException(table.file() + " has no feature column besides the label '" + label + "'");
        }
        return new FeatureEncoder(columns, label, List.copyOf(classSet), options.missingTokens());
    }

    private static boolean looksNumeric(CsvTable t, int c, Set<String> missing) {
        boolean any = false;
        for (String[] row : t.rows()) {
            String v = row[c].strip();
            if (missing.contains(v)) {
                continue;
            }
            try {
                if (!Double.isFinite(Double.parseDouble(v))) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
            any = true;
        }
        return any;
    }

    private static double parse(CsvTable t, int row, int col, String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DataInputException(t.file() + " row " + (row + 1) + ", column '" + t.header().get(col) + "': '" + v
                + "' is not a number, but the column is numeric; fix the value, add it to the missing values, or"
                + " read the column as categorical (--categorical " + t.header().get(col) + ")");
    }

    /** Number of encoded features. */
    @JsonIgnore
    public int width() {
        return columns.stream().mapToInt(Column::width).sum();
    }

    /** The encoded features' names, in order: {@code age}, {@code workclass=Private}, ... */
    @JsonIgnore
    public List<String> featureNames() {
        List<String> out = new ArrayList<>();
        for (Column c : columns) {
            if (c.kind() == Kind.NUMERIC) {
                out.add(c.name());
            } else {
                c.categories().forEach(v -> out.add(c.name() + "=" + v));
            }
        }
        return out;
    }

    /** Encodes rows laid out as {@code header}; the label column need not be there. */
    public Encoded encode(List<String> header, List<String[]> rows, String source) {
        int w = width();
        Set<String> missing = Set.copyOf(missingTokens);
        int[] at = new int[columns.size()];
        for (int k = 0; k < columns.size(); k++) {
            at[k] = header.indexOf(columns.get(k).name());
            if (at[k] < 0) {
                throw new DataInputException(source + " has no column '" + columns.get(k).name() + "', which the model"
                        + " was trained with; its columns are " + String.join(", ", header));
            }
        }
        List<Map<String, Integer>> index = new ArrayList<>();
        for (Column c : columns) {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i < c.categories().size(); i++) {
                m.put(c.categories().get(i), i);
            }
            index.add(m);
        }
        float[] x = new float[rows.size() * w];
        int[] missingCount = new int[columns.size()];
        int[] unseen = new int[columns.size()];
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            int off = r * w;
            for (int k = 0; k < columns.size(); k++) {
                Column c = columns.get(k);
                String v = row[at[k]].strip();
                boolean isMissing = missing.contains(v);
                if (isMissing) {
                    missingCount[k]++;
                }
                if (c.kind() == Kind.NUMERIC) {
                    if (!isMissing) {
                        double d;
                        try {
                            d = Double.parseDouble(v);
                        } catch (NumberFormatException e) {
                            d = Double.NaN;
                        }
                        if (!Double.isFinite(d)) {
                            throw new DataInputException(source + " row " + (r + 1) + ", column '" + c.name() + "': '" + v
                                    + "' is not a number, but the model reads this column as numeric");
                        }
                        x[off] = (float) ((d - c.mean()) / c.std());
                    }
                    off++;
                } else {
                    Integer i = index.get(k).get(isMissing ? MISSING_CATEGORY : v);
                    if (i != null) {
                        x[off + i] = 1f;
                    } else {
                        unseen[k]++;
                    }
                    off += c.width();
                }
            }
        }
        return new Encoded(Tensor.of(x, rows.size(), w), missingCount, unseen);
    }

    /** Encodes a table's rows. */
    public Encoded encode(CsvTable table) {
        return encode(table.header(), table.rows(), table.file().toString());
    }

    /** The class ids of a table's label column; a value not among the classes is an error naming its row. */
    public int[] labels(CsvTable table) {
        int li = table.column(label);
        Map<String, Integer> id = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            id.put(classes.get(i), i);
        }
        int[] y = new int[table.rows().size()];
        for (int r = 0; r < y.length; r++) {
            String v = table.rows().get(r)[li].strip();
            Integer k = id.get(v);
            if (k == null) {
                throw new DataInputException(table.file() + " row " + (r + 1) + ": the label '" + label + "' is '" + v
                        + "', not one of the model's classes " + classes);
            }
            y[r] = k;
        }
        return y;
    }

    /** Per column, how many of {@code counts} are non-zero, as "column: n" (for reports). */
    public Map<String, Integer> byColumn(int[] counts) {
        if (counts.length != columns.size()) {
            throw new HearthException("counts for " + counts.length + " columns, the encoder has " + columns.size());
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0) {
                out.put(columns.get(k).name(), counts[k]);
            }
        }
        return out;
    }
}

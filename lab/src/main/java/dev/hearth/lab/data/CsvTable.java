package dev.hearth.lab.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole CSV file with a header, in memory: every row checked to have the header's number of cells.
 * The delimiter is guessed from the header ({@code ,}, {@code ;} or tab) unless given. Row numbers in
 * messages count data rows from 1 (the header is not a row).
 */
public record CsvTable(Path file, char delimiter, List<String> header, List<String[]> rows) {

    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
    }

    /** Reads {@code file}; {@code delimiter} null guesses it from the header, "tab" is a tab. */
    public static CsvTable read(Path file, String delimiter) {
        if (!Files.isRegularFile(file)) {
            throw new DataInputException("the CSV file " + file + " does not exist");
        }
        char sep;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            if (first == null || first.isBlank()) {
                throw new DataInputException(file + " is empty: a CSV file with a header line is needed");
            }
            sep = delimiter != null ? (delimiter.equals("tab") ? '\t' : delimiter.charAt(0)) : guess(first);
        } catch (IOException e) {
            throw new DataInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<String[]> rows = new ArrayList<>();
        String[] header;
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class)
                .with(CsvSchema.emptySchema().withColumnSeparator(sep)).readValues(file.toFile())) {
            header = it.nextValue();
            for (int i = 0; i < header.length; i++) {
                header[i] = header[i].strip();
            }
            long n = 0;
            while (it.hasNextValue()) {
                String[] row = it.nextValue();
                if (row.length == 1 && row[0].isEmpty()) {
                    continue; // a blank line
                }
                n++;
                if (row.length != header.length) {
                    throw new DataInputException(file + " row " + n + " has " + row.length + " cells but the header has "
                            + header.length + (delimiter == null ? " (the delimiter was guessed as '"
                            + (sep == '\t' ? "tab" : String.valueOf(sep)) + "'; set it with --delimiter)" : ""));
                }
                rows.add(row);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataInputException d) {
                throw d;
            }
            throw new DataInputException(file + " is not valid CSV: " + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse(""), e);
        }
        return new CsvTable(file, sep, Arrays.asList(header), rows);
    }

    private static char guess(String header) {
        long semis = header.chars().filter(c -> c == ';').count();
        long tabs = header.chars().filter(c -> c == '\t').count();
        long commas = header.chars().filter(c -> c == ',').count();
        return tabs > commas && tabs > semis ? '\t' : semis > commas ? ';' : ',';
    }

    /** The index of column {@code name}, or an error listing the columns there are. */
    public int column(String name) {
        int k = header.indexOf(name);
        if (k < 0) {
            throw new DataInputException("there is no column '" + name + "' in " + file + "; its columns are "
                    + String.join(", ", header));
        }
        return k;
    }

    /** The rows at {@code indices}, in that order, as a table over the same file and header. */
    public CsvTable subset(int[] indices) {
        List<String[]> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(rows.get(i));
        }
        return new CsvTable(file, delimiter, header, out);
    }

    /** Writes the header and {@code rows} with this table's delimiter, quoting cells where needed. */
    public static void write(Path file, char delimiter, List<String> header, List<String[]> rows) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(com.fasterxml.jackson.dataformat.csv.CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                 var seq = mapper.writer(CsvSchema.emptySchema().withColumnSeparator(delimiter)
                         .withLineSeparator("\n")).writeValues(w)) {
                seq.write(header.toArray(String[]::new));
                for (String[] r : rows) {
                    seq.write(r);
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DataInputException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

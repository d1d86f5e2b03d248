package dev.hearth.lab.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a prepared dataset (format {@value #FORMAT}): what the shards
 * hold, how they were made and from what. Written last, atomically, by
 * {@link DatasetPreparation}; a folder without one is an unfinished preparation. JSON names are
 * the components' names in snake_case ({@code separatorId} is {@code separator_id}).
 *
 * @param format always {@value #FORMAT}
 * @param name the dataset's name
 * @param created when it was made, ISO-8601 UTC
 * @param hearthVersion the Hearth build that made it
 * @param tokenizer the tokenizer in {@code tokenizer.json}
 * @param dtype {@code uint16} (at most 65,536 ids) or {@code uint32}: how each id is stored, little-endian
 * @param separatorId the id written after every document, or null for none
 * @param separatorToken that id's token, such as {@code <|endoftext|>}, or null
 * @param shardTokens the most ids one shard file holds
 * @param split how documents were divided between train and val
 * @param reading how the input files were read into documents
 * @param inputs every input file, in reading order, with its SHA-256
 * @param splits {@code train} and {@code val}: documents, tokens and shard files
 * @param textBytes UTF-8 bytes of the documents used (separators not counted)
 * @param skipped what was left out and why
 * @param scrub the PII scrub report, or null when the text was not scrubbed
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DatasetManifest(String format, String name, String created, String hearthVersion,
        TokenizerInfo tokenizer, String dtype, Integer separatorId, String separatorToken, long shardTokens,
        SplitRule split, Reading reading, List<Input> inputs, Map<String, Split> splits, long textBytes,
        Skipped skipped, JsonNode scrub) {

    public DatasetManifest {
        if (scrub != null && scrub.isNull()) {
            scrub = null;
        }
    }

    public static final String FORMAT = "hearth-dataset/1";
    public static final String FILE = "manifest.json";

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * @param file always {@code tokenizer.json}
     * @param sha256 of that file
     * @param kind {@code byte-level-bpe}, {@code char} or {@code wordpiece}
     * @param vocabSize ids 0 .. vocabSize - 1
     * @param trainedHere whether this preparation trained it (else it was read from {@code source})
     * @param source the tokenizer file given, absolute, or null when trained here
     * @param training how it was trained, or null when not trained here
     */
    public record TokenizerInfo(String file, String sha256, String kind, int vocabSize, boolean trainedHere,
            String source, Training training) {}

    /**
     * @param vocabSizeRequested the size asked for ({@code bpe:N}); null for characters
     * @param vocabSize the size reached
     * @param minFrequency the least count of a pair worth merging (BPE), or null
     * @param stopReason why training stopped: {@code VOCAB_SIZE_REACHED}, {@code NO_PAIRS_LEFT},
     *     {@code BELOW_MIN_FREQUENCY}, or {@code ALL_CHARACTERS} for characters
     * @param summary one line in words
     * @param corpusSha256 SHA-256 of the training text as the trainer saw it (BPE), or null
     * @param trainedOn which documents it learned from
     */
    public record Training(Integer vocabSizeRequested, int vocabSize, Integer minFrequency, String stopReason,
            String summary, String corpusSha256, String trainedOn) {}

    /**
     * @param mode {@code document} or {@code tail}
     * @param valFraction the fraction of documents (document) or of each document's tokens (tail) in val
     * @param seed the seed of the document hash
     * @param rule the rule in words
     */
    public record SplitRule(String mode, double valFraction, long seed, String rule) {}

    /**
     * @param docSeparator how .txt files divide into documents: {@code none}, {@code line},
     *     {@code blank-line} or {@code literal:<line>}
     * @param field the .jsonl field read (dots for nested fields)
     * @param column the .csv/.tsv column read
     * @param delimiter the CSV delimiter, or null for "comma for .csv, tab for .tsv"
     * @param chunkBytes large documents are encoded in pieces of about this size, cut only where
     *     the tokenizer gives the same ids either way
     */
    public record Reading(String docSeparator, String field, String column, String delimiter, int chunkBytes) {}

    /**
     * @param path absolute, normalized
     * @param key the path relative to the input it was found in ('/' separators): the name the split hash uses
     * @param format {@code txt}, {@code jsonl}, {@code csv} or {@code tsv}
     * @param gzip whether it was gzip-compressed
     * @param sha256 of the file's bytes as stored (compressed, for .gz)
     * @param bytes the file's size as stored
     * @param documents documents used from it
     * @param skipped documents (or the whole file, as 1) left out
     */
    public record Input(String path, String key, String format, boolean gzip, String sha256, long bytes,
            long documents, long skipped) {}

    /**
     * @param documents documents with tokens in this split (in tail mode a document is in both)
     * @param tokens ids in this split, separators included
     * @param shards the files, in order
     */
    public record Split(long documents, long tokens, List<Shard> shards) {}

    /** One {@code .bin} file: its name within the dataset folder, its ids, and its SHA-256. */
    public record Shard(String file, long tokens, String sha256) {}

    /**
     * @param count everything skipped
     * @param byReason counts by {@link SkipReason#key()}
     * @param recordsLimit the most records kept
     * @param recordsTruncated whether more were skipped than recorded
     * @param records the first skips: file, place ({@code line 12}, {@code row 3 (line 4)}, {@code file}), reason, details
     */
    public record Skipped(long count, Map<String, Long> byReason, int recordsLimit, boolean recordsTruncated,
            List<SkipRecord> records) {}

    /** One skipped file or document. */
    public record SkipRecord(String input, String location, String reason, String detail) {}

    /** The bytes per id of {@link #dtype()}: 2 or 4. */
    @JsonIgnore
    public int bytesPerToken() {
        return switch (dtype) {
            case "uint16" -> 2;
            case "uint32" -> 4;
            default -> throw new DatasetException("dtype '" + dtype + "' is neither uint16 nor uint32");
        };
    }

    /** The tokens of both splits. */
    @JsonIgnore
    public long totalTokens() {
        return splits.values().stream().mapToLong(Split::tokens).sum();
    }

    /** This manifest as the JSON text written to {@code manifest.json}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest always serializes", e);
        }
    }

    /** Writes {@code manifest.json} into {@code dir} atomically (a temporary file, then a rename). */
    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a manifest's JSON text; {@code file} names it in errors. */
    static DatasetManifest parse(byte[] json, Path file) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new DatasetException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); the preparation that wrote it did not finish or the file was edited: prepare the dataset"
                    + " again", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new DatasetException(file + " does not hold a JSON object: prepare the dataset again");
        }
        String format = tree.path("format").asText(null);
        if (!FORMAT.equals(format)) {
            throw new DatasetException(file + ": format is " + (format == null ? "missing" : "'" + format + "'")
                    + ", but this Hearth reads '" + FORMAT + "'"
                    + (format != null && format.startsWith("hearth-dataset/")
                            ? ": it was made by another Hearth version; prepare it again with this one"
                            : ": this is not a Hearth dataset manifest"));
        }
        try {
            return JSON.treeToValue(tree, DatasetManifest.class);
        } catch (IOException e) {
            throw new DatasetException(file + ": " + e.getMessage().lines().findFirst().orElse("")
                    + "; the manifest is damaged: prepare the dataset again", e);
        }
    }
}

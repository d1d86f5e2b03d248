package dev.hearth.lab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.ScrubReport;
import dev.hearth.guard.pii.Scrubber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The first step of a preparation that scrubs: personal data is removed from the inputs into the
 * dataset's {@code scrubbed/} folder, the dataset is made from those copies (so the manifest's
 * inputs and hashes are exactly the text the shards hold), and the manifest's {@code scrub} entry
 * records the originals with their SHA-256, the policy, the key's id and what was found.
 *
 * @param anonymizer the policy's operators, with the master key when they need one
 * @param threads    analysis threads
 * @param policyFile the policy's file, recorded with its hash; null for the default policy
 * @param keyId      the public id of the master key used, or null
 */
public record DatasetScrub(Anonymizer anonymizer, int threads, Path policyFile, String keyId) {
    /** The folder in the dataset holding the scrubbed inputs, and the scrub's report beside it. */
    public static final String FOLDER = "scrubbed";
    public static final String REPORT = "scrub-report.json";

    record Scrubbed(List<Path> files, JsonNode record) {}

    Scrubbed run(List<Path> inputs, Path dataset, DatasetPreparation.Listener listener) throws IOException {
        Path folder = dataset.resolve(FOLDER);
        long total = 0;
        for (Path in : inputs) {
            total += size(in);
        }
        listener.onPhase(DatasetPreparation.Phase.SCRUBBING, total);
        ObjectNode record = DatasetManifest.JSON.createObjectNode();
        ArrayNode originals = record.putArray("originals");
        List<ScrubReport> reports = new ArrayList<>();
        Scrubber scrubber = new Scrubber(anonymizer, threads, 64L << 20);
        long done = 0;
        for (int k = 0; k < inputs.size(); k++) {
            Path in = inputs.get(k).toAbsolutePath().normalize();
            for (Path f : files(in)) {
                originals.addObject().put("path", f.toString()).put("sha256", Sha256.ofFile(f)).put("bytes", Files.size(f));
            }
            // inputs keep their names; a number in front keeps two inputs of the same name apart
            Path out = folder.resolve(inputs.size() == 1 ? in.getFileName().toString() : k + "-" + in.getFileName());
            long base = done;
            long totalBytes = total;
            reports.add(scrubber.scrub(in, out, null,
                    bytes -> listener.onProgress(DatasetPreparation.Phase.SCRUBBING, base + bytes, totalBytes)));
            done += size(in);
        }
        ObjectNode report = DatasetManifest.JSON.createObjectNode();
        ArrayNode perInput = report.putArray("inputs");
        ObjectNode found = record.putObject("found");
        long records = 0;
        long problems = 0;
        for (ScrubReport r : reports) {
            perInput.add(DatasetManifest.JSON.valueToTree(r));
            records += r.records();
            problems += r.problems();
            r.found().forEach((type, n) -> found.put(type, found.path(type).asLong() + n));
        }
        Files.writeString(dataset.resolve(REPORT), DatasetManifest.JSON.writeValueAsString(report));
        record.put("policy_file", policyFile == null ? null : policyFile.toAbsolutePath().toString());
        record.put("policy_sha256", policyFile == null ? null : Sha256.ofFile(policyFile));
        record.put("key_id", keyId);
        record.put("records", records);
        record.put("problems", problems);
        record.put("scrubbed_folder", FOLDER);
        record.put("report", REPORT);
        List<Path> scrubbedFiles;
        try (Stream<Path> s = Files.walk(folder)) {
            scrubbedFiles = s.filter(Files::isRegularFile).sorted().toList();
        }
        if (scrubbedFiles.isEmpty()) {
            throw new DataInputException("the scrub wrote nothing: no input held a file it reads (.txt, .md, .log,"
                    + " .jsonl, .ndjson, .csv); see " + dataset.resolve(REPORT));
        }
        return new Scrubbed(scrubbedFiles, record);
    }

    private static List<Path> files(Path in) throws IOException {
        if (!Files.isDirectory(in)) {
            return List.of(in);
        }
        try (Stream<Path> s = Files.walk(in)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long size(Path p) throws IOException {
        long n = 0;
        for (Path f : files(p.toAbsolutePath().normalize())) {
            n += Files.size(f);
        }
        return n;
    }
}

package dev.hearth.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** One run's folder: its config, its metrics log ({@code metrics.jsonl}) and its artefacts. */
public record RunFolder(String id, Path dir) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSONL = new ObjectMapper();

    public Path resolve(String name) {
        return dir.resolve(name);
    }

    /** Writes {@code value} as pretty JSON to {@code name}, atomically (temp file, then move). */
    public void writeJson(String name, Object value) {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(value) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code record} as one JSON line to {@code metrics.jsonl}. */
    public void appendMetrics(Object record) {
        Path target = dir.resolve("metrics.jsonl");
        try {
            Files.writeString(target, JSONL.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new HearthException("cannot append to " + target + ": " + e.getMessage(), e);
        }
    }
}
